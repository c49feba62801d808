from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count

from .models import Domain, Territory


@dataclass(frozen=True)
class ListedTerritory:
    slug: str
    name: str
    url: str
    area_count: int


def site_url(request, host: str) -> str:
    # The port the visitor used (e.g. :8000 in development) is kept in links between sites.
    _name, _sep, port = request.get_host().rpartition(":")
    default = "443" if settings.SITE_SCHEME == "https" else "80"
    suffix = f":{port}" if _sep and port.isdigit() and port != default else ""
    return f"{settings.SITE_SCHEME}://{host}{suffix}/"


def territory_url(request, territory: Territory) -> str | None:
    host = territory.primary_host
    return site_url(request, host) if host else None


def territories_listed(request) -> list[ListedTerritory]:
    territories = (
        Territory.objects.exclude(schema_name="public")
        .annotate(area_count=Count("areas"))
        .prefetch_related("domains")
        .order_by("name")
    )
    listed = []
    for territory in territories:
        domains = sorted(territory.domains.all(), key=lambda d: (not d.is_primary, d.domain))
        if domains:
            listed.append(
                ListedTerritory(
                    territory.slug,
                    territory.name,
                    site_url(request, domains[0].domain),
                    territory.area_count,
                )
            )
    return listed


def public_site_url(request) -> str | None:
    # Domain lives in `public`, which every territory's search path includes.
    domain = (
        Domain.objects.filter(tenant__schema_name="public")
        .order_by("-is_primary", "domain")
        .first()
    )
    return site_url(request, domain.domain) if domain else None


def current_territory() -> Territory:
    """The territory whose schema the connection is in (a request sets the real object;
    `schema_context` only sets the schema name)."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Territory):
        return tenant
    return Territory.objects.get(schema_name=connection.schema_name)


def area_codes(territory: Territory) -> list[str]:
    """The codes of the areas a territory covers (communes, parishes)."""
    return list(territory.areas.values_list("code", flat=True))


def territory_link(path: str) -> str:
    """An absolute link to `path` on the current territory's site, for e-mails: its primary
    domain and `SITE_SCHEME` (and `SITE_PORT` in development), never the request's Host."""
    host = current_territory().primary_host or "localhost"
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    return f"{settings.SITE_SCHEME}://{host}{port}{path}"
