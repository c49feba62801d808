"""Solidarity requests: eligibility, refusals, ranking on the road network, and every state of
the assignment workflow."""

from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.contrib.gis.db.models.functions import PointOnSurface
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import Conflict
from core.services import user_ensure_verified
from matching.graphs import load_graph
from matching.network import commune_at
from solidarity.models import DiaryEntry, OutboxMessage, Proposal, Request, Structure
from solidarity.ranking import FAIRNESS_KM_PER_TRIP, driving, volunteers_rank
from solidarity.selectors import beneficiary_export
from solidarity.services.beneficiaries import beneficiary_erase, beneficiary_register, eligibility
from solidarity.services.dispatch import (
    assignment_confirm,
    assignment_record,
    proposal_accept,
    proposal_decline,
    request_propose,
)
from solidarity.services.requests import request_cancel, request_close, request_mark_unmet
from solidarity.services.volunteers import absence_add, availability_set, volunteer_apply
from tenants.models import Area
from tests.factories import PASSWORD
from themes.selectors import settings_get
from trips.errors import ValidationError
from trips.models import Journey

from .conftest import CANILLO, ENCAMP, SANT_JULIA, next_thursday_at, volunteer


def test_eligibility_follows_the_french_frame_and_records_its_basis(sol):
    small = (
        Area.objects.filter(kind="commune", population__lt=12_000)
        .annotate(inner=PointOnSurface("geometry"))
        .first()
    )
    big = (
        Area.objects.filter(kind="commune", population__gt=100_000)
        .annotate(inner=PointOnSurface("geometry"))
        .first()
    )
    kept = eligibility(small.inner)
    assert kept.eligible and kept.basis == "commune" and small.name in kept.detail
    refused = eligibility(big.inner)
    assert not refused.eligible and big.name in refused.detail
    attested = eligibility(big.inner, "aah")
    assert attested.eligible and attested.basis == "social" and "AAH" in attested.detail
    current = settings_get()
    current.solidarity_population_threshold = small.population  # no longer *under* it
    current.save()
    assert not eligibility(small.inner).eligible
    current.solidarity_rule = "anyone"
    current.save()
    assert eligibility(big.inner).basis == "territory"


def test_registration_refusals_leave_nothing(sol):
    values = {
        "operator": sol.operator,
        "structure": sol.structure,
        "first_name": "Joan",
        "last_name": "Pla",
        "home": CANILLO,
    }
    with pytest.raises(ValidationError) as error:
        beneficiary_register(**{**values, "home": SANT_JULIA.__class__(2.35, 48.85)})
    assert "home" in error.value.message_dict
    other = Structure.objects.create(name="Autre structure")
    with pytest.raises(PermissionDenied):
        beneficiary_register(**{**values, "structure": other})
    not_eligible = beneficiary_register(**values)  # parish population unknown
    assert not not_eligible.eligible
    with pytest.raises(Conflict, match="pas éligible"):
        sol.request(beneficiary=not_eligible)
    assert not Request.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"window_start": timezone.now() - timedelta(hours=1)}, "window_start"),
        ({"window_end": timezone.now() + timedelta(minutes=1)}, "window_end"),
        ({"return_kind": "again"}, "return_at"),  # no return time
        ({"destination": SANT_JULIA.__class__(2.35, 48.85)}, "destination"),
    ],
)
def test_bad_requests_are_field_errors(sol, changes, field):
    with pytest.raises(ValidationError) as error:
        sol.request(**changes)
    assert field in error.value.message_dict
    assert not Request.objects.exists() and not DiaryEntry.objects.exists()


def test_a_trip_beyond_the_territory_limit_is_refused_with_its_length(sol):
    current = settings_get()
    current.solidarity_max_trip_km = 5
    current.save()
    with pytest.raises(ValidationError) as error:
        sol.request(destination=SANT_JULIA)
    message = error.value.message_dict["destination"][0]
    assert "limités à 5 km" in message
    assert not Request.objects.exists()


