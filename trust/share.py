"""Safety during a trip: a participant shares the ride's details (driver, car, route, times)
with someone they trust through a private link; the link works without an account and
expires an hour after the arrival (or when the person revokes it). The page it opens says
nothing else: no e-mail, no phone, no other passenger."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import Conflict
from core.params import object_id
from trips.models import Booking, Offer

from .models import TripShare

AFTER_ARRIVAL = timedelta(hours=1)


def _arrival(offer: Offer, booking: Booking | None):
    if booking is not None:
        return booking.dropoff_at
    worst = offer.duration_s * (1 + float(offer.max_detour_ratio))
    return offer.departure_at + timedelta(minutes=offer.margin_minutes, seconds=worst)


def share_create(user, *, offer: Offer, booking: Booking | None = None) -> TripShare:
    """A new private link for a ride the person drives or a booking they travel on."""
    if booking is not None and user.pk not in (booking.passenger_id, offer.driver_id):
        raise Http404
    if booking is None and offer.driver_id != user.pk:
        raise Http404
    expires_at = _arrival(offer, booking) + AFTER_ARRIVAL
    if expires_at <= timezone.now():
        raise Conflict(_("This trip is over: there is nothing left to share."))
    if offer.status != Offer.Status.ACTIVE or (
        booking is not None and booking.status not in Booking.HOLDS_SEATS
    ):
        raise Conflict(_("This trip is cancelled."))
    return TripShare.objects.create(
        token=secrets.token_urlsafe(24),
        offer=offer,
        booking=booking,
        created_by=user,
        expires_at=expires_at,
    )


@require_POST
def share_ride(request, pk: int):
    if not request.user.is_authenticated:
        raise Http404
    booking = None
    if request.POST.get("booking"):
        booking = get_object_or_404(
            Booking.objects.select_related("offer"),
            pk=object_id(request.POST["booking"]),
            offer_id=pk,
        )
        offer = booking.offer
    else:
        offer = get_object_or_404(Offer, pk=pk)
    try:
        share = share_create(request.user, offer=offer, booking=booking)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("my_trips")
    return render(
        request,
        "trust/share_created.html",
        {"share": share, "link": request.build_absolute_uri(f"/shared/{share.token}/")},
    )


@require_POST
def share_revoke(request, token: str):
    if not request.user.is_authenticated:
        raise Http404
    share = get_object_or_404(TripShare, token=token, created_by=request.user)
    TripShare.objects.filter(pk=share.pk).update(revoked_at=timezone.now())
    messages.success(request, _("The link no longer works."))
    return redirect("my_trips")


@require_GET
def shared(request, token: str):
    """The page the trusted contact opens (no account needed)."""
    share = (
        TripShare.objects.select_related("offer__driver", "booking__passenger")
        .filter(token=token)
        .first()
    )
    if share is None:
        raise Http404
    alive = share.revoked_at is None and share.expires_at > timezone.now()
    response = render(
        request,
        "trust/shared.html",
        {"share": share, "alive": alive, "offer": share.offer, "booking": share.booking},
        status=200 if alive else 410,
    )
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response
