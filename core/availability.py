"""What a load balancer and a person see when a backing service is down (docs/operations.md).

- `/healthz`: the process answers (nothing else is consulted), on any host.
- `/readyz`: every check of `settings.READINESS_CHECKS` passes (PostgreSQL, Redis, the road
  graphs the territories use, loaded in this process); 503 with the failing checks otherwise.
- A request that fails because PostgreSQL is unreachable answers 503 with `Retry-After`, a short
  page (JSON on the API paths) instead of the generic 500. Static files never reach this far:
  WhiteNoise serves them before the territory lookup.
- That page wears the territory's look (name and colours) without the database: each page drawn
  in a territory's theme leaves its look here (`look_remember`, in this process and in the
  cache), keyed by host; an unknown host, or one never seen while Redis is down too, gets
  Archipel's.
"""

import base64
import os
import sys

import redis
from csp.utils import build_policy
from django.conf import settings
from django.core.cache import cache
from django.core.signals import got_request_exception
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.module_loading import import_string
from django.utils.translation import get_language

from .hosts import normalised_host
from .http import answers_json
from .redis import client as redis_client

RETRY_AFTER_S = 30
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
# A write that reached a server not writable (yet) during a switch — a replica being promoted,
# a leader stepping down — failed as surely as an unreachable one, and wrote nothing: the same
# 503, try again. (read_only_sql_transaction; psycopg's error is the Django error's cause.)
SWITCHING_SQLSTATES = {"25006"}
# Headers of the failed answer kept on the 503 (security headers set by outer middleware).
_BODY_HEADERS = {"content-type", "content-length", "content-encoding"}
LOOK_KEYS = ("display_name", "primary", "on_primary", "secondary", "on_secondary")
LOOK_CACHE_S = 30 * 24 * 3600
_looks: dict[str, dict] = {}  # host -> look, in this process


def _look_key(host: str) -> str:
    return f"availability:look:{host}"


def look_remember(host: str, look: dict) -> None:
    """Keep a territory's look (`LOOK_KEYS`) for the page shown when the database is down.
    Free when nothing changed; a cache that fails is only a missed copy."""
    host = normalised_host(host)
    if not host or _looks.get(host) == look:
        return
    _looks[host] = look
    try:
        cache.set(_look_key(host), look, LOOK_CACHE_S)
    except Exception:  # Redis down: this process still has it
        pass


def look_recall(host: str) -> dict | None:
    host = normalised_host(host)
    look = _looks.get(host)
    if look is None and host:
        try:
            look = cache.get(_look_key(host))
        except Exception:
            look = None
    if isinstance(look, dict) and all(isinstance(look.get(k), str) for k in LOOK_KEYS):
        return look
    return None


class CheckFailed(Exception):
    """A readiness check's reason, shown in /readyz."""


def database_check() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        raise CheckFailed("unreachable") from exc
    return "ok"


def redis_check() -> str:
    try:
        redis_client().ping()
    except redis.RedisError as exc:
        raise CheckFailed("unreachable") from exc
    return "ok"


def readiness() -> tuple[bool, dict[str, str]]:
    checks, ready = {}, True
    for path in settings.READINESS_CHECKS:
        name = path.rsplit(".", 1)[-1].removesuffix("_check")
        try:
            checks[name] = import_string(path)()
        except CheckFailed as exc:
            checks[name], ready = str(exc), False
        except Exception as exc:  # a check that breaks says so; it must not break /readyz
            checks[name], ready = f"error: {type(exc).__name__}", False
    return ready, checks


def unavailable(request, service: str) -> HttpResponse:
    if answers_json(request):
        response = JsonResponse(
            {"error": f"Service temporarily unavailable ({service}).", "status": 503},
            status=503,
        )
    else:
        response = _unavailable_page(request)
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response


def _unavailable_page(request) -> HttpResponse:
    """The 503 page in the territory's look, drawn without the database (no context
    processors, no URL of the territory's site), with its own nonce in its policy."""
    look = look_recall(request.META.get("HTTP_HOST", ""))
    nonce = base64.b64encode(os.urandom(16)).decode("ascii")
    context = {
        "look": look,
        "site_name": look["display_name"] if look else "Archipel",
        "language": get_language() or settings.LANGUAGE_CODE,
        "nonce": nonce,
    }
    response = HttpResponse(
        render_to_string("503.html", context),
        status=503,
        content_type="text/html; charset=utf-8",
    )
    response["Content-Security-Policy"] = build_policy(nonce=nonce)
    return response


def _note_unavailable(sender, request=None, **kwargs) -> None:
    """Django sends this inside its `except` block: the exception is the current one (this is
    how its test client reads it too)."""
    error = sys.exc_info()[1]
    if request is not None and database_unavailable(error):
        request.unavailable_service = "database"


def database_unavailable(error: BaseException | None) -> bool:
    if isinstance(error, UNAVAILABLE_ERRORS):
        return True
    sqlstate = getattr(getattr(error, "__cause__", None), "sqlstate", None)
    return isinstance(error, DatabaseError) and sqlstate in SWITCHING_SQLSTATES


class AvailabilityMiddleware:
    """First of all middleware: health endpoints on any host, and a 503 for what failed only
    because PostgreSQL could not be reached."""

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(_note_unavailable, dispatch_uid="core.availability")

    def __call__(self, request):
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            ready, checks = readiness()
            status = 200 if ready else 503
            response = JsonResponse({"status": "ok" if ready else "unavailable", **checks},
                                    status=status)
            if not ready:
                response["Retry-After"] = str(RETRY_AFTER_S)
            return response
        response = self.get_response(request)
        service = getattr(request, "unavailable_service", None)
        if response.status_code == 500 and service:
            replacement = unavailable(request, service)
            for header, value in response.items():
                if header.lower() not in _BODY_HEADERS and header not in replacement:
                    replacement[header] = value
            return replacement
        return response
