"""The datasets API for the authority's tools: keys scoped to one territory, revocation, rate
limit, errors, access log, OpenAPI."""

import re

from django.test import Client
from django_tenants.utils import schema_context

from observatory.models import AccessLog, ApiToken

OCTOBER = {"kind": "month", "day": "2026-10-01"}


def create_key(alpha, name="Power BI") -> str:
    page = alpha.client("admin").post("/observatory/keys/", {"action": "create", "name": name})
    assert page.status_code == 200
    key = re.search(r"arch_[A-Za-z0-9_-]{20,}", page.content.decode()).group(0)
    return key


def call(cast, key, name="flows", **query):
    client = Client(HTTP_HOST=cast.host)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.get(f"/api/v1/observatory/{name}/", {**OCTOBER, **query}, **headers)


def test_a_key_reads_its_territory_datasets_and_nothing_else(alpha, beta, october):  # noqa: F811
    key = create_key(alpha)
    response = call(alpha, key)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["metadata"]["dataset"] == "flows" and body["metadata"]["suppression"]["k"] == 11
    assert all(r["journeys"] is None for r in body["rows"])  # 8 people in October: all hidden
    assert call(alpha, key, "by_distance").status_code == 200
    # The key means nothing on another territory's site.
    assert call(beta, key).status_code == 401
    with schema_context(alpha.territory.schema_name):
        entry = AccessLog.objects.filter(action="api").first()
        assert entry.what == "by_distance" and entry.detail == "key Power BI"
        assert ApiToken.objects.get().last_used_at is not None
    # The key is shown once: the list only shows its start.
    listing = alpha.client("admin").get("/observatory/keys/").content.decode()
    assert key not in listing and key[5:13] in listing


def test_revoked_unknown_or_missing_keys_and_roles(alpha):
    key = create_key(alpha)
    with schema_context(alpha.territory.schema_name):
        token = ApiToken.objects.get()
    alpha.client("admin").post("/observatory/keys/", {"action": "revoke", "token": token.pk})
    revoked = call(alpha, key)
    assert revoked.status_code == 401 and revoked.json()["error"]
    assert call(alpha, "arch_nope").status_code == 401
    assert call(alpha, None).status_code in (401, 403)
    citizen = alpha.client("citizen").get("/api/v1/observatory/flows/", OCTOBER)
    assert citizen.status_code == 403
    officer = alpha.client("data").get("/api/v1/observatory/flows/", OCTOBER)
    assert officer.status_code == 200
    assert alpha.client("data").post("/observatory/keys/", {"name": "x"}).status_code == 403


def test_bad_queries_are_400_or_404_and_calls_are_rate_limited(alpha):
    key = create_key(alpha)
    bad = call(alpha, key, kind="custom", first="2026-10-10", last="2026-10-01")
    assert bad.status_code == 400 and "last" in str(bad.json())
    assert call(alpha, key, "people").status_code == 404
    statuses = [call(alpha, key, "by_time").status_code for _ in range(60)]
    assert 429 in statuses and statuses[0] == 200


def test_the_api_is_in_the_openapi_schema(alpha):
    schema = alpha.client("citizen").get("/api/schema/", HTTP_ACCEPT="application/json")
    text = schema.content.decode()
    assert "/api/v1/observatory/{name}/" in text and "observatoryToken" in text
