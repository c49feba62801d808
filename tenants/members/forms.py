from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.models import Territory

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
    charter = forms.BooleanField(
        label=_("I accept the territory's charter (its rules for members)."),
        help_text=_("Read it on the page “Charter”, linked at the bottom of every page."),
        required=True,
    )

    def signup(self, request, user) -> None:
        user.first_name = self.cleaned_data["first_name"].strip()
        user.save(update_fields=["first_name"])


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )


class FederationForm(forms.ModelForm):
    partners = forms.CharField(
        label=_(
            "Only with these territories (their short names, separated by commas; empty: "
            "every participating territory)"
        ),
        required=False,
        max_length=500,
    )

    class Meta:
        model = Territory
        fields = ["federated", "federation_reach_km"]

    federation_reach_km = forms.IntegerField(
        label=_("Neighbours within (km of the trip's ends)"), min_value=1, max_value=200
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["partners"] = ", ".join(self.instance.federation_partners)

    def clean_partners(self) -> list[str]:
        slugs = sorted({s.strip().lower() for s in self.cleaned_data["partners"].split(",")} - {""})
        known = set(Territory.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        unknown = [s for s in slugs if s not in known or s == self.instance.slug]
        if unknown:
            raise forms.ValidationError(
                _("Unknown territories: %(names)s.") % {"names": ", ".join(unknown)}
            )
        return slugs

    def save(self, commit=True):
        self.instance.federation_partners = self.cleaned_data["partners"]
        return super().save(commit)


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand: my account is deleted on every site of the archipel.")
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password
