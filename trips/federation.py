"""The archipel's shared search: which neighbouring territories a search also runs in, and how
their rides are presented. Rides stay in their own territory's schema; a passenger books them
on that territory's site with the same account (joining it there if needed)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.db.models import Q
from django_tenants.utils import schema_context

from tenants.members.selectors import memberships_everywhere
from tenants.models import Territory
from themes.selectors import theme_get

from .models import Booking


def neighbours(territory: Territory, points: list[Point]) -> list[Territory]:
    """Territories that take part in the federation with this one: both participate, each
    accepts the other as a partner (an empty list accepts everyone), they share the road
    graph, and the neighbour's boundary lies within this territory's reach of one of the
    trip's ends."""
    if not territory.federated or not territory.graph_name:
        return []
    near = " OR ".join(
        ["ST_DWithin(boundary::geography, ST_GeomFromEWKT(%s)::geography, %s)"] * len(points)
    )
    params = []
    for point in points:
        params += [point.ewkt, territory.federation_reach_km * 1000]
    found = (
        Territory.objects.filter(federated=True, graph_name=territory.graph_name)
        .exclude(pk=territory.pk)
        .exclude(schema_name="public")
        .filter(Q(federation_partners=[]) | Q(federation_partners__contains=[territory.slug]))
        .filter(boundary__isnull=False)
        .extra(where=[f"({near})"], params=params)
        .order_by("name")
    )
    if territory.federation_partners:
        found = found.filter(slug__in=territory.federation_partners)
    return list(found)


@dataclass(frozen=True)
class Label:
    """How a ride of another territory is shown: its site's name and colours."""

    slug: str
    name: str
    colour: str
    on_colour: str
    host: str


def label(territory: Territory) -> Label:
    with schema_context(territory.schema_name):
        theme = theme_get()
    return Label(
        slug=territory.slug,
        name=theme.display_name,
        colour=theme.primary_colour,
        on_colour=theme.on_primary_colour,
        host=territory.primary_host or "",
    )


@dataclass(frozen=True)
class BookingsElsewhere:
    label: Label
    bookings: list


def bookings_elsewhere(user, here: Territory) -> list[BookingsElsewhere]:
    """The person's bookings as a passenger in the other territories they are a member of
    (two queries per territory of the deployment)."""
    found = []
    for territory, _membership in memberships_everywhere(user, besides=here.schema_name):
        bookings = list(
            Booking.objects.filter(passenger_id=user.pk)
            .select_related("offer__driver")
            .order_by("-pickup_at")[:20]
        )
        if bookings:
            found.append(BookingsElsewhere(label(territory), bookings))
    return found
