"""Writes for rides and bookings, one module per use case. Run inside the territory's schema
(request or `schema_context`). Field problems raise ValidationError (400), state problems
Conflict (409).

- `trips.services.rides`: publishing a one-off ride (`offer_publish`, with `RideTerms`,
  `ride_fields`, `departure_offer`, `active_window`) and changing it (`offer_update`,
  `offer_cancel`, the moderators' `offer_withdraw`).
- `trips.services.regular`: weekly rides (`regular_ride_publish`, `regular_ride_cancel`).
- `trips.services.bookings`: `booking_request`, `booking_decide`, `booking_cancel`.
- `trips.services.journeys`: after the ride, `booking_confirm` with a `JourneyReport`; both
  sides' confirmations make a `Journey`.
- `trips.services.searches`: `search_logged`, the anonymous trace of a search.

Code of this app imports from those modules. The names are also re-exported here, so that the
apps above (interop, trust) can keep writing `from trips.services import booking_request`."""

from .bookings import booking_cancel, booking_decide, booking_request
from .journeys import JourneyReport, booking_confirm
from .regular import (
    MAX_SCHEDULE_DAYS,
    regular_ride_cancel,
    regular_ride_publish,
    schedule_departures,
)
from .rides import (
    RideTerms,
    active_window,
    departure_offer,
    offer_cancel,
    offer_publish,
    offer_update,
    offer_withdraw,
    ride_fields,
)
from .searches import search_logged

__all__ = [
    "MAX_SCHEDULE_DAYS",
    "JourneyReport",
    "RideTerms",
    "active_window",
    "booking_cancel",
    "booking_confirm",
    "booking_decide",
    "booking_request",
    "departure_offer",
    "offer_cancel",
    "offer_publish",
    "offer_update",
    "offer_withdraw",
    "regular_ride_cancel",
    "regular_ride_publish",
    "ride_fields",
    "schedule_departures",
    "search_logged",
]
