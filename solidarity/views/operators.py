"""The operators' pages: the dispatch board, beneficiaries (registration, export, erasure),
requests with their ranked volunteers and the actions on them, receipts, and the volunteers
to accept. Records are those of the structures the operator operates."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.forms import add_errors
from themes.selectors import settings_get

from .. import selectors
from ..forms import BeneficiaryForm, ReasonForm, RequestForm
from ..maps import request_map
from ..models import Beneficiary, Request, Volunteer
from ..ranking import FAIRNESS_KM_PER_TRIP
from ..services import beneficiaries, dispatch, requests, volunteers
from .common import error_messages, operator_page, request_from_form


def _optional_id(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@operator_page
def board(request):
    """Requests by state and date: unmet and urgent first."""
    structure = request.GET.get("structure", "")
    purpose = request.GET.get("purpose", "")
    status = request.GET.get("status", "open")
    soon = timezone.now() + selectors.URGENT
    requests_shown = selectors.requests_board(
        request.structures,
        structure_id=_optional_id(structure),
        purpose_id=_optional_id(purpose),
        status=status,
        soon=soon,
    )
    return render(
        request,
        "solidarity/board.html",
        {
            "requests": requests_shown[:200],
            "structures": request.structures,
            "purposes": selectors.purposes_of(request.structures),
            "statuses": [("open", _("open")), *Request.Status.choices, ("all", _("all"))],
            "chosen": {"structure": structure, "purpose": purpose, "status": status},
            "soon": soon,
        },
    )


# --- beneficiaries ------------------------------------------------------------------------------
@operator_page
def beneficiary_list(request):
    query = " ".join(request.GET.get("q", "").split())[:80]
    people = selectors.beneficiaries_search(request.structures, query)
    return render(
        request, "solidarity/beneficiaries.html", {"people": people[:200], "query": query}
    )


@operator_page
def beneficiary_new(request):
    form = BeneficiaryForm(request.POST or None, structures=request.structures)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = beneficiaries.beneficiary_register(
                operator=request.user,
                structure=data["structure"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"],
                home=data["home"],
                needs=list(data["needs"]),
                notes=data["notes"],
                social_criterion=data["social_criterion"],
                email=data["email"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Beneficiary registered."))
            return redirect("solidarity_beneficiary", pk=person.pk)
    status = 400 if form.errors else 200
    return render(request, "solidarity/beneficiary_new.html", {"form": form}, status=status)


def _beneficiary(request, pk: int) -> Beneficiary:
    return get_object_or_404(
        Beneficiary.objects.select_related("structure"), pk=pk, structure__in=request.structures
    )


@operator_page
def beneficiary_detail(request, pk: int):
    person = _beneficiary(request, pk)
    return render(
        request,
        "solidarity/beneficiary.html",
        {"person": person, "requests": selectors.requests_of_beneficiary(person)},
    )


@operator_page
def beneficiary_export(request, pk: int):
    person = _beneficiary(request, pk)
    response = HttpResponse(
        json.dumps(selectors.beneficiary_export(person), ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="beneficiary-{person.pk}.json"'
    return response


@operator_page
@require_POST
def beneficiary_erase(request, pk: int):
    person = _beneficiary(request, pk)
    try:
        beneficiaries.beneficiary_erase(person, operator=request.user)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("solidarity_beneficiary", pk=pk)
    messages.success(request, _("The record is erased; the trips stay, anonymous."))
    return redirect("solidarity_beneficiaries")


# --- requests -----------------------------------------------------------------------------------
@operator_page
def request_new(request, pk: int):
    person = _beneficiary(request, pk)
    form = RequestForm(request.POST or None, beneficiary=person)
    created = request_from_form(request, form, person)
    if created:
        messages.success(request, _("Request created: choose the volunteers."))
        return redirect("solidarity_request", pk=created.pk)
    status = 400 if form.errors else 200
    return render(
        request, "solidarity/request_new.html", {"form": form, "person": person}, status=status
    )


def _request(request, pk: int) -> Request:
    return get_object_or_404(
        Request.objects.select_related("beneficiary", "purpose", "structure", "volunteer__user"),
        pk=pk,
        structure__in=request.structures,
    )


@operator_page
def request_detail(request, pk: int):
    trip = _request(request, pk)
    details = selectors.request_details(trip)
    context = {"trip": trip, **details, "reason_form": ReasonForm()}
    context["trip_map"] = request_map(trip, details["ranked"])
    context["set_aside"] = sum(1 for r in details["ranked"] if not r.kept)
    context["fairness_km"] = number_format(FAIRNESS_KM_PER_TRIP, 0)
    return render(request, "solidarity/request.html", context)


def _propose(request, trip: Request) -> None:
    ids = [int(v) for v in request.POST.getlist("volunteers") if v.isdigit()]
    chosen = selectors.volunteers_chosen(trip.structure, ids)
    dispatch.request_propose(trip, chosen, operator=request.user)


def _reason(request) -> str:
    return request.POST.get("reason", "")


# The operator's actions on a request (the URL's last part): each a service call, and the
# message that says it is done.
REQUEST_ACTIONS = {
    "propose": (_propose, gettext_lazy("Proposed to the chosen volunteers.")),
    "confirm": (
        lambda request, trip: dispatch.assignment_confirm(trip, operator=request.user),
        gettext_lazy("Volunteer confirmed."),
    ),
    "close": (
        lambda request, trip: requests.request_close(trip, operator=request.user),
        gettext_lazy("Request closed."),
    ),
    "cancel": (
        lambda request, trip: requests.request_cancel(
            trip, operator=request.user, reason=_reason(request)
        ),
        gettext_lazy("Request cancelled."),
    ),
    "unmet": (
        lambda request, trip: requests.request_mark_unmet(
            trip, operator=request.user, reason=_reason(request)
        ),
        gettext_lazy("Request recorded as without a solution."),
    ),
}


@operator_page
@require_POST
def request_action(request, pk: int, action: str):
    trip = _request(request, pk)
    if action not in REQUEST_ACTIONS:
        raise Http404
    act, done = REQUEST_ACTIONS[action]
    try:
        act(request, trip)
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        for error in error_messages(exc):
            messages.error(request, error)
    else:
        messages.success(request, str(done))
    return redirect("solidarity_request", pk=pk)


@operator_page
def receipt(request, pk: int):
    trip = _request(request, pk)
    if trip.status not in ("done", "closed"):
        raise Http404
    return render(request, "solidarity/receipt.html", {"trip": trip, "settings": settings_get()})


# --- volunteers ---------------------------------------------------------------------------------
@operator_page
def volunteer_list(request):
    people = selectors.volunteers_of(request.structures)
    return render(request, "solidarity/volunteers.html", {"people": people})


@operator_page
@require_POST
def volunteer_accept(request, pk: int):
    volunteer = get_object_or_404(Volunteer, pk=pk, structure__in=request.structures)
    try:
        volunteers.volunteer_accept(volunteer, operator=request.user)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s is accepted as a volunteer.") % {"name": volunteer})
    return redirect("solidarity_volunteers")
