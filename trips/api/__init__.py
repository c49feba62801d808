"""REST API for rides and bookings (`/api/v1/…`, routes in trips/urls.py), thin over services
and selectors; one module per use case:

- `trips.api.offers`: one-off rides (`Offers`, `OfferDetail`, `OfferCancel`);
- `trips.api.regular`: weekly rides (`RegularRides`, `RegularRideDetail`, `RegularRideCancel`);
- `trips.api.search`: `Search`, with `SearchQuerySerializer` and `search_of`;
- `trips.api.bookings`: `Bookings`, `BookingAction`, `BookingConfirm`;
- `trips.api.alerts`: `Alerts`, `AlertDetail`;
- `trips.api.shared`: the serializers several of them use."""
