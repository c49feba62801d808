import pytest
from django_tenants.utils import schema_context

from trips.models import Journey
from trips.services.journeys import booking_confirm

from ..trips.conftest import in_alpha, ride  # noqa: F401
from ..trips.test_confirm import done  # noqa: F401


@pytest.fixture
def journey(done, in_alpha):  # noqa: F811
    """A journey Alpha's citizen (passenger) took with Alpha's driver, 20 minutes ago."""
    booking_confirm(done, by=in_alpha["citizen"])
    booking_confirm(done, by=in_alpha["driver"])
    with schema_context(in_alpha.territory.schema_name):
        return Journey.objects.get(booking=done)
