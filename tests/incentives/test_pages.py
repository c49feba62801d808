"""The incentives' pages and files: a campaign made through its form (every error at once,
nothing half-saved), simulated, activated, frozen; the statement's CSV, XLSX and SEPA file
(checked against the pain.001 XSD, control sum = the statement's); "Mes primes" with an IBAN
shown masked; who sees what, and nothing of another territory."""

import csv
import io
import os
from datetime import timedelta
from decimal import Decimal

import sepaxml
import xmlschema
from django.utils import timezone
from openpyxl import load_workbook

from incentives.iban import decrypt
from incentives.models import BankAccount, Campaign, Line, Payout, Simulation
from incentives.services.accrual import journey_accrue
from incentives.services.payouts import bank_account_set
from tenants.members.models import Membership, Role

from .conftest import at, campaign_of, carpool

XSD = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", "pain.001.001.03.xsd")
FORM = {
    "name": "Encamp covoiturage",
    "starts_on": "2026-01-01",
    "ends_on": "2027-12-31",
    "budget": "2000",
    "paid": "passenger",
    "funder_name": "Comú d'Encamp",
    "funder_siret": "21000000000013",
    "funder_iban": "FR76 3000 6000 0112 3456 7890 189",
    "thresholds": "80, 100",
    "per_km": "0,10",
    "distance_min_km": "2",
    "distance_max_km": "40",
    "origin_areas": ["AD-03"],
    "destination_areas": ["AD-03"],
    "areas_join": "and",
    "polygon_join": "and",
    "min_class": "A",
    "cap_month": "30",
}


def test_every_problem_of_a_campaign_shows_at_once_and_nothing_is_saved(in_alpha):
    bad = {
        **FORM,
        "ends_on": "2025-01-01",
        "budget": "0",
        "per_km": "-1",
        "bands": "0-20: 0,1\n15-40: 0,05",
        "origin_areas": ["AD-03"],
        "cap_month": "0",
        "funder_siret": "12345678901234",
        "hours": "10:00-08:00",
    }
    page = in_alpha.client("admin").post("/incentives/new/", bad)
    assert page.status_code == 400
    text = page.content.decode()
    for message in (
        "La campagne finit après son début.",
        "Un budget est supérieur à 0",
        "Des tranches se chevauchent",
        "Un plafond de zéro ne paie rien",
        "clé de contrôle",
        "Une plage horaire finit après son début",
    ):
        assert message in text, message
    assert not Campaign.objects.exists()


def test_a_campaign_is_made_simulated_activated_and_frozen(in_alpha, ride, people):
    admin = in_alpha.client("admin")
    day = timezone.localdate() - timedelta(days=20)
    for i in range(3):
        carpool(ride, people[0], people[1 + i], at(day, 8 + i), km=18)
    page = admin.post("/incentives/new/", FORM)
    assert page.status_code == 302, page.content.decode()[:3000]
    campaign = Campaign.objects.get()
    assert campaign.rules["per_km"] == "0.10" and campaign.status == "draft"
    detail = admin.get(f"/incentives/{campaign.pk}/").content.decode()
    assert "0,10\u00a0€/km sur la distance du trajet." in detail
    assert "Départ et arrivée à Encamp." in detail
    first, last = (day - timedelta(days=1)).isoformat(), timezone.localdate().isoformat()
    result = admin.post(f"/incentives/{campaign.pk}/simulation/", {"first": first, "last": last})
    assert result.status_code == 302
    simulation = Simulation.objects.get()
    assert simulation.result["total"]["cents"] == 540  # 3 × 1,80 €
    shown = admin.get(result["Location"]).content.decode()
    assert "5,40\u00a0€" in shown
    compared = admin.get("/incentives/compare/", {"c": campaign.pk}).content.decode()
    assert "5,40\u00a0€" in compared
    admin.post(f"/incentives/{campaign.pk}/action/", {"action": "activate"})
    campaign.refresh_from_db()
    assert campaign.status == "active"
    # Frozen: a change of rate is ignored (the field is disabled), the budget may grow.
    edit = admin.post(
        f"/incentives/{campaign.pk}/edit/", {**FORM, "per_km": "0,50", "budget": "2500"}
    )
    assert edit.status_code == 302
    campaign.refresh_from_db()
    assert campaign.rules["per_km"] == "0.10" and campaign.budget == Decimal("2500")
    shrink = admin.post(f"/incentives/{campaign.pk}/edit/", {**FORM, "budget": "100"})
    assert shrink.status_code == 400 and "ne peut qu’augmenter" in shrink.content.decode()
    assert [e.action for e in campaign.events.order_by("pk")] == ["created", "activated", "changed"]


def _month_with_lines(in_alpha, ride, people):
    campaign = campaign_of(in_alpha["admin"], {"per_km": "0.10"}, active=True)
    today = timezone.localdate()
    journeys = [
        carpool(ride, people[0], people[1 + i], at(today, 6 + i), km=10 + i) for i in range(3)
    ]
    for journey in journeys:
        journey_accrue(journey.pk)
    bank_account_set(people[1], holder="Núria Vidal", iban="FR7630006000011234567890189")
    bank_account_set(people[2], holder="Pau Pujol", iban="DE89370400440532013000")
    return campaign, today.strftime("%Y-%m")


