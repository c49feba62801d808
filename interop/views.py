"""The territory admin's page of partners: register one (its key is shown once), revoke it,
read what partners called."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.permissions import role_required
from tenants.members.models import Role

from .models import Endpoint, Partner, PartnerCall
from .partners import partner_register, partner_revoke


class PartnerForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    operator = forms.RegexField(
        label=gettext_lazy("Operator domain"),
        regex=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$",
        max_length=255,
        help_text=gettext_lazy("e.g. maas.example.org"),
        error_messages={"invalid": gettext_lazy("A domain name such as maas.example.org.")},
    )
    endpoints = forms.MultipleChoiceField(
        label=gettext_lazy("Allowed"),
        choices=Endpoint.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    rate_per_minute = forms.IntegerField(
        label=gettext_lazy("Calls per minute"), min_value=1, max_value=6000, initial=60
    )
    callback_url = forms.URLField(
        label=gettext_lazy("Partner's API base URL (for booking events)"),
        required=False,
        assume_scheme="https",
    )


@role_required(Role.TERRITORY_ADMIN)
def partners(request):
    form = PartnerForm(request.POST or None)
    key = None
    if request.method == "POST" and form.is_valid():
        partner, key = partner_register(**form.cleaned_data)
        messages.success(request, _("Partner registered. Copy its key now: it is shown once."))
        form = PartnerForm()
    return render(
        request,
        "interop/partners.html",
        {
            "form": form,
            "key": key,
            "partners": Partner.objects.all(),
            "calls": PartnerCall.objects.select_related("partner")[:100],
        },
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(Role.TERRITORY_ADMIN)
def partner_revoke_view(request, pk: int):
    partner_revoke(get_object_or_404(Partner, pk=pk))
    messages.success(request, _("Key revoked."))
    return redirect("partners")
