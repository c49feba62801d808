"""What `trips` announces to the apps above it (docs/ARCHITECTURE.md, "Lower floors announce,
higher floors listen"). trips never imports those apps: they connect receivers to these signals
in their `AppConfig.ready()`.

- `acting` is sent before someone publishes or books here, with `user`. A receiver refuses by
  raising `core.errors.Conflict` (trust: suspended or banned people), which the service lets
  through, so nothing is written.
- `booking_changed` is sent inside the transaction of every change of a booking, with
  `booking` and `event` (the keys of `trips.notifications.EVENTS`). Receivers defer their side
  effects with `transaction.on_commit` (interop: tell the partner the booking came through).
- `journey_recorded` is sent inside the transaction that records a journey (both occupants
  confirmed), with `journey`. Receivers defer their work past the commit (incentives: the
  campaigns compute what they owe through the outbox).
"""

from django.dispatch import Signal

acting = Signal()
booking_changed = Signal()
journey_recorded = Signal()
