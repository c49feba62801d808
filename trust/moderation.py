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
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.errors import Conflict
from notifications.models import Kind
from notifications.services import notify

from .models import AuditEntry, Report, ReportReason, Sanction

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


def moderators():
    from tenants.members.models import Membership, Role

    return [
        m.user
        for m in Membership.objects.filter(
            Q(roles__contains=[Role.TERRITORY_ADMIN]) | Q(roles__contains=[Role.MODERATOR])
        ).select_related("user")
    ]


# --- restrictions --------------------------------------------------------------------------
def active_sanction(user) -> Sanction | None:
    """A suspension still running, or a ban, in this territory."""
    now = timezone.now()
    return (
        Sanction.objects.filter(user=user, lifted_at__isnull=True)
        .filter(Q(kind=Sanction.Kind.BAN) | Q(kind=Sanction.Kind.SUSPENSION, until__gt=now))
        .first()
    )


def is_banned(user) -> bool:
    return Sanction.objects.filter(
        user=user, kind=Sanction.Kind.BAN, lifted_at__isnull=True
    ).exists()


def ensure_can_act(user, **_signal) -> None:
    """Refuse publishing and booking to someone suspended or banned here."""
    sanction = active_sanction(user) if user.is_authenticated else None
    if sanction is None:
        return
    if sanction.kind == Sanction.Kind.BAN:
        raise Conflict(_("You cannot use this territory's site."))
    until = formats.date_format(timezone.localtime(sanction.until), "j F Y H:i")
    raise Conflict(
        _("Your account is suspended in this territory until %(date)s.") % {"date": until}
    )


# --- reports -------------------------------------------------------------------------------
def report_subject(reporter, *, person_id=None, offer_id=None, message_id=None):
    """(person, ride, message) a report may be about, or None: the ride names its driver and
    the message its author; a message only from one of the reporter's own conversations; a
    person this territory knows (a member, or the author of the ride or message)."""
    from django.contrib.auth import get_user_model

    from tenants.members.models import Membership
    from trips.conversations import participants
    from trips.models import Message, Offer

    offer = Offer.objects.filter(pk=offer_id).select_related("driver").first()
    message = Message.objects.filter(pk=message_id).select_related("author", "conversation").first()
    if message is not None and reporter.pk not in participants(message.conversation):
        return None
    person_id = person_id or (offer.driver_id if offer else None)
    person_id = person_id or (message.author_id if message else None)
    person = get_user_model().objects.filter(pk=person_id).first() if person_id else None
    if person is None or person.deleted_at:
        return None
    known = (
        Membership.objects.filter(user=person).exists()
        or (offer is not None and offer.driver_id == person.pk)
        or (message is not None and message.author_id == person.pk)
    )
    return (person, offer, message) if known else None


@transaction.atomic
def report_make(reporter, *, reported, reason: str, text: str = "", offer=None, message=None):
    """A report of a person, possibly about one of their rides or messages."""
    from trips.conversations import participants

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
    for moderator in moderators():
        if moderator.pk != reported.pk:
            notify(
                moderator,
                Kind.MODERATION,
                gettext_noop("New report to examine about %(name)s"),
                {"name": reported.display_name},
                reverse("moderation_report", args=[report.pk]),
            )
    return report


# --- the desk ------------------------------------------------------------------------------
@transaction.atomic
def decide(
    moderator,
    *,
    action: str,
    reason: str,
    report: Report | None = None,
    user=None,
    days: int | None = None,
) -> AuditEntry:
    """A moderator's action on a report (or directly on a person, from a signal), with its
    reason: applied, logged, and told to the people concerned."""
    from tenants.members.models import Membership
    from trips.services import offer_withdraw

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for this decision.")})
    if report is not None:
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != Report.Status.OPEN:
            raise Conflict(_("This report was already decided."))
        user = report.reported
    if user is None:
        raise ValidationError({"action": _("Whom is this decision about?")})
    if user.pk == moderator.pk:
        raise Conflict(_("You cannot moderate yourself."))
    if action != Action.DISMISS:
        _ensure_may_sanction(moderator, user, action)
    offer = report.offer if report else None
    until = None
    if action == Action.DISMISS:
        if report is None:
            raise ValidationError({"action": _("Only a report can be dismissed.")})
    elif action == Action.WARN:
        Sanction.objects.create(
            user=user, kind=Sanction.Kind.WARNING, reason=reason, report=report, by=moderator
        )
        _tell(user, gettext_noop("The moderators warn you: %(reason)s"), reason)
    elif action == Action.HIDE_RIDE:
        if offer is None:
            raise ValidationError({"action": _("This report is not about a ride.")})
        offer_withdraw(offer, reason=_("Removed by the moderators."))
        _tell(user, gettext_noop("The moderators removed one of your rides: %(reason)s"), reason)
    elif action == Action.SUSPEND:
        if not days or not 1 <= days <= MAX_SUSPENSION_DAYS:
            raise ValidationError({"days": _("From 1 to %(n)d days.") % {"n": MAX_SUSPENSION_DAYS}})
        until = timezone.now() + timedelta(days=days)
        Sanction.objects.create(
            user=user,
            kind=Sanction.Kind.SUSPENSION,
            until=until,
            reason=reason,
            report=report,
            by=moderator,
        )
        _tell(
            user,
            gettext_noop("You are suspended in this territory until %(until)s: %(reason)s"),
            reason,
            until=formats.date_format(timezone.localtime(until), "j F Y"),
        )
    elif action == Action.BAN:
        Sanction.objects.create(
            user=user, kind=Sanction.Kind.BAN, reason=reason, report=report, by=moderator
        )
        _tell(user, gettext_noop("You are banned from this territory: %(reason)s"), reason)
        Membership.objects.filter(user=user).delete()
    else:
        raise ValidationError({"action": _("Choose an action from the list.")})
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
        offer_id=offer.pk if offer else None,
        reason=reason + (f" (→ {until:%Y-%m-%d})" if until else ""),
    )


@transaction.atomic
def lift(moderator, sanction: Sanction, reason: str) -> AuditEntry:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for this decision.")})
    if sanction.lifted_at:
        raise Conflict(_("This measure was already lifted."))
    if sanction.user_id == moderator.pk:
        raise Conflict(_("You cannot moderate yourself."))
    sanction.lifted_at = timezone.now()
    sanction.save(update_fields=["lifted_at"])
    return AuditEntry.objects.create(
        actor=moderator, action=Action.LIFT, target_user=sanction.user, reason=reason
    )


@transaction.atomic
def charter_update(moderator, text: str) -> None:
    """The territory's charter, changed by a moderator (logged)."""
    from themes.models import TerritorySettings
    from themes.services import settings_get

    TerritorySettings.objects.filter(pk=settings_get().pk).update(charter=text)
    AuditEntry.objects.create(
        actor=moderator, action="charter", reason=_("The charter was changed.")
    )


def _ensure_may_sanction(moderator, user, action: str) -> None:
    """Moderators do not sanction administrators (only administrators do), and the last
    administrator of a territory is never banned."""
    from tenants.members.models import Membership, Role

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
