import pytest
from django_tenants.utils import schema_context

from trips.models import Journey
from trips.services.journeys import booking_confirm


@pytest.fixture
def journey(done, in_alpha):
    """A journey Alpha's citizen (passenger) took with Alpha's driver, 20 minutes ago."""
    booking_confirm(done, by=in_alpha["citizen"])
    booking_confirm(done, by=in_alpha["driver"])
    with schema_context(in_alpha.territory.schema_name):
        return Journey.objects.get(booking=done)