@pytest.mark.parametrize("return_kind", ["none", "wait", "again"])
def test_ranking_uses_the_real_road_driving_of_each_volunteer(sol, return_kind):
    changes = {"return_kind": return_kind}
    if return_kind == "again":
        changes["return_at"] = next_thursday_at(16)
    request = sol.request(**changes)
    graph = load_graph("andorra")
    ranked = volunteers_rank(graph, request)
    kept = [r for r in ranked if r.kept]
    assert len(kept) == 3
    assert kept[0].volunteer == sol.volunteers["canillo"]  # lives at the pickup
    p, d = request.pickup_node, request.destination_node
    for r in kept:
        h = r.volunteer.home_node
        legs = {
            "none": [(h, p), (p, d), (d, h)],
            "wait": [(h, p), (p, d), (d, p), (p, h)],  # waits and brings her back
            "again": [(h, p), (p, d), (d, h), (h, d), (d, p), (p, h)],
        }[return_kind]
        routes = [graph.route(a, b) for a, b in legs if a != b]
        assert r.driving_m == pytest.approx(sum(x.distance_m for x in routes), abs=1.0)
        assert r.driving_s == pytest.approx(sum(x.duration_s for x in routes), abs=1.0)
        km = f"{round(r.driving_m / 1000, 1):.1f}".replace(".", ",")
        assert km in r.reason
    assert [r.score for r in kept] == sorted(r.score for r in kept)


