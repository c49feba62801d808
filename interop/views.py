"""The territory admin's pages of partners (platforms calling us: register one, its key shown
once, revoke it, read what partners called) and of providers (platforms we call: their
journeys appear in our search results); and those journeys for a search."""

from django import forms
from django.contrib import messages
from django.db import connection
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core import egress, ratelimit
from core.permissions import role_required
from tenants.members.models import Role
from trips.forms import SearchForm

from .models import Endpoint, Partner, Provider
from .outbound import breaker_open_until, external_journeys
from .partners import partner_register, partner_revoke
from .selectors import partner_calls_latest, partners_listed, providers_listed
from .services import provider_add, provider_change, provider_remove


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
        validators=[egress.url_validator],
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
            "partners": partners_listed(),
            "calls": partner_calls_latest(),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(Role.TERRITORY_ADMIN)
def partner_revoke_view(request, pk: int):
    partner_revoke(get_object_or_404(Partner, pk=pk))
    messages.success(request, _("Key revoked."))
    return redirect("partners")


# --- providers: other platforms whose journeys appear in our search results ----------------
class ProviderForm(forms.ModelForm):
    base_url = forms.URLField(
        label=gettext_lazy("API base URL"),
        max_length=200,
        assume_scheme="https",
        help_text=gettext_lazy("e.g. https://api.example.org/standard-covoiturage/v1"),
        validators=[egress.url_validator],
    )

    class Meta:
        model = Provider
        fields = ["name", "protocol", "base_url", "api_key", "timeout_ms", "enabled"]
        widgets = {"api_key": forms.PasswordInput(render_value=False)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["api_key"].help_text = gettext_lazy("Leave empty to keep the current key.")

    def clean_api_key(self):
        key = self.cleaned_data["api_key"].strip()
        return key or (self.instance.api_key if self.instance.pk else "")


@role_required(Role.TERRITORY_ADMIN)
def providers(request):
    form = ProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        provider_add(form.save(commit=False))
        messages.success(request, _("Provider added: its journeys now appear in searches."))
        return redirect("providers")
    listed = [(p, breaker_open_until(p)) for p in providers_listed()]
    return render(
        request,
        "interop/providers.html",
        {"form": form, "providers": listed},
        status=400 if form.errors else 200,
    )


@role_required(Role.TERRITORY_ADMIN)
def provider_edit(request, pk: int):
    provider = get_object_or_404(Provider, pk=pk)
    form = ProviderForm(request.POST or None, instance=provider)
    if request.method == "POST" and form.is_valid():
        provider_change(form.save(commit=False))
        messages.success(request, _("Provider saved."))
        return redirect("providers")
    return render(
        request,
        "interop/provider_edit.html",
        {"form": form, "provider": provider},
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(Role.TERRITORY_ADMIN)
def provider_delete(request, pk: int):
    provider_remove(get_object_or_404(Provider, pk=pk))
    messages.success(request, _("Provider removed."))
    return redirect("providers")


SEARCHES_PER_MINUTE = 30


@require_GET
def partner_search(request):
    """Journeys of the partner platforms for a search of the home page: loaded after the
    page (htmx), so that partners never slow down our own results; a page of its own
    without JavaScript. Each visitor asks the providers 30 times a minute at most."""
    form = SearchForm(request.GET)
    outcome = None
    visitor = request.META.get("REMOTE_ADDR", "")
    if (
        ratelimit.hit(f"partner-search-{connection.schema_name}-{visitor}", 60)
        > SEARCHES_PER_MINUTE
    ):
        return render(request, "interop/partner_journeys.html", {"busy": True}, status=429)
    if form.is_valid():
        start, end = form.window_bounds()
        outcome = external_journeys(
            form.cleaned_data["origin"], form.cleaned_data["destination"], start, end
        )
    template = (
        "interop/partner_journeys.html"
        if request.headers.get("HX-Request")
        else "interop/partner_search.html"
    )
    return render(
        request,
        template,
        {"form": form, "outcome": outcome},
        status=200 if outcome is not None else 400,
    )
