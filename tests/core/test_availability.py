"""Health endpoints for load balancers, and static files that need neither a known host nor
the database."""

from datetime import timedelta

from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.factories import ANDORRA_LA_VELLA, ESCALDES


def test_readiness_checks_database_redis_and_the_road_graphs(archipel, db):
    response = Client().get("/readyz", HTTP_HOST="10.0.0.7")  # a load balancer's own address
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["redis"] == "ok"
    assert body["graphs"].endswith("loaded")


def test_readiness_fails_when_a_territory_graph_is_missing(archipel, db, settings, tmp_path):
    settings.GRAPH_DIR = tmp_path  # no graph file at all
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["graphs"].startswith("missing:")
    assert response["Retry-After"]


def test_healthz_answers_on_any_host():
    response = Client().get("/healthz", HTTP_HOST="whatever.example")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_unknown_host_pages_keep_their_stylesheet(archipel, db):
    client = Client()
    assert client.get("/", HTTP_HOST="nowhere.example").status_code == 404
    css = client.get("/static/css/archipel.css", HTTP_HOST="nowhere.example")
    assert css.status_code == 200


def test_a_write_refused_by_a_read_only_server_is_a_503_not_a_500(alpha, db):
    """During a failover a write can reach a server that is not writable yet (a replica being
    promoted): PostgreSQL refuses it (read_only_sql_transaction) and nothing is written — the
    client is told to try again, as when the database is unreachable."""
    client = alpha.client("citizen")
    client.raise_request_exception = False  # answered as a server answers it
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION READ ONLY")  # this connection: as a standby's
    alert = {
        "origin": {"lon": ESCALDES.lon, "lat": ESCALDES.lat},
        "destination": {"lon": ANDORRA_LA_VELLA.lon, "lat": ANDORRA_LA_VELLA.lat},
        "days": ["mon"],
        "earliest": "07:00",
        "latest": "08:00",
        "expires_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
    }
    response = client.post("/api/v1/alerts/", alert, content_type="application/json")
    assert response.status_code == 503, response.content[:300]
    assert response["Retry-After"] and response.json()["status"] == 503
