"""PostgreSQL unreachable: the real app under uvicorn, its DATABASE_URL on a closed port. Every
kind of request gets the documented answer (docs/operations.md), never the generic 500."""

import pytest
import requests

from tests.servers import closed_port, database_url, uvicorn


@pytest.fixture(scope="module")
def no_database(tmp_path_factory):
    log = tmp_path_factory.mktemp("faults") / "server.log"
    with uvicorn(log, DATABASE_URL=database_url(PORT=closed_port())) as port:
        yield f"http://127.0.0.1:{port}"


def test_pages_answer_503_with_retry_after_and_a_short_page(no_database):
    for host in ("alpha.localhost", "nowhere.example"):
        response = requests.get(f"{no_database}/", headers={"Host": host}, timeout=10)
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) > 0
        assert response.headers["Content-Type"].startswith("text/html")
        assert "Service momentanément indisponible" in response.text


def test_api_paths_answer_503_in_json(no_database):
    for path in ("/api/v1/rides/", "/interop/rdexplus/v2/journeys", "/api/v1/territories/"):
        response = requests.get(f"{no_database}{path}", headers={"Host": "alpha.localhost"},
                                timeout=10)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"]
        assert response.json()["status"] == 503


def test_a_form_post_is_503_too(no_database):
    response = requests.post(f"{no_database}/accounts/login/", data={"login": "a@b.c"},
                             headers={"Host": "alpha.localhost"}, timeout=10)
    assert response.status_code == 503


def test_static_files_need_no_database(no_database):
    response = requests.get(f"{no_database}/static/css/archipel.css",
                            headers={"Host": "alpha.localhost"}, timeout=10)
    assert response.status_code == 200
    assert "text/css" in response.headers["Content-Type"]


def test_health_is_alive_and_readiness_names_the_database(no_database):
    assert requests.get(f"{no_database}/healthz", timeout=10).json() == {"status": "ok"}
    ready = requests.get(f"{no_database}/readyz", timeout=10)
    assert ready.status_code == 503
    assert ready.json()["database"] == "unreachable"
    assert ready.json()["redis"] == "ok"
