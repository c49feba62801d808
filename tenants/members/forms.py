from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Role


class SignupForm(forms.Form):
    """Extra sign-up fields (allauth's ACCOUNT_SIGNUP_FORM_CLASS)."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=80,
        help_text=_("Shown to the people you travel with."),
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    consent = forms.BooleanField(
        label=_("I join this territory and share my first name and e-mail address with it."),
        required=True,
    )

    def signup(self, request, user) -> None:
        user.first_name = self.cleaned_data["first_name"].strip()
        user.save(update_fields=["first_name"])


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
