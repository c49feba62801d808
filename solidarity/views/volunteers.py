"""The volunteers' pages: the phone page (proposals to answer, trips to drive, trips driven),
applying to a structure, the weekly availability and absences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.forms import add_errors

from .. import selectors
from ..forms import AbsenceForm, AvailabilityForm, DoneForm, VolunteerForm
from ..maps import trip_map
from ..models import Period, Proposal, Request, Volunteer
from ..services import dispatch, volunteers
from .common import enabled, error_messages


@login_required
@enabled
def volunteer_home(request):
    """The volunteer's phone page: proposals to answer, trips to drive, trips driven."""
    return render(
        request,
        "solidarity/volunteer.html",
        {
            "volunteers": selectors.volunteers_of_user(request.user),
            "proposals": selectors.proposals_waiting(request.user),
            "trips": _with_maps(selectors.trips_of_volunteer(request.user)),
            "done_form": DoneForm(),
            "now": timezone.now(),
        },
    )


UPCOMING = ("accepted", "confirmed")


def _with_maps(trips) -> list[Request]:
    """The trips, the coming ones with the map of their two ends (`map_data`)."""
    trips = list(trips)
    for trip in trips:
        trip.map_data = trip_map(trip) if trip.status in UPCOMING else None
    return trips


@login_required
@enabled
def volunteer_apply(request):
    form = VolunteerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            volunteers.volunteer_apply(
                user=request.user,
                structure=data["structure"],
                home=data["home"],
                phone=data["phone"],
                seats=data["seats"],
                accessible_vehicle=data["accessible_vehicle"],
                max_trip_km=data["max_trip_km"],
                needs=[n for n in data["needs"] if n.structure_id == data["structure"].pk],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Thank you! An operator of the structure will accept you."))
            return redirect("volunteer_availability")
    status = 400 if form.errors else 200
    return render(request, "solidarity/volunteer_apply.html", {"form": form}, status=status)


def _my_volunteer(request) -> Volunteer:
    volunteer = selectors.volunteer_of_user(request.user)
    if volunteer is None:
        raise Http404
    return volunteer


@login_required
@enabled
def volunteer_availability(request):
    volunteer = _my_volunteer(request)
    form = AvailabilityForm(request.POST or None, volunteer=volunteer)
    absence = AbsenceForm(prefix="absence")
    if request.method == "POST" and form.is_valid():
        try:
            volunteers.availability_set(volunteer, form.slots())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Availability saved."))
            return redirect("volunteer_availability")
    status = 400 if form.errors else 200
    return render(
        request,
        "solidarity/availability.html",
        {
            "form": form,
            "absence_form": absence,
            "volunteer": volunteer,
            "periods": Period.labels,
        },
        status=status,
    )


@login_required
@enabled
def volunteer_absence(request):
    """Adds an absence (POST); the form is on the availability page, where a GET goes."""
    if request.method != "POST":
        return redirect("volunteer_availability")
    volunteer = _my_volunteer(request)
    form = AbsenceForm(request.POST, prefix="absence")
    if form.is_valid():
        try:
            volunteers.absence_add(
                volunteer, form.cleaned_data["first_day"], form.cleaned_data["last_day"]
            )
        except ValidationError as exc:
            for error in error_messages(exc):
                messages.error(request, error)
        else:
            messages.success(request, _("Absence recorded."))
    else:
        messages.error(request, _("Give the first and last days of the absence."))
    return redirect("volunteer_availability")


@login_required
@enabled
@require_POST
def proposal_answer(request, pk: int, answer: str):
    proposal = get_object_or_404(Proposal, pk=pk, volunteer__user=request.user)
    try:
        if answer == "accept":
            dispatch.proposal_accept(proposal, volunteer_user=request.user)
            messages.success(request, _("Thank you! The trip is yours."))
        else:
            dispatch.proposal_decline(
                proposal, volunteer_user=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Thank you for answering: the structure is told."))
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("volunteer_home")


@login_required
@enabled
@require_POST
def trip_done(request, pk: int):
    trip = get_object_or_404(Request, pk=pk, volunteer__user=request.user)
    form = DoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the kilometres and the minutes of the trip."))
        return redirect("volunteer_home")
    try:
        dispatch.assignment_record(
            trip,
            volunteer_user=request.user,
            km=form.cleaned_data["km"],
            minutes=form.cleaned_data["minutes"],
        )
    except (Conflict, ValidationError) as exc:
        text = exc.message if isinstance(exc, Conflict) else " ".join(exc.messages)
        messages.error(request, text)
    else:
        messages.success(request, _("Trip recorded. Thank you!"))
    return redirect("volunteer_home")
