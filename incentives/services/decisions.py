"""The moderators' decisions on journeys: a held journey released (then computed) or refused
(nothing paid), a journey annulled as fraudulent or cancelled (every campaign's lines for it
reversed by new lines). Each decision names who took it and why."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict
from trips.models import Journey

from ..models import Annulment, Campaign, Hold, Line
from .accrual import journey_accrue


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why: the people concerned are told.")})
    return reason[:1000]


@transaction.atomic
def _decide(hold: Hold, moderator, status: str, reason: str) -> Hold:
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    if hold.status != Hold.Status.HELD:
        raise Conflict(_("This journey has already been decided on."))
    hold.status, hold.decision = status, reason
    hold.decided_by, hold.decided_at = moderator, timezone.now()
    hold.save()
    return hold


def hold_release(hold: Hold, *, moderator, reason: str) -> Hold:
    hold = _decide(hold, moderator, Hold.Status.RELEASED, _reason(reason))
    journey_accrue(hold.journey_id)
    return hold


def hold_refuse(hold: Hold, *, moderator, reason: str) -> Hold:
    return _decide(hold, moderator, Hold.Status.REFUSED, _reason(reason))


@transaction.atomic
def journey_annul(journey: Journey, *, moderator, reason: str) -> list[Line]:
    """No campaign pays the journey any more: a reversal line for each amount it holds."""
    reason = _reason(reason)
    if Annulment.objects.filter(journey=journey).exists():
        raise Conflict(_("This journey is already annulled."))
    Annulment.objects.create(journey=journey, reason=reason, by=moderator)
    held = {
        c.pk: c
        for c in Campaign.objects.select_for_update()
        .filter(pk__in=Line.objects.filter(journey=journey).values("campaign_id"))
        .order_by("pk")
    }
    net = (
        Line.objects.filter(journey=journey)
        .values("campaign_id", "person_id", "role")
        .annotate(s=Sum("amount"))
        .order_by("campaign_id", "person_id", "role")
    )
    reversed_ = []
    for row in net:
        if not row["s"]:
            continue
        reversed_.append(
            Line.objects.create(
                campaign=held[row["campaign_id"]],
                journey=journey,
                person_id=row["person_id"],
                role=row["role"],
                kind=Line.Kind.REVERSAL,
                amount=-row["s"],
                explanation=_("Journey annulled by a moderator: %(reason)s") % {"reason": reason},
                journey_at=journey.pickup_at,
            )
        )
        Campaign.objects.filter(pk=row["campaign_id"]).update(spent=F("spent") - row["s"])
    return reversed_
