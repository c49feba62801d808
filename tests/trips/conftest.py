from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from matching.network import Place
from trips.services.rides import offer_publish

# Real places on the Andorra road network.
ENCAMP = Place(1.5800, 42.5360, "Encamp")
ANDORRA_LA_VELLA = Place(1.5215, 42.5070, "Andorra la Vella")
ESCALDES = Place(1.5410, 42.5100, "Escaldes-Engordany")
CANILLO = Place(1.5975, 42.5670, "Canillo")
SANT_JULIA = Place(1.4910, 42.4650, "Sant Julià de Lòria")


def tomorrow_at(hour: int, minute: int = 0):
    local = timezone.localtime() + timedelta(days=1)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


@pytest.fixture
def in_alpha(alpha):
    with schema_context(alpha.territory.schema_name):
        yield alpha


@pytest.fixture
def ride(in_alpha):
    """Encamp → Andorra la Vella tomorrow at 08:00, 3 seats, by Alpha's driver."""
    return offer_publish(
        driver=in_alpha["driver"],
        origin=ENCAMP,
        destination=ANDORRA_LA_VELLA,
        departure_at=tomorrow_at(8),
    )
