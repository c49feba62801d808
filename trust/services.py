"""Reviews after a journey: one per side and journey, within REVIEW_DAYS of the arrival, from
someone who took it about the other side; the person reviewed may answer once."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import Conflict
from notifications.models import Kind
from notifications.services import notify

from .models import Review

REVIEW_DAYS = 14
FACTS = ("on_time", "as_described", "safe_driving")


def other_side(journey, user):
    """The person `user` travelled with on `journey` (None when `user` did not take it)."""
    if journey.kind != journey.Kind.CARPOOL or journey.passenger_id is None:
        return None
    if user.pk == journey.driver_id:
        return journey.passenger
    if user.pk == journey.passenger_id:
        return journey.driver
    return None


def can_review(journey, user) -> bool:
    return (
        other_side(journey, user) is not None
        and timezone.now() <= journey.dropoff_at + timedelta(days=REVIEW_DAYS)
        and not Review.objects.filter(journey=journey, author=user).exists()
    )


@transaction.atomic
def review_write(journey, author, *, text: str, facts: dict[str, bool | None]) -> Review:
    subject = other_side(journey, author)
    if subject is None:
        raise Conflict(_("You can only review a journey you took."))
    if timezone.now() > journey.dropoff_at + timedelta(days=REVIEW_DAYS):
        raise Conflict(
            _("Reviews are written within %(days)d days of the journey.") % {"days": REVIEW_DAYS}
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write a few words.")})
    if len(text) > Review.MAX_LENGTH:
        raise ValidationError({"text": _("%(n)d characters at most.") % {"n": Review.MAX_LENGTH}})
    if facts.get("safe_driving") is not None and subject.pk != journey.driver_id:
        raise ValidationError({"safe_driving": _("Only a driver's driving is reviewed.")})
    review = Review(journey=journey, author=author, subject=subject, text=text)
    for name in FACTS:
        setattr(review, name, facts.get(name))
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError as exc:
        raise Conflict(_("You already reviewed this journey.")) from exc
    notify(
        subject,
        Kind.REVIEW,
        gettext_noop("%(name)s left a review about your journey"),
        {"name": author.display_name},
        reverse("my_reviews"),
    )
    return review


@transaction.atomic
def review_answer(review: Review, by, text: str) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.subject_id != by.pk:
        raise Conflict(_("Only the person reviewed can answer."))
    if review.answered_at:
        raise Conflict(_("You already answered this review."))
    text = (text or "").strip()
    if not text or len(text) > Review.MAX_LENGTH:
        raise ValidationError(
            {"answer": _("From 1 to %(n)d characters.") % {"n": Review.MAX_LENGTH}}
        )
    review.answer, review.answered_at = text, timezone.now()
    review.save(update_fields=["answer", "answered_at"])
    return review


def to_review(user):
    """The journeys `user` may still review (the last REVIEW_DAYS days), newest first."""
    from django.db.models import Q

    from trips.models import Journey

    since = timezone.now() - timedelta(days=REVIEW_DAYS)
    return (
        Journey.objects.filter(Q(driver=user) | Q(passenger=user), kind=Journey.Kind.CARPOOL)
        .filter(dropoff_at__gte=since)
        .exclude(reviews__author=user)
        .select_related("driver", "passenger")
        .order_by("-pickup_at")
    )


def verified_facts(user) -> dict:
    """What the site can vouch for about a person (shown on their profile): verified e-mail
    and phone, journeys completed here, member since. No photo, no gender."""
    from allauth.account.models import EmailAddress
    from django.db.models import Q

    from tenants.members.models import Membership
    from trips.models import Journey

    membership = Membership.objects.filter(user=user).first()
    return {
        "email_verified": EmailAddress.objects.filter(user=user, verified=True).exists(),
        "phone_verified": bool(user.phone_verified_at),
        "journeys": Journey.objects.filter(Q(driver=user) | Q(passenger=user)).count(),
        "member_since": membership.joined_at if membership else user.date_joined,
    }
