"""Pages for rides: search (home), publish, ride detail with booking, my trips. Thin views:
services do the writing, selectors the reading."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from core import blocks
from core.errors import Conflict
from core.forms import add_errors
from matching.network import Place, snap, territory_graph
from matching.selectors import place_near, places_search
from tenants.selectors import current_territory, site_url
from themes.services import settings_get

from . import alerts, conversations, federation, services
from .forms import (
    AlertForm,
    BookForm,
    ConfirmForm,
    OfferChangeForm,
    OfferForm,
    ReasonForm,
    SearchForm,
)
from .models import Alert, Booking, Message, Offer, RegularRide
from .selectors import offers_matching


def _place_params(prefix: str, place: Place) -> dict:
    return {f"{prefix}_0": place.label, f"{prefix}_1": place.lon, f"{prefix}_2": place.lat}


@require_GET
def home(request):
    form = SearchForm(request.GET or None)
    matches, searched = [], False
    if form.is_bound and form.is_valid():
        searched = True
        start, end = form.window_bounds()
        try:
            matches = offers_matching(
                pickup=form.cleaned_data["origin"],
                dropoff=form.cleaned_data["destination"],
                window_start=start,
                window_end=end,
                seats=form.cleaned_data["seats"],
                federated=True,
                viewer=request.user,
            )
            services.search_logged(
                form.cleaned_data["origin"], form.cleaned_data["destination"], matches
            )
        except ValidationError as exc:
            add_errors(form, exc)
            searched = False
        except Conflict as exc:
            messages.error(request, exc.message)
            searched = False
    book_query = alert_query = ""
    if searched:
        start, end = form.window_bounds()
        alert_query = urlencode(
            {
                **_place_params("origin", form.cleaned_data["origin"]),
                **_place_params("destination", form.cleaned_data["destination"]),
                "day": timezone.localtime(start).weekday(),
                "earliest": f"{timezone.localtime(start):%H:%M}",
                "latest": f"{timezone.localtime(end):%H:%M}",
                "seats": form.cleaned_data["seats"],
            }
        )
        book_query = urlencode(
            {
                **_place_params("pickup", form.cleaned_data["origin"]),
                **_place_params("dropoff", form.cleaned_data["destination"]),
                "seats": form.cleaned_data["seats"],
            }
        )
    return render(
        request,
        "trips/home.html",
        {
            "form": form,
            "matches": matches,
            "results": [(m, _ride_link(request, m, book_query)) for m in matches],
            "searched": searched,
            "book_query": book_query,
            "alert_query": alert_query,
        },
    )


def _ride_link(request, match, query: str) -> str:
    """The ride's page: here, or on the site of the territory that publishes it."""
    path = f"{reverse('offer_detail', args=[match.offer.pk])}?{query}"
    if match.elsewhere is None:
        return path
    return site_url(request, match.elsewhere.host).rstrip("/") + path


@require_GET
def places(request):
    found = places_search(current_territory().graph_name, request.GET.get("q", ""))
    return JsonResponse([p.__dict__ for p in found], safe=False)


@require_GET
def place_at(request):
    """A point picked on the map: its label, or a JSON error when it is off the network."""
    try:
        lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
        snap(territory_graph(), Place(lon, lat), "point")
    except (KeyError, ValueError):
        return JsonResponse({"error": _("Give lon and lat as numbers.")}, status=400)
    except ValidationError as exc:
        return JsonResponse({"error": exc.message_dict["point"][0]}, status=400)
    except Conflict as exc:
        return JsonResponse({"error": exc.message}, status=409)
    label = place_near(current_territory().graph_name, lon, lat)
    return JsonResponse({"label": label, "kind": "map", "lon": lon, "lat": lat})


_outlines: dict[tuple[str, int], bytes] = {}


@require_GET
def road_outline(request):
    """The territory's main roads as GeoJSON, the background of the place-picking map (no tile
    server is called)."""
    try:
        graph = territory_graph()
    except Conflict as exc:
        return JsonResponse({"error": exc.message}, status=409)
    key = (graph.name, id(graph))
    if key not in _outlines:
        feature = {
            "type": "Feature",
            "properties": {"graph": graph.name},
            "geometry": {"type": "MultiLineString", "coordinates": graph.outline()},
        }
        _outlines[key] = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    response = HttpResponse(_outlines[key], content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@login_required
def offer_new(request):
    current = settings_get()
    form = OfferForm(request.POST or None, initial={"cost_per_km": current.cost_per_km_default})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        places = {"driver": request.user, "origin": data["origin"]}
        places["destination"] = data["destination"]
        try:
            if form.is_regular:
                ride = services.regular_ride_publish(
                    **places,
                    departure_times=form.departure_times(),
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                    **form.terms(),
                )
                first = ride.occurrences.order_by("departure_at").first()
            else:
                first = services.offer_publish(
                    **places, departure_at=form.departure_at(), **form.terms()
                )
        except ValidationError as exc:
            exc.error_dict.setdefault("date", exc.error_dict.pop("departure_at", []))
            add_errors(form, exc)
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
    book_form = BookForm(request.POST or request.GET or None) if not is_driver else None
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
                services.booking_request(
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
                return redirect("my_trips")
    bookings = offer.bookings.select_related("passenger") if is_driver else []
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
            "route": [[lat, lon] for lon, lat in offer.route.coords],
        },
        status=status,
    )


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
        },
    )


