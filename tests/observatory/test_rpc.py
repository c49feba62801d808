"""National registry payloads (RPC v3.3): identity key, proof classes, validation against the
contract, and the export command."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.models import e164, identity_key, normalise_last_name
from matching.network import Place
from observatory.rpc import payloads, validate
from tests.factories import ANDORRA_LA_VELLA, ESCALDES, registry_journey
from trips.models import Booking
from trips.services.journeys import JourneyReport


def test_identity_key_follows_the_registry_example():
    assert normalise_last_name("D'Hérûg-de-l'Hérault") == "D HERUG DE L HERAULT"
    assert e164("07 01 02 03 04") == "+33701020304" and e164("0033 6 01") == "+33601"
    expected = hashlib.sha256(b"+33701020304-D HERUG DE L HERAULT").hexdigest()
    assert identity_key("07 01 02 03 04", "D'Hérûg-de-l'Hérault") == expected


def full_report(booking):
    return JourneyReport(
        pickup_at=booking.pickup_at,
        dropoff_at=booking.dropoff_at,
        pickup=Place(ESCALDES.lon, ESCALDES.lat),
        dropoff=Place(ANDORRA_LA_VELLA.lon, ANDORRA_LA_VELLA.lat),
    )


@pytest.mark.parametrize(
    ("reporting", "expected"), [((), "A"), (("citizen",), "B"), (("driver", "citizen"), "C")]
)
def test_payloads_validate_against_the_contract_with_their_proof_class(
    ride, in_alpha, reporting, expected
):
    booking_stub = Booking(
        pickup_at=timezone.now() - timedelta(hours=2) + timedelta(minutes=5),
        dropoff_at=timezone.now() - timedelta(hours=2) + timedelta(minutes=15),
    )
    reports = {role: full_report(booking_stub) for role in reporting}
    booking = registry_journey(ride, in_alpha, reports)
    made, skipped = payloads(timezone.now() - timedelta(days=1), timezone.now())
    assert skipped == [] and len(made) == 1
    payload = made[0]
    assert validate(payload) == []
    assert payload["operator_class"] == expected
    assert payload["distance"] == booking.distance_m
    assert payload["passenger"]["contribution"] == int(booking.price * 100)
    assert payload["driver"]["identity"]["phone_trunc"] == "+336010203"
    assert payload["start"]["datetime"].endswith("Z")


def test_the_validator_refuses_what_the_contract_refuses(ride, in_alpha):
    registry_journey(ride, in_alpha, {})
    (payload,), _ = payloads(timezone.now() - timedelta(days=1), timezone.now())
    broken = {**payload, "operator_class": "D", "distance": -3}
    del broken["driver"]
    errors = validate(broken)
    assert any("operator_class" in e for e in errors) and any("distance" in e for e in errors)
    assert any("driver" in e for e in errors)


def test_export_command_writes_one_payload_per_line_and_skips_without_identity(
    ride,
    in_alpha,
    tmp_path,
    capsys,
):
    registry_journey(ride, in_alpha, {})
    out = tmp_path / "rpc.jsonl"
    today = timezone.localdate()
    args = ["--territory", "alpha", "--from", str(today - timedelta(days=1)), "--to", str(today)]
    call_command("export_rpc", *args, "--out", str(out))
    lines = out.read_text().splitlines()
    assert len(lines) == 1 and validate(json.loads(lines[0])) == []
    in_alpha["citizen"].phone = ""
    in_alpha["citizen"].save()
    call_command("export_rpc", *args, "--out", str(out))
    assert out.read_text() == "" and "no phone number" in capsys.readouterr().err