def test_the_statement_reconciles_and_the_sepa_file_is_valid(in_alpha, ride, people):
    campaign, month = _month_with_lines(in_alpha, ride, people)
    admin = in_alpha.client("admin")
    rows = list(
        csv.reader(
            io.StringIO(
                admin.get(f"/incentives/{campaign.pk}/statements/{month}.csv").content.decode(
                    "utf-8-sig"
                )
            ),
            delimiter=";",
        )
    )
    assert rows[0][0] == "enregistré"
    net = next(r for r in rows if r and r[6] == "net")
    assert net[7] == "3,30"  # 1,00 + 1,10 + 1,20: the ledger's own sum
    text = "\n".join(";".join(r) for r in rows)
    assert "FR76" not in text and "30006000011234567890189" not in text  # never the IBAN
    book = load_workbook(
        io.BytesIO(admin.get(f"/incentives/{campaign.pk}/statements/{month}.xlsx").content)
    )
    values = [c.value for row in book.active.iter_rows() for c in row]
    assert 3.3 in values
    xml = admin.get(f"/incentives/{campaign.pk}/statements/{month}.xml")
    assert xml.status_code == 200
    schema = xmlschema.XMLSchema(XSD)
    schema.validate(xml.content.decode())
    document = schema.to_dict(xml.content.decode())
    header = document["CstmrCdtTrfInitn"]["GrpHdr"]
    # The third passenger gave no IBAN: two transfers, 1,00 + 1,10.
    assert header["NbOfTxs"] == "2" and Decimal(str(header["CtrlSum"])) == Decimal("2.10")
    admin.post(f"/incentives/{campaign.pk}/statements/{month}/")
    assert sorted(Payout.objects.values_list("amount", flat=True)) == [
        Decimal("1.00"),
        Decimal("1.10"),
    ]
    again = admin.post(f"/incentives/{campaign.pk}/statements/{month}/", follow=True)
    assert "déjà marqué payé" in again.content.decode()


def test_mes_primes_shows_each_line_and_a_masked_iban(in_alpha, ride, people):
    _month_with_lines(in_alpha, ride, people)
    Membership.objects.filter(user=people[1]).exists() or _join(people[1])
    client = _client_of(in_alpha, people[1])
    page = client.get("/my-incentives/").content.decode()
    assert "0,10\u00a0€/km × 10\u00a0km = 1,00\u00a0€" in page
    assert "FR•• •••• •••• 0189" in page and "30006000011234567890189" not in page
    bad = client.post("/my-incentives/", {"action": "account", "holder": "", "iban": "FR76 123"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "IBAN non valide\u00a0: sa longueur ne correspond pas à son pays" in text
    assert "Ce champ est obligatoire." in text and "id_holder_error" in text
    stored = BankAccount.objects.get(person=people[1])
    assert "FR76" not in stored.iban_encrypted
    assert decrypt(stored.iban_encrypted) == "FR7630006000011234567890189"
    api = client.get("/api/v1/incentives/mine/").json()
    assert api["earned"] == "1.00" and api["lines"][0]["amount"] == "1.00"


def _join(user):
    from tenants.members.services import membership_join

    membership_join(user, roles=[Role.CITIZEN])


def _client_of(cast, user):
    from django.test import Client

    from tests.factories import PASSWORD

    client = Client(HTTP_HOST=cast.host)
    assert (
        client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}).status_code
        == 302
    )
    return client


def test_only_admins_and_incentive_managers_see_campaigns(in_alpha, beta):
    campaign = campaign_of(in_alpha["admin"], {"per_km": "0.10"}, active=True)
    urls = [
        "/incentives/",
        "/incentives/new/",
        f"/incentives/{campaign.pk}/",
        f"/incentives/{campaign.pk}/simulation/",
        "/incentives/compare/",
        f"/incentives/{campaign.pk}/statements/2026-11/",
        f"/incentives/{campaign.pk}/statements/2026-11.csv",
    ]
    for role in ("citizen", "data", "operator"):
        client = in_alpha.client(role)
        assert {client.get(u).status_code for u in urls} == {403}, role
        assert client.get("/incentives/held/").status_code == 403
    manager = in_alpha["data"]
    Membership.objects.filter(user=manager).update(roles=[Role.CITIZEN, Role.INCENTIVE_MANAGER])
    client = in_alpha.client("data")
    assert {client.get(u).status_code for u in urls} == {200}
    # Beta's admin: the campaign is not there (its schema has none), nor its API; on Alpha's
    # site they are no member: neither « Mes primes » nor its API.
    from django.test import Client

    from tests.factories import PASSWORD

    visitor = Client(HTTP_HOST=in_alpha.host)
    visitor.post("/accounts/login/", {"login": beta.email("admin"), "password": PASSWORD})
    for path in ("/my-incentives/", f"/incentives/{campaign.pk}/"):
        assert visitor.get(path)["Location"].startswith("/join/")  # asked to join first
    assert visitor.get("/api/v1/incentives/mine/").status_code == 403
    other = beta.client("admin")
    assert other.get(f"/incentives/{campaign.pk}/").status_code == 404
    assert other.get("/api/v1/incentives/campaigns/").json() == []
    assert (
        other.get(f"/api/v1/incentives/campaigns/{campaign.pk}/statements/2026-11/").status_code
        == 404
    )