@login_required
@require_POST
def booking_action(request, pk: int, action: str):
    booking = get_object_or_404(
        Booking, Q(passenger=request.user) | Q(offer__driver=request.user), pk=pk
    )
    reason = ReasonForm(request.POST)
    reason_text = reason.cleaned_data["reason"] if reason.is_valid() else ""
    try:
        if action in ("accept", "decline"):
            services.booking_decide(booking, by=request.user, accept=action == "accept")
        elif action == "cancel":
            services.booking_cancel(booking, by=request.user, reason=reason_text)
        elif action == "confirm":
            confirm = ConfirmForm(request.POST)
            if not confirm.is_valid():
                raise ValidationError(confirm.errors)
            day = timezone.localtime(booking.pickup_at).date()
            services.booking_confirm(booking, by=request.user, report=confirm.report(day))
            messages.success(request, _("Thank you: your confirmation is recorded."))
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    return redirect(
        request.POST.get("next") if request.POST.get("next", "").startswith("/") else "my_trips"
    )


@login_required
@require_POST
def offer_cancel(request, pk: int):
    offer = get_object_or_404(Offer, pk=pk, driver=request.user)
    reason = ReasonForm(request.POST)
    try:
        services.offer_cancel(
            offer,
            by=request.user,
            reason=reason.cleaned_data["reason"] if reason.is_valid() else "",
        )
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("my_trips")


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
        services.offer_update(offer, by=request.user, **form.cleaned_data)
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
        services.regular_ride_cancel(
            ride, by=request.user, reason=reason.cleaned_data["reason"] if reason.is_valid() else ""
        )
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Every departure still to come is cancelled."))
    return redirect("my_trips")


def conversation_page(request, talk, template: str, context: dict):
    """A conversation's page (bookings and solidarity trips): the messages, a form that works
    without JavaScript, and a live socket. The caller has checked who may see it."""
    error = ""
    if request.method == "POST":
        try:
            conversations.post(talk, request.user, request.POST.get("body", ""))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except Conflict as exc:
            error = exc.message
        else:
            return redirect(request.path)
    conversations.mark_read(talk, request.user)
    return render(
        request,
        template,
        {
            **context,
            "talk": talk,
            "messages_list": talk.messages.select_related("author"),
            "error": error,
            "max_length": Message.MAX_LENGTH,
        },
        status=400 if error else 200,
    )


@login_required
def conversation(request, pk: int):
    """The booking's conversation. Before the booking is accepted, no phone number or exact
    address is shown."""
    booking = get_object_or_404(
        Booking.objects.select_related("offer__driver", "passenger"),
        Q(passenger=request.user) | Q(offer__driver=request.user),
        pk=pk,
    )
    other = (
        booking.passenger if booking.offer.driver_id == request.user.pk else booking.offer.driver
    )
    return conversation_page(
        request,
        conversations.conversation_of(booking),
        "trips/conversation.html",
        {
            "booking": booking,
            "other": other,
            "accepted": booking.status == Booking.Status.ACCEPTED,
        },
    )


@login_required
def alert_list(request):
    """The person's alerts and the form to save one (filled from a search's link)."""
    if request.method == "POST":
        form = AlertForm(request.POST)
        if form.is_valid():
            try:
                alerts.alert_create(passenger=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, _("Alert saved: you will be told when a matching ride is published.")
                )
                return redirect("alerts")
    else:
        form = AlertForm.from_search(request.GET)
    return render(
        request,
        "trips/alerts.html",
        {"form": form, "alerts": alerts.alerts_page_rows(request.user)},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def alert_delete(request, pk: int):
    alert = get_object_or_404(Alert, pk=pk, passenger=request.user, cancelled_at__isnull=True)
    alerts.alert_cancel(alert, by=request.user)
    messages.success(request, _("Alert deleted."))
    return redirect("alerts")