@pytest.mark.parametrize("return_kind", ["none", "wait", "again"])
def test_a_volunteer_beyond_their_own_maximum_is_set_aside_with_the_driving(sol, return_kind):
    """Someone whose legs as the crow flies already exceed their maximum is set aside without
    unpacking the roads ("at least"); one below it as the crow flies but over it by road gets
    the real figure. Those within it keep their exact driving."""
    changes = {"return_kind": return_kind}
    if return_kind == "again":
        changes["return_at"] = next_thursday_at(16)
    request = sol.request(**changes)
    graph = load_graph("andorra")
    vella, encamp = sol.volunteers["vella"], sol.volunteers["encamp"]
    exact = {r.volunteer.pk: r.driving_m for r in volunteers_rank(graph, request)}
    far = volunteer(sol.structure, "Nuria", SANT_JULIA, sol.operator, max_trip_km=1)
    # Jordi's straight-line bound and road driving, and a maximum between the two.
    found = driving(graph, request, np.array([vella.home_node]), within_m=0.0)
    assert found.at_least[0] and found.metres[0] < exact[vella.pk]
    between = int(found.metres[0] // 1000) + 1
    assert between * 1000 < exact[vella.pk], "the bound and the road are a kilometre apart"
    vella.max_trip_km = between
    vella.save(update_fields=["max_trip_km"])
    ranked = {r.volunteer.pk: r for r in volunteers_rank(graph, request)}
    assert not ranked[far.pk].kept
    assert ranked[far.pk].reason.startswith("au moins ")
    assert ranked[far.pk].reason.endswith("plus que ses 1 km")
    assert not ranked[vella.pk].kept
    km = f"{round(exact[vella.pk] / 1000, 1):.1f}".replace(".", ",")
    assert ranked[vella.pk].reason == f"{km} km de trajet, plus que ses {between} km"
    assert ranked[encamp.pk].kept
    assert ranked[encamp.pk].driving_m == pytest.approx(exact[encamp.pk], abs=1e-6)


def test_needs_vehicle_absence_and_status_are_hard_filters(sol):
    request = sol.request(needs=[sol.wheelchair])
    kept = {r.volunteer.pk: r for r in volunteers_rank(load_graph("andorra"), request)}
    assert [pk for pk, r in kept.items() if r.kept] == [sol.volunteers["vella"].pk]
    assert "Fauteuil roulant" in kept[sol.volunteers["canillo"].pk].reason
    absence_add(
        sol.volunteers["vella"],
        timezone.localdate(),
        request.window_start.date() + timedelta(days=1),
    )
    candidate_user = user_ensure_verified("new@volunteers.test", password=PASSWORD)
    volunteer_apply(user=candidate_user, structure=sol.structure, home=ENCAMP)
    ranked = volunteers_rank(load_graph("andorra"), request)
    assert not any(r.kept for r in ranked)
    reasons = {r.volunteer.user.email: r.reason for r in ranked}
    assert reasons["jordi@volunteers.test"] == "pas disponible à ce moment (créneaux ou absence)"
    assert reasons["new@volunteers.test"] == "pas encore bénévole accepté"


def test_slots_outside_the_window_exclude_a_volunteer(sol):
    availability_set(sol.volunteers["canillo"], [(3, "afternoon", *_hours(14, 18))])
    ranked = {r.volunteer.pk: r for r in volunteers_rank(load_graph("andorra"), sol.request())}
    assert not ranked[sol.volunteers["canillo"].pk].kept
    assert ranked[sol.volunteers["encamp"].pk].kept


def _hours(a, b):
    from datetime import time

    return time(a), time(b)


def test_fairness_moves_a_busy_volunteer_down(sol):
    twin = volunteer(sol.structure, "Marta", CANILLO, sol.operator)
    graph = load_graph("andorra")
    first = volunteers_rank(graph, sol.request())
    # Two volunteers at the same home: same driving, the lower id first.
    order = [r.volunteer for r in first if r.volunteer in (sol.volunteers["canillo"], twin)]
    assert order == [sol.volunteers["canillo"], twin]
    # Laia drove last week: Marta comes first now.
    done = sol.request(window_start=next_thursday_at(15), window_end=next_thursday_at(15))
    Request.objects.filter(pk=done.pk).update(
        volunteer=sol.volunteers["canillo"],
        status="done",
        window_start=timezone.now() - timedelta(days=7),
        window_end=timezone.now() - timedelta(days=7),
        busy=(timezone.now() - timedelta(days=7, hours=1), timezone.now() - timedelta(days=7)),
    )
    again = volunteers_rank(graph, sol.request())
    laia = next(r for r in again if r.volunteer == sol.volunteers["canillo"])
    marta = next(r for r in again if r.volunteer == twin)
    assert laia.score == pytest.approx(marta.score + FAIRNESS_KM_PER_TRIP)
    assert again.index(marta) < again.index(laia)
    assert "1 trajet ces 30 derniers jours, compté 10 km pour l’équité" in laia.reason
    assert laia.reason.endswith(" km au classement")


def test_the_whole_workflow_with_its_diary_and_messages(sol, django_capture_on_commit_callbacks):
    request = sol.request()
    laia, pere = sol.volunteers["canillo"], sol.volunteers["encamp"]
    with pytest.raises(Conflict):
        assignment_confirm(request, operator=sol.operator)  # nothing accepted yet
    request_propose(request, [laia, pere], operator=sol.operator)
    assert OutboxMessage.objects.filter(user=laia.user).count() == 1
    proposal_laia = Proposal.objects.get(volunteer=laia)
    proposal_pere = Proposal.objects.get(volunteer=pere)
    with pytest.raises(PermissionDenied):
        proposal_accept(proposal_laia, volunteer_user=pere.user)
    proposal_accept(proposal_laia, volunteer_user=laia.user)
    proposal_pere.refresh_from_db()
    assert proposal_pere.status == "released"
    assert OutboxMessage.objects.filter(user=pere.user, subject__contains="merci").exists()
    with pytest.raises(Conflict):
        proposal_accept(proposal_pere, volunteer_user=pere.user)
    request.refresh_from_db()
    assert (request.status, request.volunteer) == ("accepted", laia)
    assignment_confirm(request, operator=sol.operator)
    with pytest.raises(ValidationError):  # not driven yet
        assignment_record(request, volunteer_user=laia.user, km=Decimal("20"), minutes=90)
    Request.objects.filter(pk=request.pk).update(
        window_start=timezone.now() - timedelta(hours=3),
        window_end=timezone.now() - timedelta(hours=2),
    )
    current = settings_get()
    current.solidarity_cost_per_km = Decimal("0.400")  # above the legal cap of 0.32
    current.save()
    with pytest.raises(PermissionDenied):
        assignment_record(request, volunteer_user=pere.user, km=Decimal("20"), minutes=90)
    assignment_record(request, volunteer_user=laia.user, km=Decimal("23.4"), minutes=95)
    request.refresh_from_db()
    assert request.indemnity == Decimal("7.49")  # 23.4 × 0.32, rounded half up
    journey = Journey.objects.get()
    assert journey.kind == "solidarity" and journey.driver == laia.user
    assert journey.dropoff_commune == "AD-08"  # Escaldes-Engordany
    assert journey.pickup_commune == commune_at(request.pickup)
    request_close(request, operator=sol.operator)
    actions = list(request.diary.values_list("action", "status"))
    assert actions == [
        ("created", "new"),
        ("proposed", "proposed"),
        ("accepted", "accepted"),
        ("confirmed", "confirmed"),
        ("done", "done"),
        ("closed", "closed"),
    ]
    assert all(e.actor for e in request.diary.all())


def test_decline_unmet_and_cancel(sol):
    request = sol.request()
    laia = sol.volunteers["canillo"]
    request_propose(request, [laia], operator=sol.operator)
    proposal_decline(Proposal.objects.get(), volunteer_user=laia.user, reason="Malade")
    with pytest.raises(ValidationError):
        request_mark_unmet(request, operator=sol.operator, reason=" ")
    request_mark_unmet(request, operator=sol.operator, reason="Aucun bénévole libre")
    request.refresh_from_db()
    assert (request.status, request.status_reason) == ("unmet", "Aucun bénévole libre")
    other = sol.request(window_start=next_thursday_at(14), window_end=next_thursday_at(14))
    request_propose(other, [laia], operator=sol.operator)
    proposal_accept(Proposal.objects.get(request=other), volunteer_user=laia.user)
    request_cancel(other, operator=sol.operator, reason="Rendez-vous annulé")
    assert OutboxMessage.objects.filter(user=laia.user, subject__contains="annulé").exists()


def test_a_volunteer_is_never_assigned_twice_at_the_same_time(sol):
    laia = sol.volunteers["canillo"]
    first, second = sol.request(), sol.request()
    request_propose(first, [laia], operator=sol.operator)
    request_propose(second, [laia], operator=sol.operator)
    proposal_accept(Proposal.objects.get(request=first), volunteer_user=laia.user)
    with pytest.raises(Conflict, match="déjà un trajet"):
        proposal_accept(Proposal.objects.get(request=second), volunteer_user=laia.user)
    second.refresh_from_db()
    assert second.status == "proposed" and second.volunteer is None
    # The ranking now tells the operator why.
    ranked = {r.volunteer.pk: r for r in volunteers_rank(load_graph("andorra"), second)}
    assert ranked[laia.pk].reason == "déjà affecté(e) à ce moment"
    with pytest.raises(Conflict, match="déjà affecté"):
        request_propose(second, [laia], operator=sol.operator)


def test_an_operator_of_another_structure_cannot_act(sol):
    request = sol.request()
    stranger = sol.cast["admin"]
    other = Structure.objects.create(name="Autre")
    other.operators.add(stranger)
    for action in (
        lambda: request_propose(request, [sol.volunteers["canillo"]], operator=stranger),
        lambda: assignment_confirm(request, operator=stranger),
        lambda: request_cancel(request, operator=stranger, reason="x"),
        lambda: request_mark_unmet(request, operator=stranger, reason="x"),
        lambda: beneficiary_erase(sol.beneficiary, operator=stranger),
    ):
        with pytest.raises(PermissionDenied):
            action()
    request.refresh_from_db()
    assert request.status == "new" and request.diary.count() == 1


def test_export_and_erasure_keep_anonymous_trips(sol):
    request = sol.request()
    exported = beneficiary_export(sol.beneficiary)
    assert exported["last_name"] == "Casals" and exported["requests"][0]["status"] == "new"
    with pytest.raises(Conflict):  # an open request first
        beneficiary_erase(sol.beneficiary, operator=sol.operator)
    request_mark_unmet(request, operator=sol.operator, reason="Pas de bénévole")
    beneficiary_erase(sol.beneficiary, operator=sol.operator)
    sol.beneficiary.refresh_from_db()
    request.refresh_from_db()
    assert sol.beneficiary.phone == "" and "Casals" not in str(sol.beneficiary)
    assert sol.beneficiary.home is None and request.pickup_label == "—"
    assert request.pickup.x == round(request.pickup.x, 2)
    assert "Casals" not in str(beneficiary_export(sol.beneficiary))
