"""Input that PostgreSQL cannot store, or JSON too deep to walk, is a 400 naming the problem
wherever it enters — query strings, forms, the API's JSON, the partner APIs — never a 500
(regression: `/places/?q=a%00b` and deep JSON on /api/v1/ answered 500)."""

import json

import pytest
from django_tenants.utils import schema_context

from interop.partners import partner_register
from tests.factories import book
from trips.models import Message

pytestmark = pytest.mark.django_db

DEEP = "[" * 5000 + "]" * 5000
NUL = json.dumps({"label": "a\x00b"})
SURROGATE = '{"label": "\\ud800"}'


@pytest.mark.parametrize("query", [{"q": "a\x00b"}, {"q\x00": "x"}])
def test_query_strings_with_nul_are_refused(alpha, query):
    answer = alpha.client().get("/places/", query)
    assert answer.status_code == 400
    assert "cannot be stored" in answer.content.decode() or "enregistr" in answer.content.decode()


def test_form_fields_with_nul_are_refused_and_nothing_is_written(alpha, in_alpha, ride):
    booking = book(ride, in_alpha["citizen"])
    sent = in_alpha.client("citizen").post(
        f"/bookings/{booking.pk}/conversation/", {"body": "Bonjour\x00"}
    )
    assert sent.status_code == 400
    with schema_context(alpha.territory.schema_name):
        assert not Message.objects.exists()


@pytest.mark.parametrize("body", [DEEP, NUL, SURROGATE, "{not json"])
def test_api_json_bodies_are_checked_once_for_every_endpoint(alpha, body):
    answer = alpha.client("citizen").post("/api/v1/alerts/", body, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["status"] == 400 and answer.json()["error"]


@pytest.mark.parametrize("body", [DEEP, NUL, SURROGATE])
def test_partner_apis_read_json_the_same_way(alpha, body):
    with schema_context(alpha.territory.schema_name):
        _partner, key = partner_register(
            name="Probe", operator="probe.test", endpoints=["bookings"]
        )
    answer = alpha.client().post(
        "/interop/standard-covoiturage/v1/bookings",
        body,
        content_type="application/json",
        HTTP_X_API_KEY=key,
    )
    assert answer.status_code == 400


def test_an_rdex_query_with_nul_gets_rdex_s_own_error_body(alpha):
    """Regression: schemathesis sent a NUL in `frequency` to RDEX+'s /journeys; the 400 came
    with {"error", "status"}, not the {"errorCode", "errorMessage"} RDEX+ documents."""
    answer = alpha.client().get("/interop/rdexplus/v2/journeys", {"frequency": "a\x00b"})
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "invalid_input" and "frequency" in (
        answer.json()["errorMessage"]
    )
