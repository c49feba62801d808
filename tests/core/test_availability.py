"""Health endpoints for load balancers, and static files that need neither a known host nor
the database."""

from django.test import Client


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
