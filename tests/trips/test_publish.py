"""A driver publishes a ride: routed on the real road network, bad input refused."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from matching.network import Place
from tests.factories import ANDORRA_LA_VELLA, ENCAMP, tomorrow_at
from trips.errors import ValidationError
from trips.models import Offer
from trips.services.rides import offer_publish


def test_route_is_computed_and_stored(ride):
    assert 5_000 < ride.distance_m < 12_000  # Encamp → Andorra la Vella by the CG-2
    assert 240 < ride.duration_s < 1_200
    assert ride.route.length > 0 and len(ride.route.coords) > 10
    assert ride.route.coords[0] == pytest.approx((ride.origin.x, ride.origin.y))
    assert ride.cost_per_km == Decimal("0.080") and ride.seats_left == 3
    assert ride.reach.contains(ride.origin) and ride.reach.contains(ride.destination)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"departure_at": timezone.now() - timedelta(hours=1)}, "departure_at"),
        ({"seats": 0}, "seats"),
        ({"seats": 9}, "seats"),
        ({"cost_per_km": Decimal("0.50")}, "cost_per_km"),  # above the territory's 0.12
        ({"cost_per_km": Decimal("-0.01")}, "cost_per_km"),
        ({"max_detour_ratio": Decimal("1.5")}, "max_detour_ratio"),
        ({"origin": Place(2.35, 48.85, "Paris")}, "origin"),  # far outside the road graph
        ({"destination": Place(float("nan"), 42.5)}, "destination"),
        ({"destination": ENCAMP}, "destination"),  # same place
    ],
)
def test_bad_input_is_a_field_error_and_nothing_is_saved(in_alpha, changes, field):
    values = {
        "driver": in_alpha["driver"],
        "origin": ENCAMP,
        "destination": ANDORRA_LA_VELLA,
        "departure_at": tomorrow_at(8),
    }
    with pytest.raises(ValidationError) as error:
        offer_publish(**{**values, **changes})
    assert field in error.value.message_dict
    assert not Offer.objects.exists()
