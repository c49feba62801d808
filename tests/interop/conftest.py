# The rides fixtures of the carpool tests, for journeys made through the real services.
from ..trips.conftest import in_alpha, ride  # noqa: F401
