"""What the solidarity pages' maps draw (core/templates/map_block.html): a request's pickup and
destination, and for the operator the homes of the volunteers ranked for it — approximate
(rounded to about a hundred metres): enough to see who is near, not an address."""

from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _

from .models import Request

HOME_DECIMALS = 3  # ≈ 110 m in latitude


def _point(kind: str, symbol: str, label: str, point: Point, decimals: int = 6) -> dict:
    return {
        "kind": kind,
        "symbol": symbol,
        "label": label,
        "lat": round(point.y, decimals),
        "lon": round(point.x, decimals),
    }


def trip_map(trip: Request) -> dict:
    """The trip's two ends: where the beneficiary is picked up, where they go."""
    return {
        "points": [
            _point("start", "A", _("Pickup: %s") % trip.pickup_label, trip.pickup),
            _point("end", "B", _("Destination: %s") % trip.destination_label, trip.destination),
        ]
    }


def request_map(trip: Request, ranked: list) -> dict:
    """The trip's ends and the kept volunteers' approximate homes, numbered by their rank."""
    found = trip_map(trip)
    kept = [r for r in ranked if r.kept and r.volunteer.home is not None]
    for rank, r in enumerate(kept, start=1):
        label = _("%(volunteer)s (home, approximate)") % {"volunteer": r.volunteer}
        found["points"].append(
            _point("volunteer", str(rank), label, r.volunteer.home, HOME_DECIMALS)
        )
    return found
