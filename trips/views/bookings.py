"""My trips (the rides I drive, my bookings here and in the other territories) and what either
side does with a booking: accept, decline, cancel, confirm it took place."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.http import safe_next
from tenants.selectors import current_territory, site_url

from .. import federation
from .. import my_trips as mine
from ..forms import ConfirmForm, ReasonForm
from ..selectors import bookings_visible_to
from ..services.bookings import booking_cancel, booking_decide
from ..services.journeys import booking_confirm

# Titles of the groups of trips (plural in French: « Annulés », never a state's « Annulé »).
GROUP_TITLES = {
    mine.UPCOMING: pgettext_lazy("my trips group", "To come"),
    mine.PAST: pgettext_lazy("my trips group", "Past"),
    mine.CANCELLED: pgettext_lazy("my trips group", "Cancelled"),
}


@login_required
def my_trips(request):
    """« My trips », one group at a time (`?vue=a-venir|passes|annules`, to come by default):
    the rides I drive and my bookings in one list in time order, paged."""
    group = request.GET.get("vue", mine.UPCOMING)
    if group not in mine.GROUPS:
        group = mine.UPCOMING
    now = timezone.now()
    counts = mine.counts(request.user, now)
    page = mine.entries(request.user, group, request.GET.get("page"), now)
    return render(
        request,
        "trips/my_trips.html",
        {
            "group": group,
            "groups": [(g, GROUP_TITLES[g], counts[g]) for g in mine.GROUPS],
            "group_title": GROUP_TITLES[group],
            "page": page,
            "regular_rides": (
                mine.regular_rides(request.user, group, now) if page.number == 1 else []
            ),
            "waiting": mine.to_handle(request.user),
            "elsewhere": [
                (there, site_url(request, there.label.host).rstrip("/"))
                for there in federation.bookings_elsewhere(request.user, current_territory())
            ]
            if group == mine.UPCOMING
            else [],
            "reason_form": ReasonForm(),
            "confirm_form": ConfirmForm(),
            # A ride is confirmed from its pickup time on (booking_confirm refuses before).
            "now": now,
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
