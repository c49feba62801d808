"""Campaigns: drafted, simulated, activated (rules frozen: only the budget may grow and the
end be brought forward), closed — every change written in the campaign's audit log."""

from __future__ import annotations

import json
import time
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict

from ..compute import lines_owed, summary
from ..iban import iban_checked
from ..models import Campaign, CampaignEvent, Simulation
from ..rules import RulesError, cents, rules_read
from ..selectors import campaign_context, history_until, known_areas, spent

FIELDS = (
    "name",
    "starts_on",
    "ends_on",
    "budget",
    "paid",
    "funder_name",
    "funder_siret",
    "funder_iban",
    "funder_bic",
)
THRESHOLDS = [80, 100]


def roles_paid(campaign: Campaign) -> tuple[int, ...]:
    return tuple(i for i, role in enumerate(("driver", "passenger")) if campaign.pays(role))


def campaign_errors(data: dict, rules: dict) -> dict[str, str]:
    """Every problem of a campaign's fields and rules, by field."""
    errors: dict[str, str] = {}
    first, last = data.get("starts_on"), data.get("ends_on")
    if first and last and last < first:
        errors["ends_on"] = _("The campaign ends after it starts.")
    budget = data.get("budget")
    if budget is not None and budget <= 0:
        errors["budget"] = _("A budget is more than 0 €.")
    siret = str(data.get("funder_siret") or "")
    if siret and not (siret.isdigit() and len(siret) == 14 and siret_checks(siret)):
        errors["funder_siret"] = _("A SIRET is 14 digits (its check digit does not match).")
    if data.get("funder_iban"):
        try:
            iban_checked(data["funder_iban"])
        except ValueError as exc:
            errors["funder_iban"] = _("Not a valid IBAN: %(why)s") % {"why": exc}
    thresholds = data.get("thresholds") or []
    if any(not 1 <= t <= 100 for t in thresholds):
        errors["thresholds"] = _("Thresholds are percentages from 1 to 100.")
    try:
        rules_read(rules, known_areas=set(known_areas()))
    except RulesError as exc:
        errors.update(exc.errors)
    return errors


def siret_checks(digits: str) -> bool:
    """The SIRET's check digit (Luhn; La Poste's establishments excepted)."""
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0 or digits.startswith("356000000")  # La Poste's SIRETs


def _event(campaign: Campaign, by, action: str, detail: str = "") -> None:
    CampaignEvent.objects.create(campaign=campaign, by=by, action=action, detail=detail)


@transaction.atomic
def campaign_create(*, by, rules: dict, **data) -> Campaign:
    errors = campaign_errors(data, rules)
    if errors:
        raise ValidationError(errors)
    campaign = Campaign.objects.create(
        **{k: data[k] for k in FIELDS},
        thresholds=sorted(
            set(THRESHOLDS if data.get("thresholds") is None else data["thresholds"])
        ),
        rules=rules,
        created_by=by,
    )
    _event(campaign, by, "created", json.dumps(rules, ensure_ascii=False, sort_keys=True))
    return campaign


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


@transaction.atomic
def campaign_update(campaign: Campaign, *, by, rules: dict, **data) -> Campaign:
    """A draft changes freely; an active campaign only grows its budget and brings its end
    forward (its rules are frozen); a closed one does not change."""
    campaign = _locked(campaign)
    if campaign.status == Campaign.Status.CLOSED:
        raise Conflict(_("A closed campaign does not change."))
    if campaign.status == Campaign.Status.ACTIVE:
        return _active_update(campaign, by, data)
    errors = campaign_errors(data, rules)
    if errors:
        raise ValidationError(errors)
    changed = [k for k in FIELDS if getattr(campaign, k) != data[k]]
    for k in FIELDS:
        setattr(campaign, k, data[k])
    if data.get("thresholds") is not None:
        campaign.thresholds = sorted(set(data["thresholds"]))
    if rules != campaign.rules:
        changed.append("rules")
        campaign.rules = rules
    campaign.save()
    if changed:
        _event(
            campaign,
            by,
            "changed",
            json.dumps(
                {k: str(getattr(campaign, k)) if k != "rules" else rules for k in changed},
                ensure_ascii=False,
                sort_keys=True,
            ),
        )
    return campaign


