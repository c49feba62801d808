"""A driver's rides: publish one (one-off or weekly), its page (where passengers book it),
change or cancel it, cancel a weekly ride."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core import blocks
from core.errors import Conflict
from core.forms import add_errors
from matching.network import Place
from themes.selectors import settings_of_request

from .. import formats
from ..forms import BookForm, OfferChangeForm, OfferForm, ReasonForm
from ..models import Offer, RegularRide
from ..pricing import share
from ..selectors import drivers_facts_attach, match_one, ride_map
from ..services import regular, rides
from ..services.bookings import booking_request


@login_required
def offer_new(request):
    current = settings_of_request(request)
    form = OfferForm(
        request.POST or None,
        initial={"cost_per_km": current.cost_per_km_default},
        territory_settings=current,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        places = {"driver": request.user, "origin": data["origin"]}
        places["destination"] = data["destination"]
        try:
            if form.is_regular:
                ride = regular.regular_ride_publish(
                    **places,
                    departure_times=form.departure_times(),
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                    **form.terms(),
                )
                first = ride.occurrences.order_by("departure_at").first()
            else:
                first = rides.offer_publish(
                    **places, departure_at=form.departure_at(), **form.terms()
                )
        except ValidationError as exc:
            add_errors(form, exc, OfferForm.SERVICE_FIELDS)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            if form.is_regular:
                count = ride.occurrences.count()
                messages.success(
                    request,
                    ngettext(
                        "Regular ride published: %(count)d departure.",
                        "Regular ride published: %(count)d departures.",
                        count,
                    )
                    % {"count": count},
                )
            else:
                messages.success(request, _("Ride published."))
            return redirect("offer_detail", pk=first.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "trips/offer_new.html",
        {"form": form, "territory_settings": current},
        status=status,
    )


def offer_detail(request, pk: int):
    offer = get_object_or_404(Offer.objects.select_related("driver", "regular_ride"), pk=pk)
    if blocks.between(request.user if request.user.is_authenticated else None, offer.driver_id):
        raise Http404  # people who blocked each other do not see each other's rides
    is_driver = request.user.is_authenticated and offer.driver_id == request.user.pk
    book_form = None
    if not is_driver:
        # The points searched (a link from the results), else the ride's own ends (a direct
        # link, a notification, my trips).
        searched = request.POST or (request.GET if "pickup_0" in request.GET else None)
        book_form = BookForm(searched, initial=_ends(offer))
    if request.method == "POST" and not is_driver:
        if not request.user.is_authenticated:
            # Back on this page after signing in (and joining), with the places filled in.
            kept = request.POST.copy()
            kept.pop("csrfmiddlewaretoken", None)
            back = f"{request.path}?{kept.urlencode()}"
            return redirect(f"{reverse('account_login')}?{urlencode({'next': back})}")
        if book_form.is_valid():
            data = book_form.cleaned_data
            try:
                booking = booking_request(
                    offer_id=offer.pk,
                    passenger=request.user,
                    pickup=data["pickup"],
                    dropoff=data["dropoff"],
                    seats=data["seats"],
                )
            except ValidationError as exc:
                add_errors(book_form, exc)
            except Conflict as exc:
                book_form.add_error(
                    exc.field if exc.field in book_form.fields else None, exc.message
                )
            else:
                if booking.status == booking.Status.ACCEPTED:
                    messages.success(request, _("Booked: your seat is confirmed."))
                else:
                    messages.success(
                        request,
                        _("Your request is sent to the driver. You will be told of the answer."),
                    )
                return redirect("my_trips")
    bookings = list(offer.bookings.select_related("passenger")) if is_driver else []
    drivers_facts_attach([offer.driver])
    change_form = (
        OfferChangeForm(
            initial={
                "seats": offer.seats,
                "comment": offer.comment,
                "instant_booking": offer.instant_booking,
            }
        )
        if is_driver
        else None
    )
    status = 400 if book_form is not None and request.method == "POST" and book_form.errors else 200
    return render(
        request,
        "trips/offer_detail.html",
        {
            "offer": offer,
            "is_driver": is_driver,
            "book_form": book_form,
            "bookings": bookings,
            "change_form": change_form,
            "route_map": ride_map(offer, _searched(book_form), bookings),
            "arrival_at": offer.departure_at + timedelta(seconds=offer.duration_s),
            "ride_duration": formats.duration(offer.duration_s),
            "ride_km": formats.km(offer.distance_m),
            "trip": _passenger_trip(offer, book_form),
        },
        status=status,
    )


@login_required
@require_POST
def offer_cancel(request, pk: int):
    offer = get_object_or_404(Offer, pk=pk, driver=request.user)
    reason = ReasonForm(request.POST)
    try:
        rides.offer_cancel(
            offer,
            by=request.user,
            reason=reason.cleaned_data["reason"] if reason.is_valid() else "",
        )
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Ride cancelled; booked passengers are told."))
    return redirect("my_trips")


def _searched(book_form) -> tuple[Place, Place] | None:
    """The pickup and drop-off the passenger's form holds, once valid."""
    if book_form is None or not book_form.is_bound or not book_form.is_valid():
        return None
    return book_form.cleaned_data["pickup"], book_form.cleaned_data["dropoff"]


def _ends(offer: Offer) -> dict:
    return {
        "pickup": Place(offer.origin.x, offer.origin.y, offer.origin_label),
        "dropoff": Place(offer.destination.x, offer.destination.y, offer.destination_label),
    }


def _passenger_trip(offer: Offer, book_form) -> dict | None:
    """The passenger's own trip on this ride (the points searched, else the ride's ends):
    times, distance, duration and price at the ride's €/km; None if the ride does not serve
    those points."""
    if book_form is None or offer.status != Offer.Status.ACTIVE:
        return None
    if book_form.is_bound:
        if not book_form.is_valid():
            return None
        pickup, dropoff = book_form.cleaned_data["pickup"], book_form.cleaned_data["dropoff"]
        seats = book_form.cleaned_data["seats"]
    else:
        pickup, dropoff, seats = *_ends(offer).values(), 1
    try:
        match = match_one(offer, pickup, dropoff)
    except ValidationError:
        return None
    if match is None:
        return None
    return {
        "pickup": pickup.label,
        "dropoff": dropoff.label,
        "pickup_at": match.pickup_at,
        "dropoff_at": match.dropoff_at,
        "km": formats.km(match.passenger_m),
        "duration": match.duration_text,
        "seats": seats,
        "price": formats.euros(share(match.passenger_m, offer.cost_per_km, seats)),
    }


@login_required
@require_POST
def offer_change(request, pk: int):
    offer = get_object_or_404(Offer, pk=pk, driver=request.user)
    form = OfferChangeForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label} : {' '.join(errors)}")
        return redirect("offer_detail", pk=pk)
    try:
        rides.offer_update(offer, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Ride changed; booked passengers are told."))
    return redirect("offer_detail", pk=pk)


@login_required
@require_POST
def regular_ride_cancel(request, pk: int):
    ride = get_object_or_404(RegularRide, pk=pk, driver=request.user)
    reason = ReasonForm(request.POST)
    try:
        regular.regular_ride_cancel(
            ride, by=request.user, reason=reason.cleaned_data["reason"] if reason.is_valid() else ""
        )
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Every departure still to come is cancelled."))
    return redirect("my_trips")
