"""Pages of solidarity transport: the operators' dispatch board, beneficiaries and requests
with ranked volunteers, receipts; the volunteers' phone page and availability. Thin views:
services write, ranking ranks."""

from __future__ import annotations

import json
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.forms import add_errors
from core.permissions import role_required
from matching.network import Place, territory_graph
from tenants.members.models import Membership, Role
from themes.services import settings_get
from trips import conversations
from trips.selectors import offers_matching
from trips.views import conversation_page

from . import services
from .forms import (
    AbsenceForm,
    AvailabilityForm,
    BeneficiaryForm,
    DoneForm,
    ReasonForm,
    RequestForm,
    VolunteerForm,
)
from .models import Beneficiary, Need, Proposal, Purpose, Request, Structure, Volunteer
from .ranking import rank


def _enabled(view):
    def wrapped(request, *args, **kwargs):
        if not settings_get().solidarity_enabled:
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _request_from_form(request, form: RequestForm, person: Beneficiary) -> Request | None:
    """The request the form describes, created by the signed-in person (an operator, or the
    beneficiary themself); None with the form's errors filled when it cannot be."""
    if request.method != "POST" or not form.is_valid():
        return None
    data = form.cleaned_data
    start, end = form.window()
    try:
        return services.request_create(
            operator=request.user,
            beneficiary=person,
            purpose=data["purpose"],
            destination=data["destination"],
            pickup=data["pickup"],
            window_start=start,
            window_end=end,
            return_kind=data["return_kind"],
            return_at=form.return_at(),
            needs=list(data["needs"]),
            notes=data["notes"],
        )
    except ValidationError as exc:
        _request_form_errors(form, exc)
    except Conflict as exc:
        form.add_error(None, exc.message)
    return None


def _request_form_errors(form, exc: ValidationError) -> None:
    """The service names the window and the return; the form has a date and a return time."""
    errors = exc.message_dict
    for name in ("window_start", "window_end"):
        if name in errors:
            errors.setdefault("date", []).extend(errors.pop(name))
    if "return_at" in errors:
        errors.setdefault("return_time", []).extend(errors.pop("return_at"))
    add_errors(form, ValidationError(errors))


def _operated(request) -> list[Structure]:
    return services.structures_operated(request.user)


def operator_page(view):
    """Operators of at least one structure; the records shown are those of their structures."""

    @role_required(Role.OPERATOR)
    @_enabled
    def wrapped(request, *args, **kwargs):
        request.structures = _operated(request)
        if not request.structures:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


URGENT = timedelta(hours=48)


