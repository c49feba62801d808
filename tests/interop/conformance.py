"""Run a published OpenAPI against the product's own endpoints with schemathesis: generated
requests for every operation of `raw`, every response checked (no 500; status codes, content
types and bodies as declared). Returns the status codes seen per operation."""

import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def run_conformance(raw: dict, base_url: str, headers: dict, examples: int = 60) -> dict:
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = get_wsgi_application()
    seen: dict[str, set[int]] = {}

    def checker(operation):
        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=examples,
            derandomize=True,  # the same examples on every run: CI stays reproducible
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            response = case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)
            seen.setdefault(operation.label, set()).add(response.status_code)

        return check

    # As Django's test client does: keep the test's database connection between requests.
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    try:
        for result in schema.get_all_operations():
            checker(result.ok())()
    finally:
        for signal in signals:
            signal.connect(close_old_connections)
    return seen
