"""Standard covoiturage (1.0.0-alpha; data/specs/standard-covoiturage_openapi.yaml), served by
each territory under `/interop/standard-covoiturage/v1/`: `views` (HTTP), `parsing` (the spec's
parameters and JSON shapes ↔ the domain), `services` (bookings through a partner).

Searches go through the same selector and engine as the site. What partners receive is the
minimum the standard requires: a pseudonymous user id and the first name as alias (no full
name, no phone), the driver's departure and arrival rounded to about a kilometre, the exact
pickup and drop-off points the passenger asked for."""
