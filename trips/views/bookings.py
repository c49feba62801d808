"""My trips (the rides I drive, my bookings here and in the other territories) and what either
side does with a booking: accept, decline, cancel, confirm it took place."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.http import safe_next
from tenants.selectors import current_territory, site_url

from .. import federation
from ..forms import ConfirmForm, ReasonForm
from ..models import Booking, Offer, RegularRide
from ..selectors import bookings_visible_to
from ..services.bookings import booking_cancel, booking_decide
from ..services.journeys import booking_confirm


@login_required
def my_trips(request):
    # Departures of a regular ride are listed under it, except those with bookings to handle.
    offers = (
        Offer.objects.filter(driver=request.user)
        .filter(Q(regular_ride=None) | Q(bookings__isnull=False))
        .distinct()
        .prefetch_related("bookings__passenger")
    )
    regular_rides = RegularRide.objects.filter(driver=request.user).prefetch_related(
        Prefetch(
            "occurrences",
            queryset=Offer.objects.filter(departure_at__gt=timezone.now()),
            to_attr="upcoming",
        )
    )
    bookings = Booking.objects.filter(passenger=request.user).select_related("offer__driver")
    return render(
        request,
        "trips/my_trips.html",
        {
            "offers": offers,
            "regular_rides": regular_rides,
            "bookings": bookings,
            "elsewhere": [
                (group, site_url(request, group.label.host).rstrip("/"))
                for group in federation.bookings_elsewhere(request.user, current_territory())
            ],
            "reason_form": ReasonForm(),
            "confirm_form": ConfirmForm(),
            # A ride is confirmed from its pickup time on (booking_confirm refuses before).
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def booking_action(request, pk: int, action: str):
    booking = get_object_or_404(bookings_visible_to(request.user), pk=pk)
    reason = ReasonForm(request.POST)
    reason_text = reason.cleaned_data["reason"] if reason.is_valid() else ""
    try:
        if action in ("accept", "decline"):
            booking_decide(booking, by=request.user, accept=action == "accept")
            if action == "accept":
                messages.success(request, _("Booking accepted; the passenger is told."))
            else:
                messages.success(request, _("Booking declined; the passenger is told."))
        elif action == "cancel":
            booking_cancel(booking, by=request.user, reason=reason_text)
            if request.user.pk == booking.passenger_id:
                messages.success(request, _("Your booking is cancelled; the driver is told."))
            else:
                messages.success(request, _("Booking cancelled; the passenger is told."))
        elif action == "confirm":
            confirm = ConfirmForm(request.POST)
            if not confirm.is_valid():
                raise ValidationError(confirm.errors)
            day = timezone.localtime(booking.pickup_at).date()
            booking_confirm(booking, by=request.user, report=confirm.report(day))
            messages.success(request, _("Thank you: your confirmation is recorded."))
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    return redirect(safe_next(request, "my_trips"))
