"""Reports and the moderation desk: a person reports someone (a ride, a message); the
territory's moderators (its admins and moderators) act — dismiss, warn, hide a ride, suspend
or ban in this territory — always with a reason, written to the audit log; the person
concerned and the reporter are told. A suspended person cannot publish nor book here; a
banned one is no longer a member and cannot join again. Nothing leaks to other territories:
sanctions and reasons live in this territory's schema."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.errors import Conflict
from notifications.models import Kind
from notifications.services import notify
from tenants.members.models import Membership, Role
from themes.models import TerritorySettings
from themes.selectors import settings_get
from trips.conversations import participants
from trips.services.rides import offer_withdraw

from .models import AuditEntry, Report, ReportReason, Sanction
from .selectors import moderators_list, person_known_here, sanction_in_force

MAX_SUSPENSION_DAYS = 365


class Action:
    DISMISS = "dismiss"
    WARN = "warn"
    HIDE_RIDE = "hide_ride"
    SUSPEND = "suspend"
    BAN = "ban"
    LIFT = "lift"

    CHOICES = [
        (DISMISS, gettext_lazy("Dismiss: nothing to do")),
        (WARN, gettext_lazy("Warn the person")),
        (HIDE_RIDE, gettext_lazy("Hide the reported ride")),
        (SUSPEND, gettext_lazy("Suspend the person in this territory")),
        (BAN, gettext_lazy("Ban the person from this territory")),
    ]


# What the reporter is told (not the moderator's reason, which concerns the person reported).
OUTCOMES = {
    Action.DISMISS: gettext_noop("Your report was examined: no action was needed."),
    Action.WARN: gettext_noop("Your report was examined: the person was warned."),
    Action.HIDE_RIDE: gettext_noop("Your report was examined: the ride was removed."),
    Action.SUSPEND: gettext_noop("Your report was examined: the person was suspended."),
    Action.BAN: gettext_noop("Your report was examined: the person was banned."),
}


# --- restrictions --------------------------------------------------------------------------
def ensure_can_act(user, **_signal) -> None:
    """Refuse publishing and booking to someone suspended or banned here."""
    sanction = sanction_in_force(user) if user.is_authenticated else None
    if sanction is None:
        return
    if sanction.kind == Sanction.Kind.BAN:
        raise Conflict(_("You cannot use this territory's site."))
    until = formats.date_format(timezone.localtime(sanction.until), "j F Y H:i")
    raise Conflict(
        _("Your account is suspended in this territory until %(date)s.") % {"date": until}
    )


# --- reports -------------------------------------------------------------------------------
@transaction.atomic
def report_make(reporter, *, reported, reason: str, text: str = "", offer=None, message=None):
    """A report of a person, possibly about one of their rides or messages."""
    if reported is None or reported.pk == reporter.pk:
        raise Conflict(_("You cannot report yourself."))
    if reason not in ReportReason.values:
        raise ValidationError({"reason": _("Choose a reason from the list.")})
    if offer is not None and offer.driver_id != reported.pk:
        raise ValidationError({"offer": _("This ride is not this person's.")})
    if message is not None and (
        message.author_id != reported.pk or reporter.pk not in participants(message.conversation)
    ):
        raise ValidationError({"message": _("You can only report a message sent to you.")})
    report = Report.objects.create(
        reporter=reporter,
        reported=reported,
        offer=offer,
        message=message,
        reason=reason,
        text=(text or "").strip()[:2000],
    )
    for moderator in moderators_list():
        if moderator.pk != reported.pk:
            notify(
                moderator,
                Kind.MODERATION,
                gettext_noop("New report to examine about %(name)s"),
                {"name": reported.display_name},
                reverse("moderation_report", args=[report.pk]),
            )
    return report


# --- the desk: one service per decision --------------------------------------------------
# Each decision on a report (or directly on a person, from a signal) has its reason: it is
# applied, written to the audit log, and told to the people concerned.


@transaction.atomic
def report_dismiss(
    moderator, *, reason: str, report: Report | None = None, user=None
) -> AuditEntry:
    """Nothing to do: the report is closed and its author told."""
    reason, report, user = _decision_open(moderator, Action.DISMISS, reason, report, user)
    if report is None:
        raise ValidationError({"action": _("Only a report can be dismissed.")})
    return _decision_close(moderator, Action.DISMISS, user, reason, report)


@transaction.atomic
def member_warn(moderator, *, reason: str, report: Report | None = None, user=None) -> AuditEntry:
    reason, report, user = _decision_open(moderator, Action.WARN, reason, report, user)
    told = gettext_noop("The moderators warn you: %(reason)s")
    _measure_take(moderator, user, Sanction.Kind.WARNING, reason, report, told)
    return _decision_close(moderator, Action.WARN, user, reason, report)


@transaction.atomic
def ride_hide(moderator, *, reason: str, report: Report | None = None, user=None) -> AuditEntry:
    """The reported ride is withdrawn (its passengers told as for any withdrawal)."""
    reason, report, user = _decision_open(moderator, Action.HIDE_RIDE, reason, report, user)
    offer = report.offer if report else None
    if offer is None:
        raise ValidationError({"action": _("This report is not about a ride.")})
    offer_withdraw(offer, reason=_("Removed by the moderators."))
    _tell(user, gettext_noop("The moderators removed one of your rides: %(reason)s"), reason)
    return _decision_close(moderator, Action.HIDE_RIDE, user, reason, report)


@transaction.atomic
def member_suspend(
    moderator, *, reason: str, days: int | None, report: Report | None = None, user=None
) -> AuditEntry:
    """No publishing nor booking in this territory for `days` days."""
    reason, report, user = _decision_open(moderator, Action.SUSPEND, reason, report, user)
    if not days or not 1 <= days <= MAX_SUSPENSION_DAYS:
        raise ValidationError({"days": _("From 1 to %(n)d days.") % {"n": MAX_SUSPENSION_DAYS}})
    until = timezone.now() + timedelta(days=days)
    told = gettext_noop("You are suspended in this territory until %(until)s: %(reason)s")
    _measure_take(moderator, user, Sanction.Kind.SUSPENSION, reason, report, told, until=until)
    return _decision_close(moderator, Action.SUSPEND, user, reason, report, until=until)


@transaction.atomic
def member_ban(moderator, *, reason: str, report: Report | None = None, user=None) -> AuditEntry:
    """Banned from this territory: no longer a member, and cannot join again."""
    reason, report, user = _decision_open(moderator, Action.BAN, reason, report, user)
    told = gettext_noop("You are banned from this territory: %(reason)s")
    _measure_take(moderator, user, Sanction.Kind.BAN, reason, report, told)
    Membership.objects.filter(user=user).delete()
    return _decision_close(moderator, Action.BAN, user, reason, report)


@transaction.atomic
def sanction_lift(moderator, sanction: Sanction, reason: str) -> AuditEntry:
    reason = _reason_given(reason)
    if sanction.lifted_at:
        raise Conflict(_("This measure was already lifted."))
    if sanction.user_id == moderator.pk:
        raise Conflict(_("You cannot moderate yourself."))
    sanction.lifted_at = timezone.now()
    sanction.save(update_fields=["lifted_at"])
    return AuditEntry.objects.create(
        actor=moderator, action=Action.LIFT, target_user=sanction.user, reason=reason
    )


def _reason_given(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for this decision.")})
    return reason


def _decision_open(moderator, action: str, reason: str, report: Report | None, user):
    """The common checks of a decision: its reason, the report still open (locked until the
    decision is written), the person it is about — not oneself, and one the moderator may
    take a measure against. Returns (reason, report, person)."""
    reason = _reason_given(reason)
    if report is not None:
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != Report.Status.OPEN:
            raise Conflict(_("This report was already decided."))
        user = report.reported
    if user is None:
        raise ValidationError({"action": _("Whom is this decision about?")})
    if person_known_here(user.pk) is None:  # never someone else's member (see the selector)
        raise Conflict(_("This person is not known in this territory."))
    if user.pk == moderator.pk:
        raise Conflict(_("You cannot moderate yourself."))
    if action != Action.DISMISS:
        _ensure_may_sanction(moderator, user, action)
    return reason, report, user


def _measure_take(moderator, user, kind: str, reason: str, report, told: str, until=None):
    """The measure kept in the person's record here, and the person told why (a suspension
    with its end date)."""
    Sanction.objects.create(
        user=user, kind=kind, until=until, reason=reason, report=report, by=moderator
    )
    params = {"until": formats.date_format(timezone.localtime(until), "j F Y")} if until else {}
    _tell(user, told, reason, **params)


def _decision_close(
    moderator, action: str, user, reason: str, report: Report | None, until=None
) -> AuditEntry:
    """The report (if any) closed and its author told the outcome; the audit entry."""
    if report is not None:
        report.status = (
            Report.Status.DISMISSED if action == Action.DISMISS else Report.Status.ACTIONED
        )
        report.decided_at = timezone.now()
        report.decision = OUTCOMES[action]
        report.save(update_fields=["status", "decided_at", "decision"])
        notify(report.reporter, Kind.MODERATION, OUTCOMES[action], {}, reverse("my_reports"))
    return AuditEntry.objects.create(
        actor=moderator,
        action=action,
        target_user=user,
        report=report,
        offer_id=report.offer_id if report else None,
        reason=reason + (f" (→ {until:%Y-%m-%d})" if until else ""),
    )


@transaction.atomic
def charter_update(moderator, text: str) -> None:
    """The territory's charter, changed by a moderator (logged)."""
    TerritorySettings.objects.filter(pk=settings_get().pk).update(charter=text)
    AuditEntry.objects.create(
        actor=moderator, action="charter", reason=_("The charter was changed.")
    )


def _ensure_may_sanction(moderator, user, action: str) -> None:
    """Moderators do not sanction administrators (only administrators do), and the last
    administrator of a territory is never banned."""
    membership = Membership.objects.filter(user=user).first()
    if membership is None or Role.TERRITORY_ADMIN not in membership.roles:
        return
    mine = Membership.objects.filter(user=moderator).first()
    if mine is None or Role.TERRITORY_ADMIN not in mine.roles:
        raise Conflict(_("Only an administrator can take a measure against an administrator."))
    admins = Membership.objects.filter(roles__contains=[Role.TERRITORY_ADMIN]).count()
    if action == Action.BAN and admins <= 1:
        raise Conflict(_("The territory's last administrator cannot be banned."))


def _tell(user, template: str, reason: str, **params) -> None:
    notify(user, Kind.MODERATION, template, {"reason": reason, **params}, "")