def test_a_person_sees_only_their_own_lines(in_alpha, ride, people):
    _month_with_lines(in_alpha, ride, people)
    page = in_alpha.client("citizen").get("/my-incentives/").content.decode()
    assert "1,00\u00a0€" not in page and "Aucune prime" in page
    assert in_alpha.client("citizen").get("/api/v1/incentives/mine/").json()["lines"] == []


def test_the_authoritys_tools_read_campaigns_with_a_key(in_alpha, beta):
    import re

    campaign = campaign_of(in_alpha["admin"], {"per_km": "0.10"}, active=True)
    page = in_alpha.client("admin").post("/observatory/keys/", {"action": "create", "name": "BI"})
    key = re.search(r"arch_[A-Za-z0-9_-]{20,}", page.content.decode()).group(0)
    from django.test import Client

    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    here = Client(HTTP_HOST=in_alpha.host)
    [body] = here.get("/api/v1/incentives/campaigns/", **auth).json()
    assert body["id"] == campaign.pk and body["said"][0].startswith("0,10")
    run = here.post(
        f"/api/v1/incentives/campaigns/{campaign.pk}/simulation/",
        {"first": "2026-01-01", "last": "2025-01-01"},
        content_type="application/json",
        **auth,
    )
    assert run.status_code == 400 and "last" in run.json()["fields"]
    ok = here.post(
        f"/api/v1/incentives/campaigns/{campaign.pk}/simulation/",
        {"first": "2026-01-01", "last": "2026-06-30"},
        content_type="application/json",
        **auth,
    )
    assert ok.status_code == 200 and ok.json()["total"]["cents"] == 0
    assert (
        Client(HTTP_HOST=beta.host).get("/api/v1/incentives/campaigns/", **auth).status_code == 401
    )
    assert here.get("/api/v1/incentives/campaigns/").status_code in (401, 403)
    statement = here.get(f"/api/v1/incentives/campaigns/{campaign.pk}/statements/bad/", **auth)
    assert statement.status_code == 404 and "error" in statement.json()


def test_annulment_and_holds_are_for_moderators(in_alpha, ride, people):
    campaign_of(in_alpha["admin"], {"per_journey": "1"}, active=True)
    journey = carpool(ride, people[0], people[1], at(timezone.localdate()))
    journey_accrue(journey.pk)
    assert (
        in_alpha.client("citizen")
        .post("/incentives/held/", {"action": "annul", "journey": journey.pk, "reason": "x"})
        .status_code
        == 403
    )
    empty = in_alpha.client("admin").post(
        "/incentives/held/", {"action": "annul", "journey": journey.pk, "reason": ""}
    )
    assert empty.status_code == 400 and Line.objects.count() == 1
    done = in_alpha.client("admin").post(
        "/incentives/held/", {"action": "annul", "journey": journey.pk, "reason": "Fraude"}
    )
    assert done.status_code == 302
    assert [str(x) for x in Line.objects.order_by("pk").values_list("amount", flat=True)] == [
        "1.00",
        "-1.00",
    ]


def test_iban_keys_rotate_and_the_old_key_still_reads_until_then(in_alpha, people, settings):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.INCENTIVES_IBAN_KEYS = [old]
    bank_account_set(people[0], holder="Núria Vidal", iban="FR7630006000011234567890189")
    before = BankAccount.objects.get(person=people[0]).iban_encrypted
    settings.INCENTIVES_IBAN_KEYS = [new, old]
    assert decrypt(before) == "FR7630006000011234567890189"  # the old key still reads
    call_command("rotate_iban_keys", stdout=io.StringIO())
    settings.INCENTIVES_IBAN_KEYS = [new]
    after = BankAccount.objects.get(person=people[0]).iban_encrypted
    assert after != before and decrypt(after) == "FR7630006000011234567890189"


def test_leaving_erases_the_account_and_ones_data_has_it_masked(in_alpha, ride, people):
    from incentives.portability import member_leaving, personal_data

    _month_with_lines(in_alpha, ride, people)
    data = personal_data(people[1])
    assert data["bank_account"]["iban"] == "FR•• •••• •••• 0189"
    assert data["incentives"][0]["amount"] == "1.00"
    assert "30006000011234567890189" not in str(data)
    member_leaving(people[1])
    assert not BankAccount.objects.filter(person=people[1]).exists()
    assert Line.objects.filter(person=people[1]).exists()  # the ledger stays
