"""What the operators and volunteers read after each action and on each page: a message for
every change, French dates and typography, labels that tell the fields apart."""

from datetime import timedelta

from django.utils import formats, timezone
from django_tenants.utils import schema_context

from core.services import user_ensure_verified
from solidarity.models import Proposal, Request, Structure
from solidarity.services.volunteers import volunteer_apply
from tenants.members.services import membership_join
from tests.factories import PASSWORD

from .conftest import ENCAMP, next_thursday_at
from .test_pages import signed_in


def said(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_every_request_action_ends_with_a_message(sol, alpha):
    with schema_context(alpha.territory.schema_name):
        trip, to_cancel, to_give_up = sol.request(), sol.request(), sol.request()
    operator = alpha.client("operator")
    laia, pere = sol.volunteers["canillo"], sol.volunteers["encamp"]
    url = f"/solidarity/requests/{trip.pk}"
    page = said(operator.post(f"{url}/propose/", {"volunteers": [pere.pk]}, follow=True))
    assert "Proposé aux bénévoles choisis" in page
    pere_page = signed_in(alpha, pere.user.email)
    with schema_context(alpha.territory.schema_name):
        proposal = Proposal.objects.get(volunteer=pere)
    answer = pere_page.post(f"/volunteer/proposals/{proposal.pk}/decline/", follow=True)
    assert "Merci de votre réponse" in said(answer)
    operator.post(f"{url}/propose/", {"volunteers": [laia.pk]})
    laia_page = signed_in(alpha, laia.user.email)
    with schema_context(alpha.territory.schema_name):
        proposal = Proposal.objects.get(volunteer=laia)
    laia_page.post(f"/volunteer/proposals/{proposal.pk}/accept/")
    mine = said(laia_page.get("/volunteer/"))
    assert "Vous avez accepté ce trajet" in mine and "acceptée par un·e bénévole" not in mine
    assert "Bénévole confirmé·e." in said(operator.post(f"{url}/confirm/", follow=True))
    with schema_context(alpha.territory.schema_name):
        Request.objects.filter(pk=trip.pk).update(
            window_start=timezone.now() - timedelta(hours=3),
            window_end=timezone.now() - timedelta(hours=3),
        )
    laia_page.post(f"/volunteer/trips/{trip.pk}/done/", {"km": "12.5", "minutes": "80"})
    assert "Demande clôturée." in said(operator.post(f"{url}/close/", follow=True))
    cancelled = operator.post(
        f"/solidarity/requests/{to_cancel.pk}/cancel/", {"reason": "Déplacé"}, follow=True
    )
    assert "Demande annulée." in said(cancelled)
    assert "demande annulée → annulée" not in said(cancelled)  # the state said once
    unmet = operator.post(
        f"/solidarity/requests/{to_give_up.pk}/unmet/", {"reason": "Personne"}, follow=True
    )
    assert "Demande enregistrée comme sans solution." in said(unmet)
    # A refused action says why, and not that it is done.
    again = said(operator.post(f"/solidarity/requests/{to_cancel.pk}/close/", follow=True))
    assert "Demande clôturée." not in again and "pas possible maintenant" in again


def test_the_diary_shows_only_real_changes_of_state_with_french_dates(sol, alpha):
    with schema_context(alpha.territory.schema_name):
        trip = sol.request()
    operator = alpha.client("operator")
    pere = sol.volunteers["encamp"]
    operator.post(f"/solidarity/requests/{trip.pk}/propose/", {"volunteers": [pere.pk]})
    operator.post(f"/solidarity/requests/{trip.pk}/propose/", {"volunteers": [pere.pk]})
    page = said(operator.get(f"/solidarity/requests/{trip.pk}/"))
    # « proposée aux bénévoles » says both what happened and the state: said once per line.
    assert "→ proposée aux bénévoles" not in page
    assert page.count("— proposée aux bénévoles") == 2
    with schema_context(alpha.territory.schema_name):
        at = timezone.localtime(trip.diary.first().at)
    day = formats.date_format(at, "j N")
    assert day == day.lower() and day in page
    # The pickup window of one day says the day once; the two reasons are told apart.
    start = timezone.localtime(trip.window_start)
    assert f"{formats.date_format(start, 'l j F, H:i')} – 10:00," in page
    assert "Motif de l’annulation" in page and "Motif de l’absence de solution" in page


def test_structure_and_volunteer_actions_end_with_a_message(sol, alpha):
    admin = alpha.client("admin")
    with schema_context(alpha.territory.schema_name):
        structure = Structure.objects.get(name="Entraide Encamp")
    post = {"structure": structure.pk}

    def act(action, **values):
        return said(admin.post("/solidarity/structures/", {**post, "action": action, **values},
                               follow=True))  # fmt: skip

    assert "Opérateur·rice ajouté·e." in act("operator_add", user=sol.operator.pk)
    assert "Opérateur·rice retiré·e." in act("operator_remove", user=sol.operator.pk)
    assert "Motif ajouté." in act("purpose_add", name="Courses")
    assert "Besoin ajouté." in act("need_add", name="Oxygène")
    assert "Motif désactivé." in act("purpose_toggle", item=sol.purpose.pk)
    assert "Motif activé." in act("purpose_toggle", item=sol.purpose.pk)
    assert "Besoin désactivé." in act("need_toggle", item=sol.bags.pk)
    assert "Besoin activé." in act("need_toggle", item=sol.bags.pk)
    with schema_context(alpha.territory.schema_name):
        sol.structure.operators.add(sol.operator)
        user = user_ensure_verified("Nuria@volunteers.test", password=PASSWORD, first_name="Nuria")
        membership_join(user)
        candidate = volunteer_apply(user=user, structure=structure, home=ENCAMP)
    accepted = alpha.client("operator").post(
        f"/solidarity/volunteers/{candidate.pk}/accept/", follow=True
    )
    assert "est accepté·e comme bénévole" in said(accepted)


def test_pages_read_well_on_a_phone(sol, alpha):
    with schema_context(alpha.territory.schema_name):
        sol.request()
    operator = alpha.client("operator")
    board = said(operator.get("/solidarity/"))
    # On a phone each request becomes a block of labelled cells (archipel.css).
    assert 'class="board requests"' in board and 'data-label="Prise en charge"' in board
    assert (
        f"{formats.date_format(timezone.localtime(next_thursday_at(9)), 'D j N, H:i')} – 10:00"
        in board
    )
    form = said(operator.get(f"/solidarity/beneficiaries/{sol.beneficiary.pk}/requests/new/"))
    assert "Choisir un motif" in form and "---------" not in form
    structures = said(operator.get("/solidarity/structures/"))
    assert 'class="small' not in structures
    assert '<label class="check-inline"><input type="checkbox" name="accessible">' in structures
    laia = signed_in(alpha, sol.volunteers["canillo"].user.email)
    availability = said(laia.get("/volunteer/availability/"))
    # A grid of days × parts of the day: the day is said once, the full name only to readers.
    assert '<th scope="row">lundi</th>' in availability
    assert '<th scope="col">matin</th>' in availability
    assert '<span class="visually-hidden">lundi, matin</span>' in availability
