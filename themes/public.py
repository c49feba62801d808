"""The archipel's public site shows each territory as it presents itself: its name, colours,
logo and the first words of its welcome text (read from each territory's own schema)."""

from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_tenants.utils import schema_context

from tenants.models import Territory
from tenants.selectors import ListedTerritory, territories_listed

from .models import Theme

WELCOME_WORDS = 30


@dataclass(frozen=True)
class TerritoryCard:
    listed: ListedTerritory
    display_name: str
    primary: str
    on_primary: str
    welcome: str
    logo_version: str  # empty: no logo


def _welcome(text: str) -> str:
    words = text.split()
    return " ".join(words[:WELCOME_WORDS]) + (" …" if len(words) > WELCOME_WORDS else "")


def territory_cards(request) -> list[TerritoryCard]:
    listed = territories_listed(request)
    schemas = dict(
        Territory.objects.filter(slug__in=[t.slug for t in listed]).values_list(
            "slug", "schema_name"
        )
    )
    cards = []
    for territory in listed:
        with schema_context(schemas[territory.slug]):
            theme = Theme.objects.filter(pk=1).first()
        if theme is None:  # a territory whose theme was never saved: its name, default colours
            cards.append(TerritoryCard(territory, territory.name, "", "", "", ""))
            continue
        cards.append(
            TerritoryCard(
                territory,
                theme.display_name or territory.name,
                theme.primary_colour,
                theme.on_primary_colour,
                _welcome(theme.welcome_text),
                theme.logo_version if theme.logo else "",
            )
        )
    return cards


def archipel_home(request):
    """Public site: what Archipel is, the territories of the archipel each with its own look and
    a link to its site, and how an authority joins."""
    return render(request, "themes/archipel_home.html", {"cards": territory_cards(request)})


@require_GET
def territory_logo(request, slug: str):
    """A territory's logo, served by the public site (its pages allow images of their own
    origin only)."""
    schema = Territory.objects.filter(slug=slug).values_list("schema_name", flat=True).first()
    if schema is None or schema == "public":
        raise Http404
    with schema_context(schema):
        logo = Theme.objects.filter(pk=1).values_list("logo", flat=True).first()
    if not logo:
        raise Http404
    response = HttpResponse(bytes(logo), content_type="image/png")
    response["Cache-Control"] = "public, max-age=3600"
    return response
