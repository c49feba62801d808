"""The live ledger: what each active campaign owes the people of a carpool journey, computed
when the journey is recorded and again when a moderator releases it. A computation appends the
difference with what the ledger already holds, with its explanation; caps and the budget are
read from the ledger under a lock on the campaign, so two journeys accrued at the same moment
never both take its last euros."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from notifications.services import notify
from tenants.members.models import Membership, Role
from trips.models import Journey

from ..compute import REASONS, failures, lines_before_caps
from ..models import Campaign, Hold, Line
from ..rules import Rules, cents, euros, km_text, rate_text, rules_read
from ..selectors import (
    active_campaigns_on,
    campaign_context,
    hold_of,
    is_annulled,
    journey_lines,
    ledger_sums,
    people_history,
    spent,
    territory_country,
)
from .campaigns import roles_paid

ROLES = ("driver", "passenger")

# Why a journey is not paid, said to the person (compute.REASONS).
NOT_PAID = {
    "distance_min": gettext_lazy("journey shorter than the campaign's minimum"),
    "distance_max": gettext_lazy("journey longer than the campaign's maximum"),
    "areas": gettext_lazy("journey outside the campaign's areas"),
    "polygon": gettext_lazy("journey outside the campaign's zone"),
    "weekday": gettext_lazy("day not covered by the campaign"),
    "hours": gettext_lazy("time not covered by the campaign"),
    "holiday": gettext_lazy("public holiday"),
    "proof": gettext_lazy("proof class too low"),
    "short": gettext_lazy("journey under 2 km (registry's rule)"),
    "cooldown": gettext_lazy("too soon after the same driver and passenger's last journey"),
    "partner": gettext_lazy("booked through a partner's app, which pays its own users"),
    "nothing": gettext_lazy("no amount for this journey"),
}
CAPPED = {
    "day_trips": gettext_lazy("daily cap on trips reached"),
    "month_trips": gettext_lazy("monthly cap on trips reached"),
    "cap_journey": gettext_lazy("cap per journey"),
    "cap_month": gettext_lazy("monthly cap reached"),
    "cap_year": gettext_lazy("yearly cap reached"),
    "budget": gettext_lazy("campaign budget used up"),
}


def _how(rules: Rules, journey: Journey) -> list[str]:
    """How the rules' amounts come to what they are, e.g. « 0,10 €/km × 18 km = 1,80 € »."""
    said = []
    pieces = [(rules.per_km, journey.distance_m)] if rules.per_km else []
    for low, high, rate in rules.bands:
        pieces.append((rate, min(max(journey.distance_m, low), high) - low))
    for rate, metres in pieces:
        if metres > 0:
            amount = (metres * rate + 5000) // 10000
            said.append(f"{rate_text(rate)} × {km_text(metres)}\u00a0km = {euros(amount)}")
    if rules.per_journey:
        said.append(_("%(amount)s per journey") % {"amount": euros(rules.per_journey)})
    if rules.per_seat:
        said.append(
            _("%(amount)s × %(n)d seat(s)") % {"amount": euros(rules.per_seat), "n": journey.seats}
        )
    return said


def _owed_now(rules: Rules, raw: int, sums, campaign: Campaign) -> tuple[int, str | None]:
    """The raw amount within the caps, given the ledger's sums; and the cap that bit."""
    if rules.cap_day_trips and sums.day_trips >= rules.cap_day_trips:
        return 0, "day_trips"
    if rules.cap_month_trips and sums.month_trips >= rules.cap_month_trips:
        return 0, "month_trips"
    owed, bit = raw, None
    limits = (
        (rules.cap_journey, "cap_journey"),
        (None if rules.cap_month is None else rules.cap_month - cents(sums.month), "cap_month"),
        (None if rules.cap_year is None else rules.cap_year - cents(sums.year), "cap_year"),
        (cents(campaign.budget) - cents(sums.campaign), "budget"),
    )
    for limit, name in limits:
        if limit is not None and owed > max(limit, 0):
            owed, bit = max(limit, 0), name
    return owed, bit


