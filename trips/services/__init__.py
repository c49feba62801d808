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

Callers import from those modules (`from trips.services.bookings import booking_request`)."""
