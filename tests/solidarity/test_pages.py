"""The operators' and volunteers' pages: roles, structures and territories kept apart, and the
dispatch flow through the forms."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from solidarity.models import Beneficiary, OutboxMessage, Proposal, Request, Structure
from tenants.members.models import Membership
from tests.factories import PASSWORD
from themes.selectors import settings_get

from .conftest import HOSPITAL, next_thursday_at


def place(prefix, p):
    return {f"{prefix}_0": p.label, f"{prefix}_1": p.lon, f"{prefix}_2": p.lat}


def signed_in(cast, email):
    client = Client(HTTP_HOST=cast.host)
    assert (
        client.post("/accounts/login/", {"login": email, "password": PASSWORD}).status_code == 302
    )
    return client


def test_only_operators_of_a_structure_reach_the_board(sol, alpha):
    assert alpha.client("operator").get("/solidarity/").status_code == 200
    assert alpha.client("citizen").get("/solidarity/").status_code == 403
    assert alpha.client().get("/solidarity/").status_code == 302  # to sign in
    with schema_context(alpha.territory.schema_name):
        sol.structure.operators.remove(sol.operator)
    assert alpha.client("operator").get("/solidarity/").status_code == 403


def test_pages_are_absent_when_the_territory_has_not_switched_it_on(sol, alpha):
    with schema_context(alpha.territory.schema_name):
        current = settings_get()
        current.solidarity_enabled = False
        current.save()
    assert alpha.client("operator").get("/solidarity/").status_code == 404
    assert alpha.client("volunteer").get("/volunteer/").status_code == 404


def test_register_a_person_on_the_phone_then_a_request(sol, alpha):
    operator = alpha.client("operator")
    form = {
        "structure": sol.structure.pk,
        "first_name": "Anna",
        "last_name": "Font",
        "phone": "",
        **place("home", HOSPITAL),
        "social_criterion": "aah",
    }
    bad = operator.post("/solidarity/beneficiaries/new/", {**form, "first_name": ""})
    assert bad.status_code == 400 and "Ce champ est obligatoire" in bad.content.decode()
    created = operator.post("/solidarity/beneficiaries/new/", form)
    assert created.status_code == 302
    with schema_context(alpha.territory.schema_name):
        anna = Beneficiary.objects.get(last_name="Font")
    assert anna.eligible and anna.eligibility_basis == "social"
    request_form = {
        "purpose": sol.purpose.pk,
        **place("destination", HOSPITAL.__class__(1.5975, 42.5670, "Canillo")),
        "date": next_thursday_at(9).date().isoformat(),
        "timing": "morning",
        "return_kind": "none",
    }
    response = operator.post(f"/solidarity/beneficiaries/{anna.pk}/requests/new/", request_form)
    assert response.status_code == 302, response.content.decode()[:2000]
    with schema_context(alpha.territory.schema_name):
        request = Request.objects.get(beneficiary=anna)
    assert timezone.localtime(request.window_start).hour == 8
    assert timezone.localtime(request.window_end).hour == 12
    page = operator.get(f"/solidarity/requests/{request.pk}/").content.decode()
    assert "km de trajet depuis son domicile" in page
    past = {**request_form, "date": (timezone.localdate() - timedelta(days=1)).isoformat()}
    refused = operator.post(f"/solidarity/beneficiaries/{anna.pk}/requests/new/", past)
    assert refused.status_code == 400 and "dans le futur" in refused.content.decode()
    # A past day and a missing destination: both at once, not the day after the place.
    both = operator.post(
        f"/solidarity/beneficiaries/{anna.pk}/requests/new/",
        {**past, "destination_0": "", "destination_1": "", "destination_2": ""},
    )
    assert {"date", "destination"} <= set(both.context["form"].errors)
    assert "Le formulaire contient 2\xa0erreurs" in both.content.decode()


def test_dispatch_then_the_volunteer_accepts_on_their_page(sol, alpha):
    with schema_context(alpha.territory.schema_name):
        request = sol.request()
    operator = alpha.client("operator")
    laia, pere = sol.volunteers["canillo"], sol.volunteers["encamp"]
    response = operator.post(
        f"/solidarity/requests/{request.pk}/propose/",
        {"volunteers": [laia.pk, pere.pk]},
        follow=True,
    )
    assert "Proposé aux bénévoles choisis" in response.content.decode()
    laia_page = signed_in(alpha, laia.user.email)
    before = laia_page.get("/volunteer/").content.decode()
    assert "Rendez-vous médical" in before and "Canillo" in before
    assert "+376 000 000" not in before  # no phone before accepting
    assert "km pour vous depuis votre domicile, aller et retour" in before  # spoken to her
    with schema_context(alpha.territory.schema_name):
        proposal = Proposal.objects.get(volunteer=laia)
    # A volunteer never opens the request itself, and Pere cannot answer Laia's proposal.
    assert laia_page.get(f"/solidarity/requests/{request.pk}/").status_code == 403
    pere_page = signed_in(alpha, pere.user.email)
    assert pere_page.post(f"/volunteer/proposals/{proposal.pk}/accept/").status_code == 404
    assert laia_page.post(f"/volunteer/proposals/{proposal.pk}/accept/").status_code == 302
    after = laia_page.get("/volunteer/").content.decode()
    assert "+376 000 000" in after and "Maria Casals" in after
    assert "Rendez-vous médical" not in pere_page.get("/volunteer/").content.decode()
    operator.post(f"/solidarity/requests/{request.pk}/confirm/")
    page = operator.get(f"/solidarity/requests/{request.pk}/").content.decode()
    # The diary in French, the request's state agreeing with « demande ».
    for said in ("demande créée par un·e opérateur·rice", "proposée aux bénévoles",
                 "acceptée par un·e bénévole", "bénévole confirmé·e → confirmée"):  # fmt: skip
        assert said in page, said
    assert "created →" not in page
    with schema_context(alpha.territory.schema_name):
        Request.objects.filter(pk=request.pk).update(
            window_start=timezone.now() - timedelta(hours=3),
            window_end=timezone.now() - timedelta(hours=3),
        )
    done = {"km": "12.5", "minutes": "80"}
    assert pere_page.post(f"/volunteer/trips/{request.pk}/done/", done).status_code == 404
    laia_page.post(f"/volunteer/trips/{request.pk}/done/", done)
    receipt = operator.get(f"/solidarity/requests/{request.pk}/receipt/").content.decode()
    assert "12,5 km" in receipt and "4,00 €" in receipt  # 12.5 × 0.32


def test_other_structures_and_territories_see_nothing(sol, alpha, beta):
    with schema_context(alpha.territory.schema_name):
        request = sol.request()
        other = Structure.objects.create(name="Autre")
        other.operators.add(alpha["admin"])
    with schema_context(alpha.territory.schema_name):
        Membership.objects.filter(user=alpha["admin"]).update(
            roles=["citizen", "territory_admin", "operator"]
        )
        current = settings_get()
    stranger = alpha.client("admin")
    for path in (
        f"/solidarity/requests/{request.pk}/",
        f"/solidarity/requests/{request.pk}/receipt/",
        f"/solidarity/beneficiaries/{sol.beneficiary.pk}/",
        f"/solidarity/beneficiaries/{sol.beneficiary.pk}/export/",
    ):
        assert stranger.get(path).status_code == 404, path
    assert (
        stranger.post(f"/solidarity/requests/{request.pk}/cancel/", {"reason": "x"}).status_code
        == 404
    )
    assert "Casals" not in stranger.get("/solidarity/").content.decode()
    # Beta's operator, on Beta's site, reaches nothing of Alpha.
    with schema_context(beta.territory.schema_name):
        beta_settings = settings_get()
        beta_settings.solidarity_enabled = True
        beta_settings.save()
        Structure.objects.create(name="Beta").operators.add(beta["operator"])
    beta_operator = beta.client("operator")
    assert beta_operator.get(f"/solidarity/requests/{request.pk}/").status_code == 404
    assert "Casals" not in beta_operator.get("/solidarity/").content.decode()
    assert current.solidarity_enabled


def test_admins_create_structures_and_operators_edit_purposes_and_needs(sol, alpha):
    admin = alpha.client("admin")
    page = admin.get("/solidarity/structures/")
    assert page.status_code == 200 and "Entraide Encamp" in page.content.decode()
    admin.post("/solidarity/structures/", {"action": "structure_new", "name": "Croix de la vallée"})
    with schema_context(alpha.territory.schema_name):
        created = Structure.objects.get(name="Croix de la vallée")
    admin.post(
        "/solidarity/structures/",
        {"action": "operator_add", "structure": created.pk, "user": sol.operator.pk},
    )
    operator = alpha.client("operator")
    operator.post(
        "/solidarity/structures/",
        {"action": "need_add", "structure": created.pk, "name": "Oxygène", "accessible": "on"},
    )
    operator.post(
        "/solidarity/structures/",
        {"action": "purpose_toggle", "structure": sol.structure.pk, "item": sol.purpose.pk},
    )
    # Operators do not create structures nor name operators; citizens reach nothing.
    refused = operator.post("/solidarity/structures/", {"action": "structure_new", "name": "X"})
    assert refused.status_code == 403
    assert alpha.client("citizen").get("/solidarity/structures/").status_code == 403
    with schema_context(alpha.territory.schema_name):
        assert created.operators.filter(pk=sol.operator.pk).exists()
        assert created.needs.get(name="Oxygène").requires_accessible_vehicle
        sol.purpose.refresh_from_db()
        assert not sol.purpose.active and not Structure.objects.filter(name="X").exists()
    duplicate = admin.post(
        "/solidarity/structures/",
        {"action": "structure_new", "name": "croix de la vallée"},
        follow=True,
    )
    assert "Une structure porte déjà ce nom" in duplicate.content.decode()


def test_a_registered_person_with_an_account_asks_online(sol, alpha):
    operator = alpha.client("operator")
    form = {
        "structure": sol.structure.pk,
        "first_name": "Berta",
        "last_name": "Online",
        **place("home", HOSPITAL.__class__(1.5975, 42.5670, "Canillo")),
        "social_criterion": "aspa",
        "email": "nobody@nowhere.test",
    }
    unknown = operator.post("/solidarity/beneficiaries/new/", form)
    assert unknown.status_code == 400 and "Aucun membre" in unknown.content.decode()
    form["email"] = alpha.email("beneficiary")
    assert operator.post("/solidarity/beneficiaries/new/", form).status_code == 302
    assert alpha.client("citizen").get("/solidarity/my-requests/").status_code == 404
    person = alpha.client("beneficiary")
    page = person.get("/solidarity/my-requests/")
    assert page.status_code == 200 and "Entraide Encamp" in page.content.decode()
    sent = person.post(
        "/solidarity/my-requests/",
        {
            "purpose": sol.purpose.pk,
            **place("destination", HOSPITAL),
            "date": next_thursday_at(9).date().isoformat(),
            "timing": "afternoon",
            "return_kind": "none",
        },
        follow=True,
    )
    assert "la structure va vous appeler" in sent.content.decode()
    with schema_context(alpha.territory.schema_name):
        request = Request.objects.get(beneficiary__last_name="Online")
        assert request.diary.get().action == "created online"
        assert OutboxMessage.objects.filter(user=sol.operator, request=request).exists()


def test_the_ranking_says_why_and_an_empty_set_aside_list_is_not_offered(sol, alpha):
    with schema_context(alpha.territory.schema_name):
        request = sol.request()
    page = alpha.client("operator").get(f"/solidarity/requests/{request.pk}/").content.decode()
    assert "pour répartir les trajets équitablement" in page
    assert "aucun trajet ces 30 derniers jours" in page
    excluded = page.count("écarté")
    with schema_context(alpha.territory.schema_name):
        from matching.graphs import load_graph
        from solidarity.ranking import volunteers_rank

        set_aside = [r for r in volunteers_rank(load_graph("andorra"), request) if not r.kept]
    assert bool(excluded) == bool(set_aside)


def test_the_absences_address_sends_a_get_to_the_availability_page(sol, alpha):
    laia = Client(HTTP_HOST=alpha.host)
    laia.post(
        "/accounts/login/", {"login": sol.volunteers["canillo"].user.email, "password": PASSWORD}
    )
    response = laia.get("/volunteer/absences/")
    assert response.status_code == 302 and response["Location"] == "/volunteer/availability/"