@operator_page
def board(request):
    """Requests by state and date: unmet and urgent first."""
    requests = Request.objects.filter(structure__in=request.structures).select_related(
        "beneficiary", "purpose", "volunteer__user", "structure"
    )
    structure = request.GET.get("structure", "")
    purpose = request.GET.get("purpose", "")
    status = request.GET.get("status", "open")
    if structure.isdigit():
        requests = requests.filter(structure_id=int(structure))
    if purpose.isdigit():
        requests = requests.filter(purpose_id=int(purpose))
    if status == "open":
        requests = requests.filter(status__in=["new", "proposed", "accepted", "confirmed"])
    elif status in Request.Status.values:
        requests = requests.filter(status=status)
    soon = timezone.now() + URGENT
    requests = requests.annotate(
        urgency=Case(
            When(status="unmet", then=Value(0)),
            When(Q(status__in=["new", "proposed"]) & Q(window_start__lte=soon), then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("urgency", "window_start")
    return render(
        request,
        "solidarity/board.html",
        {
            "requests": requests[:200],
            "structures": request.structures,
            "purposes": Purpose.objects.filter(structure__in=request.structures),
            "statuses": [("open", _("open")), *Request.Status.choices, ("all", _("all"))],
            "chosen": {"structure": structure, "purpose": purpose, "status": status},
            "soon": soon,
        },
    )


@operator_page
def beneficiaries(request):
    people = Beneficiary.objects.filter(
        structure__in=request.structures, erased_at__isnull=True
    ).select_related("structure")
    query = " ".join(request.GET.get("q", "").split())[:80]
    if query:
        people = people.filter(
            Q(last_name__icontains=query)
            | Q(first_name__icontains=query)
            | Q(phone__icontains=query)
        )
    return render(
        request, "solidarity/beneficiaries.html", {"people": people[:200], "query": query}
    )


@operator_page
def beneficiary_new(request):
    form = BeneficiaryForm(request.POST or None, structures=request.structures)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.beneficiary_register(
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
        {"person": person, "requests": person.requests.select_related("purpose")},
    )


@operator_page
def beneficiary_export(request, pk: int):
    person = _beneficiary(request, pk)
    response = HttpResponse(
        json.dumps(services.beneficiary_export(person), ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="beneficiary-{person.pk}.json"'
    return response


@operator_page
@require_POST
def beneficiary_erase(request, pk: int):
    person = _beneficiary(request, pk)
    try:
        services.beneficiary_erase(person, operator=request.user)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("solidarity_beneficiary", pk=pk)
    messages.success(request, _("The record is erased; the trips stay, anonymous."))
    return redirect("solidarity_beneficiaries")


@operator_page
def request_new(request, pk: int):
    person = _beneficiary(request, pk)
    form = RequestForm(request.POST or None, beneficiary=person)
    created = _request_from_form(request, form, person)
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
    ranked = rank(territory_graph(), trip) if trip.status in ("new", "proposed") else []
    carpools = []
    if trip.status in ("new", "proposed"):
        carpools = offers_matching(
            pickup=Place(trip.pickup.x, trip.pickup.y),
            dropoff=Place(trip.destination.x, trip.destination.y),
            window_start=trip.window_start,
            window_end=trip.window_end,
            limit=5,
        )
    return render(
        request,
        "solidarity/request.html",
        {
            "trip": trip,
            "ranked": ranked,
            "proposals": trip.proposals.select_related("volunteer__user"),
            "carpools": carpools,
            "diary": trip.diary.select_related("actor"),
            "reason_form": ReasonForm(),
        },
    )


@operator_page
@require_POST
def request_action(request, pk: int, action: str):
    trip = _request(request, pk)
    reason = request.POST.get("reason", "")
    try:
        if action == "propose":
            ids = [int(v) for v in request.POST.getlist("volunteers") if v.isdigit()]
            chosen = list(Volunteer.objects.filter(pk__in=ids, structure=trip.structure))
            services.propose(trip, chosen, operator=request.user)
            messages.success(request, _("Proposed to the chosen volunteers."))
        elif action == "confirm":
            services.confirm(trip, operator=request.user)
        elif action == "close":
            services.close(trip, operator=request.user)
        elif action == "cancel":
            services.cancel(trip, operator=request.user, reason=reason)
        elif action == "unmet":
            services.mark_unmet(trip, operator=request.user, reason=reason)
        else:
            raise Http404
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    return redirect("solidarity_request", pk=pk)


@operator_page
def receipt(request, pk: int):
    trip = _request(request, pk)
    if trip.status not in ("done", "closed"):
        raise Http404
    return render(request, "solidarity/receipt.html", {"trip": trip, "settings": settings_get()})


@operator_page
def volunteers(request):
    people = Volunteer.objects.filter(structure__in=request.structures).select_related(
        "user", "structure"
    )
    return render(request, "solidarity/volunteers.html", {"people": people})


@operator_page
@require_POST
def volunteer_accept(request, pk: int):
    volunteer = get_object_or_404(Volunteer, pk=pk, structure__in=request.structures)
    try:
        services.volunteer_accept(volunteer, operator=request.user)
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("solidarity_volunteers")


# --- volunteers -----------------------------------------------------------------------------------
@login_required
@_enabled
def volunteer_home(request):
    """The volunteer's phone page: proposals to answer, trips to drive, trips driven."""
    mine = Volunteer.objects.filter(user=request.user).select_related("structure")
    proposals = (
        Proposal.objects.filter(volunteer__user=request.user, status=Proposal.Status.PROPOSED)
        .select_related("request__purpose", "request__structure")
        .order_by("request__window_start")
    )
    trips = (
        Request.objects.filter(volunteer__user=request.user)
        .exclude(status__in=["cancelled", "unmet"])
        .select_related("beneficiary", "purpose")
        .order_by("-window_start")[:50]
    )
    return render(
        request,
        "solidarity/volunteer.html",
        {
            "volunteers": mine,
            "proposals": proposals,
            "trips": trips,
            "done_form": DoneForm(),
            "now": timezone.now(),
        },
    )


@login_required
@_enabled
def volunteer_apply(request):
    form = VolunteerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.volunteer_apply(
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
    volunteer = Volunteer.objects.filter(user=request.user).first()
    if volunteer is None:
        raise Http404
    return volunteer


@login_required
@_enabled
def volunteer_availability(request):
    volunteer = _my_volunteer(request)
    form = AvailabilityForm(request.POST or None, volunteer=volunteer)
    absence = AbsenceForm(prefix="absence")
    if request.method == "POST" and form.is_valid():
        try:
            services.availability_set(volunteer, form.slots())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Availability saved."))
            return redirect("volunteer_availability")
    status = 400 if form.errors else 200
    return render(
        request,
        "solidarity/availability.html",
        {"form": form, "absence_form": absence, "volunteer": volunteer},
        status=status,
    )


@login_required
@_enabled
@require_POST
def volunteer_absence(request):
    volunteer = _my_volunteer(request)
    form = AbsenceForm(request.POST, prefix="absence")
    if form.is_valid():
        try:
            services.absence_add(
                volunteer, form.cleaned_data["first_day"], form.cleaned_data["last_day"]
            )
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                for error in errors:
                    messages.error(request, error)
        else:
            messages.success(request, _("Absence recorded."))
    else:
        messages.error(request, _("Give the first and last days of the absence."))
    return redirect("volunteer_availability")


@login_required
@_enabled
@require_POST
def proposal_answer(request, pk: int, answer: str):
    proposal = get_object_or_404(Proposal, pk=pk, volunteer__user=request.user)
    try:
        if answer == "accept":
            services.accept(proposal, volunteer_user=request.user)
            messages.success(request, _("Thank you! The trip is yours."))
        else:
            services.decline(
                proposal, volunteer_user=request.user, reason=request.POST.get("reason", "")
            )
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("volunteer_home")


@login_required
@_enabled
@require_POST
def trip_done(request, pk: int):
    trip = get_object_or_404(Request, pk=pk, volunteer__user=request.user)
    form = DoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the kilometres and the minutes of the trip."))
        return redirect("volunteer_home")
    try:
        services.record_done(
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


# --- structures, purposes and needs ---------------------------------------------------------------
@login_required
@_enabled
def structures(request):
    """Territory admins create structures and name their operators; admins and the
    structures' operators edit purposes and needs."""
    membership = request.membership
    is_admin = membership is not None and membership.has_role(Role.TERRITORY_ADMIN)
    editable = list(Structure.objects.all()) if is_admin else _operated(request)
    if not editable:
        raise PermissionDenied
    if request.method == "POST":
        try:
            _structures_post(request, is_admin, {s.pk: s for s in editable})
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        return redirect("solidarity_structures")
    operators = Membership.objects.filter(roles__contains=[Role.OPERATOR]).select_related("user")
    return render(
        request,
        "solidarity/structures.html",
        {
            "structures": Structure.objects.filter(pk__in=[s.pk for s in editable])
            .prefetch_related("operators", "purposes", "needs")
            .order_by("name"),
            "is_admin": is_admin,
            "candidates": [m.user for m in operators],
        },
    )


def _structures_post(request, is_admin: bool, editable: dict) -> None:
    action = request.POST.get("action", "")
    name = " ".join(request.POST.get("name", "").split())[:120]
    if action == "structure_new":
        if not is_admin:
            raise PermissionDenied
        if not name:
            raise ValidationError(_("Give the structure's name."))
        services.structure_create(name=name, phone=request.POST.get("phone", ""))
        messages.success(request, _("Structure created."))
        return
    pk = request.POST.get("structure", "")
    structure = editable.get(int(pk)) if pk.isdigit() else None
    if structure is None:
        raise Http404
    if action in ("operator_add", "operator_remove"):
        if not is_admin:
            raise PermissionDenied
        user_id = request.POST.get("user", "")
        member = Membership.objects.filter(
            user_id=int(user_id) if user_id.isdigit() else 0, roles__contains=[Role.OPERATOR]
        ).first()
        if member is None:
            raise ValidationError(_("Choose a member with the operator role."))
        if action == "operator_add":
            structure.operators.add(member.user)
        else:
            structure.operators.remove(member.user)
    elif action in ("purpose_add", "need_add"):
        if not name:
            raise ValidationError(_("Give a name."))
        if action == "purpose_add":
            services.purpose_add(structure, name)
        else:
            services.need_add(structure, name, request.POST.get("accessible") == "on")
    elif action in ("purpose_toggle", "need_toggle"):
        model = Purpose if action == "purpose_toggle" else Need
        item_id = request.POST.get("item", "")
        item = model.objects.filter(
            pk=int(item_id) if item_id.isdigit() else 0, structure=structure
        ).first()
        if item is None:
            raise Http404
        item.active = not item.active
        item.save(update_fields=["active"])
    else:
        raise Http404


# --- beneficiaries asking online ------------------------------------------------------------------
@login_required
@_enabled
def my_requests(request):
    """A person registered by a structure who can use the site asks for trips themself."""
    person = (
        Beneficiary.objects.filter(user=request.user, erased_at__isnull=True)
        .select_related("structure")
        .first()
    )
    if person is None:
        raise Http404
    form = RequestForm(request.POST or None, beneficiary=person)
    if _request_from_form(request, form, person):
        messages.success(request, _("Your request is sent: the structure will call you."))
        return redirect("solidarity_my_requests")
    status = 400 if form.errors else 200
    return render(
        request,
        "solidarity/my_requests.html",
        {"person": person, "form": form, "requests": person.requests.select_related("purpose")},
        status=status,
    )


# --- conversations ------------------------------------------------------------------------------
@login_required
@_enabled
def request_conversation(request, pk: int):
    """The operators of the structure and the volunteer assigned to the trip talking."""
    trip = get_object_or_404(
        Request.objects.select_related("structure", "volunteer__user"),
        pk=pk,
        volunteer__isnull=False,
    )
    talk = conversations.conversation_of_request(trip)
    if request.user.pk not in conversations.participants(talk):
        raise Http404
    operators = list(trip.structure.operators.all())
    return conversation_page(
        request,
        talk,
        "solidarity/conversation.html",
        {
            "trip": trip,
            "operators": operators,
            "is_operator": request.user in operators,
        },
    )
