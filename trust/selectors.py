"""Reads of trust for its pages and services: the charter, the measures in force, the
territory's moderators, what a report may be about, reports and reviews as people see them,
the journeys one may still review and the facts vouched for on a profile."""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.models import Block
from tenants.members.models import Membership, Role
from themes.selectors import settings_get
from trips.conversations import participants
from trips.models import Journey, Message, Offer

from .models import AuditEntry, Report, Review, Sanction

REVIEW_DAYS = 14  # reviews are written within this many days of the arrival

# --- the charter ---------------------------------------------------------------------------
DEFAULT_CHARTER = gettext_lazy(
    "Carpooling here is sharing costs, not earning money: the price per kilometre is the "
    "territory's, with no commission.\n\n"
    "Be on time, or tell the other side as early as you can; cancel only when you must.\n\n"
    "Respect the people you travel with: no insult, harassment or discrimination. Drive "
    "safely and within the law.\n\n"
    "Publish only the rides you really drive, with true information.\n\n"
    "Report what goes wrong: the territory's moderators examine every report and may warn, "
    "suspend or ban a member; every decision has a reason, written in a log."
)


def charter_text() -> str:
    return settings_get().charter.strip() or str(DEFAULT_CHARTER)


# --- measures and moderators ---------------------------------------------------------------
def sanctions_in_force() -> QuerySet[Sanction]:
    """Suspensions still running and bans, not lifted, in this territory."""
    return (
        Sanction.objects.filter(lifted_at__isnull=True)
        .filter(
            Q(kind=Sanction.Kind.BAN) | Q(kind=Sanction.Kind.SUSPENSION, until__gt=timezone.now())
        )
        .select_related("user")
    )


def sanction_in_force(user) -> Sanction | None:
    """A suspension still running, or a ban, of `user` in this territory."""
    return sanctions_in_force().filter(user=user).first()


def ban_in_force(user) -> bool:
    return Sanction.objects.filter(
        user=user, kind=Sanction.Kind.BAN, lifted_at__isnull=True
    ).exists()


def sanctions_of(user) -> QuerySet[Sanction]:
    """Every measure taken about a person here, lifted or not."""
    return Sanction.objects.filter(user=user)


def moderators_list() -> list:
    """The territory's admins and moderators (the people told of a new report)."""
    return [
        m.user
        for m in Membership.objects.filter(
            Q(roles__contains=[Role.TERRITORY_ADMIN]) | Q(roles__contains=[Role.MODERATOR])
        ).select_related("user")
    ]


def audit_entries() -> QuerySet[AuditEntry]:
    """Every decision, newest first (the page shows them 50 at a time)."""
    return AuditEntry.objects.select_related("actor", "target_user").order_by("-at", "-pk")


# --- reports -------------------------------------------------------------------------------
def report_subject(reporter, *, person_id=None, offer_id=None, message_id=None):
    """(person, ride, message) a report may be about, or None: the ride names its driver and
    the message its author; a message only from one of the reporter's own conversations; a
    person this territory knows (a member, or the author of the ride or message)."""
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


def reports_open() -> QuerySet[Report]:
    return Report.objects.filter(status=Report.Status.OPEN).select_related(
        "reporter", "reported", "offer"
    )


def reports_decided(limit: int = 20) -> QuerySet[Report]:
    return Report.objects.exclude(status=Report.Status.OPEN).select_related("reported")[:limit]


def reports_by(reporter) -> QuerySet[Report]:
    return Report.objects.filter(reporter=reporter).select_related("reported")


def reports_earlier(report: Report, limit: int = 10) -> QuerySet[Report]:
    """The other reports about the person a report is about."""
    return Report.objects.filter(reported=report.reported).exclude(pk=report.pk)[:limit]


# --- reviews, profiles, blocks -------------------------------------------------------------
def person_known_here(user_id: int | None):
    """The person this territory's moderators may act on: a member, or someone who was one and
    is named in its reports or measures (a banned person, say); anyone else is None, exactly
    as an unknown id — the moderators of one territory never reach the rest of the archipel."""
    if user_id is None:
        return None
    known = (
        Membership.objects.filter(user_id=user_id).exists()
        or Report.objects.filter(reported_id=user_id).exists()
        or Sanction.objects.filter(user_id=user_id).exists()
    )
    if not known:
        return None
    return get_user_model().objects.filter(pk=user_id, deleted_at__isnull=True).first()


def member_exists(user_id: int) -> bool:
    """Whether the person is a member of this territory (the only people found from here)."""
    return Membership.objects.filter(user_id=user_id).exists()


def reviews_about(person) -> QuerySet[Review]:
    """The reviews about a person that everyone sees (not hidden by a moderator)."""
    return Review.objects.filter(subject=person, hidden_at__isnull=True).select_related(
        "author", "journey"
    )


def reviews_by(author) -> QuerySet[Review]:
    return Review.objects.filter(author=author).select_related("subject", "journey")


def journey_other_side(journey, user):
    """The person `user` travelled with on `journey` (None when `user` did not take it)."""
    if journey.kind != journey.Kind.CARPOOL or journey.passenger_id is None:
        return None
    if user.pk == journey.driver_id:
        return journey.passenger
    if user.pk == journey.passenger_id:
        return journey.driver
    return None


def review_possible(journey, user) -> bool:
    return (
        journey_other_side(journey, user) is not None
        and timezone.now() <= journey.dropoff_at + timedelta(days=REVIEW_DAYS)
        and not Review.objects.filter(journey=journey, author=user).exists()
    )


def journeys_to_review(user) -> QuerySet[Journey]:
    """The journeys `user` may still review (the last REVIEW_DAYS days), newest first."""
    since = timezone.now() - timedelta(days=REVIEW_DAYS)
    return (
        Journey.objects.filter(Q(driver=user) | Q(passenger=user), kind=Journey.Kind.CARPOOL)
        .filter(dropoff_at__gte=since)
        .exclude(reviews__author=user)
        .select_related("driver", "passenger")
        .order_by("-pickup_at")
    )


def facts_verified(user) -> dict:
    """What the site can vouch for about a person (shown on their profile): verified e-mail
    and phone, journeys completed here, member since. No photo, no gender."""
    membership = Membership.objects.filter(user=user).first()
    return {
        "email_verified": EmailAddress.objects.filter(user=user, verified=True).exists(),
        "phone_verified": bool(user.phone_verified_at),
        "journeys": Journey.objects.filter(Q(driver=user) | Q(passenger=user)).count(),
        "member_since": membership.joined_at if membership else user.date_joined,
    }


def blocks_by(blocker) -> QuerySet[Block]:
    return Block.objects.filter(blocker=blocker).select_related("blocked")
