"""Celery tasks run in the schema of the territory that queued them (tenant-schemas-celery),
through a real worker and the Redis broker."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django_tenants.utils import schema_context

from archipel.celery import app
from themes.selectors import theme_get

pytestmark = pytest.mark.django_db


@app.task(name="tests.theme_display_name")
def theme_display_name() -> str:
    return f"{connection.schema_name}:{theme_get().display_name}"


@pytest.fixture(scope="module")
def worker():
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as w:
        yield w


def test_task_runs_in_the_schema_of_the_territory_that_queued_it(archipel, worker):
    alpha, beta = archipel["alpha"], archipel["beta"]
    with schema_context(alpha.territory.schema_name):
        from_alpha = theme_display_name.delay()
    with schema_context(beta.territory.schema_name):
        from_beta = theme_display_name.delay()
    assert from_alpha.get(timeout=20) == "t_alpha:Alpha"
    assert from_beta.get(timeout=20) == "t_beta:Beta"