def _active_update(campaign: Campaign, by, data: dict) -> Campaign:
    errors: dict[str, str] = {}
    budget, ends_on = data.get("budget", campaign.budget), data.get("ends_on", campaign.ends_on)
    if budget < campaign.budget:
        errors["budget"] = _("An active campaign's budget may only grow (now %(b)s €).") % {
            "b": campaign.budget
        }
    if ends_on > campaign.ends_on:
        errors["ends_on"] = _("An active campaign's end may only be brought forward.")
    elif ends_on < max(campaign.starts_on, timezone.localdate()):
        errors["ends_on"] = _("The end cannot be before today or the campaign's start.")
    frozen = [
        k
        for k in FIELDS
        if k not in ("budget", "ends_on") and k in data and data[k] != getattr(campaign, k)
    ]
    for k in frozen:
        errors[k] = _("An active campaign's rules are frozen.")
    if errors:
        raise ValidationError(errors)
    detail = []
    if budget != campaign.budget:
        detail.append(f"budget {campaign.budget} → {budget}")
        campaign.budget = budget
    if ends_on != campaign.ends_on:
        detail.append(f"ends_on {campaign.ends_on} → {ends_on}")
        campaign.ends_on = ends_on
    campaign.save()
    if detail:
        _event(campaign, by, "changed", "; ".join(detail))
    return campaign


@transaction.atomic
def campaign_activate(campaign: Campaign, *, by) -> Campaign:
    campaign = _locked(campaign)
    if campaign.status != Campaign.Status.DRAFT:
        raise Conflict(_("Only a draft can be activated."))
    if campaign.ends_on < timezone.localdate():
        raise Conflict(_("This campaign's period is over: change its dates first."))
    errors = campaign_errors({"budget": campaign.budget}, campaign.rules)
    if errors:
        raise ValidationError(errors)
    campaign.status, campaign.activated_at = Campaign.Status.ACTIVE, timezone.now()
    campaign.save()
    _event(campaign, by, "activated")
    return campaign


@transaction.atomic
def campaign_close(campaign: Campaign, *, by) -> Campaign:
    campaign = _locked(campaign)
    if campaign.status != Campaign.Status.ACTIVE:
        raise Conflict(_("Only an active campaign can be closed."))
    campaign.status, campaign.closed_at = Campaign.Status.CLOSED, timezone.now()
    campaign.save()
    _event(campaign, by, "closed", f"spent {spent(campaign)} €")
    return campaign


@transaction.atomic
def campaign_delete(campaign: Campaign) -> None:
    if campaign.status != Campaign.Status.DRAFT:
        raise Conflict(_("Only a draft can be deleted; close an active campaign instead."))
    campaign.delete()


def simulate(campaign: Campaign, first: date, last: date, *, by=None) -> Simulation:
    """The campaign's rules run on the territory's journeys of [first, last] as if it had been
    active then, with its budget; the result is kept for comparison."""
    if last < first:
        raise ValidationError({"last": _("The period ends after it starts.")})
    started = time.perf_counter()
    rules = rules_read(campaign.rules)
    table = history_until(last)
    shifted = Campaign(starts_on=first, ends_on=last)
    context = campaign_context(shifted, rules, table)
    budget = cents(campaign.budget)
    lines = lines_owed(table, rules, context, roles_paid(campaign), budget)
    result = summary(table, lines, budget)
    result["budget_cents"] = budget
    return Simulation.objects.create(
        campaign=campaign,
        first=first,
        last=last,
        result=result,
        seconds=round(time.perf_counter() - started, 3),
        by=by,
    )
