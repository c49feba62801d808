"""RDEX+ 2.0.1 (data/specs/rdexplus_openapi.yaml), served by each territory under
`/interop/rdexplus/v2/`: `GET /journeys` (drivers' punctual and regular journeys), bookings and
messages, on the same partner keys (header `api_key`, `X-API-Key` or Bearer), limits and access
log as standard covoiturage, with RDEX+'s error body `{"errorCode", "errorMessage"}`. Same
minimum data: alias and pseudonymous id, the driver's ends rounded to about a kilometre.
`views` (HTTP), `parsing` (the spec's parameters and JSON shapes ↔ the domain), `services`
(bookings through a partner)."""
