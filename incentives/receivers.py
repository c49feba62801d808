"""What incentives does when lower floors announce something (their signals, connected in
apps.py), and its outbox kind."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy

from notifications import outbox

from .selectors import active_campaigns_on, registry_items
from .services.accrual import journey_accrue


@outbox.handler("incentives.accrue", gettext_lazy("Incentives of a journey"), immediate=True)
def _accrue(payload: dict, _key: str) -> None:
    journey_accrue(payload["journey"])


def journey_recorded(journey, **_signal) -> None:
    """A carpool journey is recorded: the campaigns compute it after commit (through the
    outbox, so that a failure is retried and never fails the confirmation)."""
    day = timezone.localdate(journey.pickup_at)
    if journey.kind == journey.Kind.CARPOOL and active_campaigns_on(day).exists():
        outbox.enqueue("incentives.accrue", {"journey": journey.pk})


def registry_incentives(journey, **_signal) -> list[dict]:
    return registry_items(journey)
