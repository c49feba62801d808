"""Provisioning of territories: validate everything, then create schema, domains, boundary,
theme, settings and the first admin's membership in one transaction."""

import json
import re
from dataclasses import dataclass, field

from django.contrib.gis.db.models import Union
from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tenants.utils import schema_context

from matching.models import RoadGraphRecord
from tenants.members.services import membership_grant_admin
from tenants.models import Area, Domain, Territory
from themes.services import territory_branding_init

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
HOST_RE = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)
RESERVED_SLUGS = {"public", "archipel", "admin", "api", "www", "static", "pg-catalog"}


class ProvisioningError(ValueError):
    """A request to create a territory that cannot be honoured; the message is user-facing."""


@dataclass
class BoundarySource:
    """Exactly one way of saying where the territory is."""

    epci: str | None = None
    insee: list[str] = field(default_factory=list)
    departement: str | None = None
    region: str | None = None
    area_codes: list[str] = field(default_factory=list)
    geojson: str | None = None  # text of a GeoJSON file

    def chosen(self) -> list[str]:
        names = ("epci", "insee", "departement", "region", "area_codes", "geojson")
        return [name for name in names if getattr(self, name)]


def schema_name_for(slug: str) -> str:
    return "t_" + slug.replace("-", "_")


def _areas_from_codes(codes: list[str], kind: str | None) -> QuerySet[Area]:
    wanted = {code.strip() for code in codes if code.strip()}
    areas = Area.objects.filter(code__in=wanted)
    if kind:
        areas = areas.filter(kind=kind)
    missing = sorted(wanted - set(areas.values_list("code", flat=True)))
    if missing:
        message = ngettext("Unknown area code: %s", "Unknown area codes: %s", len(missing))
        raise ProvisioningError(message % ", ".join(missing))
    return areas


def _geometry_from_geojson(text: str) -> MultiPolygon:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProvisioningError(_("The boundary file is not valid JSON: %s") % exc) from exc
    if not isinstance(document, dict):
        raise ProvisioningError(_("The boundary file is not a GeoJSON object."))
    if document.get("type") == "FeatureCollection":
        geometries = [f.get("geometry") for f in document.get("features") or []]
    elif document.get("type") == "Feature":
        geometries = [document.get("geometry")]
    else:
        geometries = [document]
    polygons: list = []
    for geometry in geometries:
        if not geometry or geometry.get("type") not in {"Polygon", "MultiPolygon"}:
            continue
        try:
            geos = GEOSGeometry(json.dumps(geometry), srid=4326)
        except (GEOSException, ValueError, TypeError) as exc:
            raise ProvisioningError(
                _("The boundary file has an invalid geometry: %s") % exc
            ) from exc
        if not geos.valid:
            geos = geos.buffer(0)
        polygons.extend(geos if geos.geom_type == "MultiPolygon" else [geos])
    if not polygons:
        raise ProvisioningError(_("The boundary file contains no polygon."))
    union = MultiPolygon(polygons, srid=4326).unary_union
    return union if union.geom_type == "MultiPolygon" else MultiPolygon(union, srid=4326)


def resolve_boundary(source: BoundarySource) -> tuple[MultiPolygon, list[Area]]:
    chosen = source.chosen()
    if len(chosen) != 1:
        raise ProvisioningError(
            _(
                "Give exactly one boundary: EPCI, INSEE codes, département, région, "
                "area codes or a GeoJSON file."
            )
        )
    if source.geojson:
        boundary = _geometry_from_geojson(source.geojson)
        # The areas of a drawn boundary are those whose interior point falls inside it.
        areas = list(
            Area.objects.annotate(inner=PointOnSurface("geometry"))
            .filter(inner__within=boundary)
            .only("id")
        )
    else:
        if source.epci:
            areas_qs = Area.objects.filter(epci=source.epci, kind=Area.Kind.COMMUNE)
            label = _("EPCI %s") % source.epci
        elif source.departement:
            areas_qs = Area.objects.filter(departement=source.departement, kind=Area.Kind.COMMUNE)
            label = _("département %s") % source.departement
        elif source.region:
            areas_qs = Area.objects.filter(region=source.region, kind=Area.Kind.COMMUNE)
            label = _("région %s") % source.region
        elif source.insee:
            areas_qs = _areas_from_codes(source.insee, Area.Kind.COMMUNE)
            label = ""
        else:
            areas_qs = _areas_from_codes(source.area_codes, None)
            label = ""
        if not areas_qs.exists():
            raise ProvisioningError(_("No commune matches %s.") % label)
        boundary = areas_qs.aggregate(union=Union("geometry"))["union"]
        areas = list(areas_qs.only("id"))
        if boundary is not None and boundary.geom_type != "MultiPolygon":
            boundary = MultiPolygon(boundary, srid=4326)
    if boundary is None or boundary.empty or boundary.area == 0:
        raise ProvisioningError(_("The boundary is empty."))
    return boundary, areas


def _validate_identity(slug: str, domains: list[str]) -> list[str]:
    if not SLUG_RE.match(slug or "") or "--" in slug or slug in RESERVED_SLUGS:
        raise ProvisioningError(
            _(
                "Invalid slug %r: 3 to 40 lower-case letters, digits and single hyphens, "
                "starting with a letter."
            )
            % slug
        )
    if (
        Territory.objects.filter(slug=slug).exists()
        or Territory.objects.filter(schema_name=schema_name_for(slug)).exists()
    ):
        raise ProvisioningError(_("The slug %r is already used.") % slug)
    hosts = [d.strip().lower() for d in domains if d.strip()]
    if not hosts:
        raise ProvisioningError(_("Give at least one domain."))
    for host in hosts:
        if not HOST_RE.match(host):
            raise ProvisioningError(_("Invalid domain %r.") % host)
    if len(set(hosts)) != len(hosts):
        raise ProvisioningError(_("A domain is given twice."))
    taken = list(Domain.objects.filter(domain__in=hosts).values_list("domain", flat=True))
    if taken:
        raise ProvisioningError(_("Domain already used: %s") % ", ".join(taken))
    return hosts


def territory_create(
    *,
    slug: str,
    name: str,
    domains: list[str],
    source: BoundarySource,
    admin_email: str | None = None,
    graph_name: str = "",
    theme: dict | None = None,
) -> Territory:
    """Create a territory completely or not at all.

    Everything that can be checked is checked before the schema exists; the rest runs in one
    transaction, and PostgreSQL's transactional DDL rolls the new schema back with it."""
    name = (name or "").strip()
    if not name:
        raise ProvisioningError(_("The territory needs a name."))
    hosts = _validate_identity(slug, domains)
    if graph_name and not RoadGraphRecord.objects.filter(name=graph_name).exists():
        raise ProvisioningError(
            _("Unknown road graph %r: build it first with build_road_graph.") % graph_name
        )
    boundary, areas = resolve_boundary(source)
    display_name = (theme or {}).get("display_name") or name
    try:
        with transaction.atomic():
            territory = Territory(
                schema_name=schema_name_for(slug),
                slug=slug,
                name=name,
                boundary=boundary,
                graph_name=graph_name,
            )
            territory.save(verbosity=0)
            territory.areas.set(areas)
            for index, host in enumerate(hosts):
                Domain.objects.create(domain=host, tenant=territory, is_primary=index == 0)
            with schema_context(territory.schema_name):
                territory_branding_init(display_name=display_name, theme=theme)
                if admin_email:
                    membership_grant_admin(admin_email)
    except ValidationError as exc:
        raise ProvisioningError("; ".join(exc.messages)) from exc
    return territory
