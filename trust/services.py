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
from .selectors import REVIEW_DAYS, journey_other_side

FACTS = ("on_time", "as_described", "safe_driving")


@transaction.atomic
def review_write(journey, author, *, text: str, facts: dict[str, bool | None]) -> Review:
    subject = journey_other_side(journey, author)
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
