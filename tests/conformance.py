"""Run an OpenAPI document against the product's own endpoints with schemathesis: requests
generated from the document for every operation, valid ones (positive) and invalid ones
(negative), and every response checked — no 500; status codes, content types and bodies as
declared; invalid requests refused. Failures are collected rather than shrunk, so that one run
lists them all.

Used for the public standards the partners call (tests/interop) and for the territory's own
API (tests/core/test_openapi.py)."""

import os
import time
from dataclasses import dataclass, field

import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,  # only judges negative cases: invalid input must be refused
]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@dataclass
class Outcome:
    seen: dict[str, set[int]] = field(default_factory=dict)  # status codes per operation
    examples: int = 0
    failures: list[str] = field(default_factory=list)
    not_generated: list[str] = field(default_factory=list)
    known: dict[str, int] = field(default_factory=dict)  # status of each known request
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{len(self.seen)} operations, {self.examples} examples, "
            f"{len(self.failures)} failures, {self.seconds:.1f} s"
        )


def run_conformance(
    raw: dict,
    base_url: str,
    headers: dict | None = None,
    examples: int = 60,
    modes=MODES,
    auth: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
    host: str | None = None,
    before_each=None,
    known: list[tuple[str, str, dict]] = (),
) -> Outcome:
    """`examples` per operation and mode.

    `auth` gives, by name, the credential of the document's security schemes (an API key, or a
    bearer token for `http` schemes): schemathesis sends it on valid requests, and leaves it
    out or spoils it on some invalid ones, which must then be refused. `cookies` go with every
    request. schemathesis keeps cookies for `localhost` only: with `host`, requests go to
    localhost and reach the application as `host` (a reverse proxy's job). `before_each()`,
    when given, runs before every request (to reset what a request may use up, such as a rate
    limit).

    `known` are requests written by hand, (method, path, Case arguments), sent first: valid
    ones that random data would hardly find (a ride on the territory's roads, a day within
    its horizon), so that the answers of success are checked against the document too."""
    schemes = {name: _credential(raw, name, value) for name, value in (auth or {}).items()}
    config = SchemathesisConfig.from_dict({"auth": {"openapi": schemes}} if schemes else {})
    schema = schemathesis.openapi.from_dict(raw, config=config)
    schema.app = _served_as(get_wsgi_application(), host)
    outcome = Outcome()

    def send(case, label: str) -> None:
        if before_each is not None:
            before_each()
        outcome.examples += 1
        try:
            response = case.call_and_validate(
                base_url=base_url, headers=headers, cookies=cookies, checks=CHECKS
            )
        except (Failure, FailureGroup) as exc:
            failures = exc.exceptions if isinstance(exc, FailureGroup) else [exc]
            for failure in failures:
                outcome.failures.append(
                    f"[{label}] {case.operation.label}: {failure.title}\n"
                    f"{failure.message}\n{case.as_curl_command()}"
                )
            return
        outcome.seen.setdefault(case.operation.label, set()).add(response.status_code)
        if label == "known":
            outcome.known[f"{case.operation.label} {case.formatted_path}"] = response.status_code

    def checker(operation, mode):
        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(
            max_examples=examples,
            derandomize=True,  # the same examples on every run: CI stays reproducible
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            send(case, mode.value)

        return check

    # As Django's test client does: keep the test's database connection between requests.
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    start = time.monotonic()
    try:
        for method, path, arguments in known:
            case = schema[path][method].Case(**_signed(arguments, raw, auth or {}))
            send(case, "known")
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in modes:
                try:
                    checker(operation, mode)()
                except Unsatisfiable:  # nothing to spoil: no parameter, no body, no key
                    outcome.not_generated.append(f"[{mode.value}] {operation.label}")
    finally:
        for signal in signals:
            signal.connect(close_old_connections)
    outcome.seconds = time.monotonic() - start
    if report := os.environ.get("CONFORMANCE_REPORT"):  # every failure, to read at leisure
        with open(report, "a") as out:
            out.write(f"\n\n=== {base_url}: {outcome.summary()}\n\n")
            out.write("\n\n".join(outcome.failures))
    return outcome


def _credential(raw: dict, name: str, value: str) -> dict:
    scheme = raw["components"]["securitySchemes"][name]
    return {"bearer": value} if scheme["type"] == "http" else {"api_key": value}


def _signed(arguments: dict, raw: dict, auth: dict[str, str]) -> dict:
    """A hand-written request with the credentials of `auth` where their schemes put them."""
    places = {"header": "headers", "cookie": "cookies", "query": "query"}
    signed = {**arguments, **{k: dict(arguments.get(k, {})) for k in places.values()}}
    for name, value in auth.items():
        scheme = raw["components"]["securitySchemes"][name]
        if scheme["type"] == "http":
            signed["headers"]["Authorization"] = f"Bearer {value}"
        else:
            signed[places[scheme["in"]]][scheme["name"]] = value
    return signed


def _served_as(app, host: str | None):
    """The application as a client over HTTP reaches it: as `host` (when given), and with its
    answers uncompressed — an HTTP client inflates a gzip answer before reading it, the
    in-process WSGI transport does not (core/compression.py compresses text answers)."""

    def served(environ, start_response):
        if host:
            environ["HTTP_HOST"] = environ["SERVER_NAME"] = host
        environ["HTTP_ACCEPT_ENCODING"] = "identity"
        return app(environ, start_response)

    return served