def _explain(rules, journey, raw: int, bonus: int, owed: int, reason: str | None) -> str:
    if reason in NOT_PAID:
        return _("Not paid: %(why)s.") % {"why": NOT_PAID[reason]}
    parts = _how(rules, journey)
    if bonus:
        parts.append(_("newcomer's bonus %(amount)s") % {"amount": euros(bonus)})
    text = " + ".join(parts)
    if len(parts) > 1:
        text += f" = {euros(raw)}"
    if reason in CAPPED:
        paid = ngettext("%(cap)s: %(amount)s paid", "%(cap)s: %(amount)s paid", owed // 100)
        text += "\u00a0; " + paid % {"cap": CAPPED[reason], "amount": euros(owed)}
    return text


def journey_accrue(journey_id: int) -> list[Line]:
    """Compute what every active campaign owes for the journey now and append what differs
    from the ledger. Held, refused and annulled journeys get nothing (yet)."""
    journey = Journey.objects.filter(pk=journey_id, kind=Journey.Kind.CARPOOL).first()
    if journey is None or is_annulled(journey):
        return []
    day = timezone.localdate(journey.pickup_at)
    with transaction.atomic():
        # One lock per campaign, always in the same order: caps and budgets hold.
        campaigns = list(active_campaigns_on(day).select_for_update())
        if not campaigns:
            return []
        hold = hold_of(journey)
        if hold is not None and hold.status != Hold.Status.RELEASED:
            return []
        table = people_history(journey)
        row = int(np.flatnonzero(table.id == journey.pk)[0])
        prepared, country = [], territory_country()
        for campaign in campaigns:
            rules = rules_read(campaign.rules)
            context = campaign_context(campaign, rules, table, country)
            prepared.append((campaign, rules, context))
        if hold is None and any(
            rules.registry_anomalies and failures(table, rules, context)["held"][row]
            for _campaign, rules, context in prepared
        ):
            _hold(journey)
            return []
        written, held = [], journey_lines(journey)
        for campaign, rules, context in prepared:
            own = held.get(campaign.pk, {})
            written += _accrue_one(campaign, rules, context, table, row, journey, hold, own)
    for campaign in campaigns:
        _warn_thresholds(campaign)
    return written


def _hold(journey: Journey) -> None:
    Hold.objects.create(
        journey=journey,
        reason=_(
            "The registry's anomaly rules flag it: more than 4 journeys in a day, or less "
            "than 30 minutes after the previous one."
        ),
    )


def _accrue_one(campaign, rules, context, table, row, journey, hold, own) -> list[Line]:
    roles = roles_paid(campaign)
    lines = lines_before_caps(table, rules, context, roles, released=hold is not None)
    written = []
    for i in np.flatnonzero(lines.journey == row):
        role, raw, bonus = int(lines.role[i]), int(lines.raw[i]), int(lines.bonus[i])
        reason = REASONS[lines.reason[i]] if lines.reason[i] >= 0 else None
        person = journey.driver_id if role == 0 else journey.passenger_id
        owed = 0
        if reason is None:
            # The budget left out of this line's own earlier amount only: the journey's other
            # line is spending like any other.
            sums = ledger_sums(campaign, person, journey, own.get((person, ROLES[role]), 0))
            owed, reason = _owed_now(rules, raw, sums, campaign)
        explanation = _explain(rules, journey, raw, bonus, owed, reason)
        line = _append(campaign, journey, person, ROLES[role], raw, owed, explanation, own)
        if line is not None:
            written.append(line)
    if written:  # the campaign's spending moves with its lines, in the same transaction
        written = Line.objects.bulk_create(written)
        moved = sum((line.amount for line in written), Decimal(0))
        Campaign.objects.filter(pk=campaign.pk).update(spent=F("spent") + moved)
    return written


def _append(campaign, journey, person, role, raw, owed, explanation, own) -> Line | None:
    """The difference between what is owed now and what the ledger holds, as a new line, not
    saved yet: the caller writes a campaign's lines at once, with its spending."""
    key = (person, role)
    amount = Decimal(owed) / 100 - own.get(key, Decimal(0))
    if key in own and amount == 0:
        return None
    line = Line(
        campaign=campaign,
        journey=journey,
        person_id=person,
        role=role,
        kind=Line.Kind.ADJUSTMENT if key in own else Line.Kind.ACCRUAL,
        raw_cents=raw,
        amount=amount,
        explanation=explanation,
        journey_at=journey.pickup_at,
    )
    campaign.spent += amount
    return line


def _warn_thresholds(campaign: Campaign) -> None:
    """Tell the territory's admins and incentive managers when the spending crosses one of
    the campaign's thresholds (each once)."""
    if not campaign.thresholds or campaign.warned_percent >= max(campaign.thresholds):
        return
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        percent = int(spent(campaign) * 100 / campaign.budget)
        crossed = [t for t in campaign.thresholds if campaign.warned_percent < t <= percent]
        if not crossed:
            return
        campaign.warned_percent = max(crossed)
        campaign.save(update_fields=["warned_percent"])
        for membership in Membership.objects.filter(
            roles__overlap=[Role.TERRITORY_ADMIN, Role.INCENTIVE_MANAGER]
        ).select_related("user"):
            notify(
                membership.user,
                "incentive",
                gettext_noop("The campaign “%(name)s” has used %(percent)d%% of its budget."),
                {"name": campaign.name, "percent": max(crossed)},
                link=f"/incentives/{campaign.pk}/",
            )
