"""Partner keys, limits and the access log, shared by the standard APIs (`partner_api`: the
key, the endpoints it may call, the rate, errors as each standard writes them).

A key is `<prefix>.<secret>`: the prefix finds the partner, the SHA-256 of the whole key is
compared in constant time; the key itself is shown once, at creation, and never stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import wraps

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from core import ratelimit
from core.errors import Conflict
from core.headers import RDEX_API_KEY

from .errors import BadRequest, Forbidden
from .models import Partner, PartnerCall

WINDOW_S = 60


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def partner_register(
    *,
    name: str,
    operator: str,
    endpoints: list[str],
    rate_per_minute: int = 60,
    callback_url: str = "",
    key: str | None = None,
) -> tuple[Partner, str]:
    """Register a partner; returns it and its key (to show once). `key`: a given key (the
    demo's published one), otherwise a random one."""
    key = key or f"{secrets.token_hex(4)}.{secrets.token_urlsafe(32)}"
    prefix = key.split(".", 1)[0]
    partner = Partner.objects.create(
        name=name,
        operator=operator,
        key_prefix=prefix,
        key_hash=_hash(key),
        endpoints=endpoints,
        rate_per_minute=rate_per_minute,
        callback_url=callback_url,
    )
    return partner, key


def partner_revoke(partner: Partner) -> None:
    Partner.objects.filter(pk=partner.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def partner_for(key: str) -> Partner | None:
    prefix = key.split(".", 1)[0]
    partner = Partner.objects.filter(key_prefix=prefix, revoked_at__isnull=True).first()
    if partner is None or not hmac.compare_digest(partner.key_hash, _hash(key)):
        return None
    return partner


def _key_of(request) -> str:
    """The key where the standards put it: `X-API-Key` (standard covoiturage), `api_key`
    (RDEX+: Django never shows that name, archipel/asgi.py hands it over as
    `core.headers.RDEX_API_KEY`), or `Authorization: Bearer`."""
    key = request.headers.get("X-API-Key", "") or request.headers.get(RDEX_API_KEY, "")
    auth = request.headers.get("Authorization", "")
    if not key and auth.lower().startswith("bearer "):
        key = auth[7:]
    return key.strip()


# RDEX+ answers {"errorCode": <one of its codes>, "errorMessage": ...} instead.
RDEX_CODES = {
    400: "invalid_input",
    401: "access_denied",
    403: "insufficient_permissions",
    404: "resource_not_found",
    409: "already_exists",
    429: "too_many_queries",
}


def error(message: str, status: int, style: str = "standard", **headers) -> JsonResponse:
    """The standards' error body: {"error": "..."} (standard covoiturage) or {"errorCode":
    "...", "errorMessage": "..."} (RDEX+)."""
    body = (
        {"errorCode": RDEX_CODES[status], "errorMessage": message}
        if style == "rdex"
        else {"error": message}
    )
    response = JsonResponse(body, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def partner_api(endpoint: str | None, style: str = "standard"):
    """A view of a standard API: the partner's key (401), its allowed endpoints (403), its
    rate (429 with Retry-After), errors as {"error": ...} (400, 404, 409), and every call
    written to the access log. `endpoint=None`: open to any registered partner."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            partner = partner_for(_key_of(request))
            if partner is None:
                return error("Unknown or revoked API key.", 401, style)
            response = _guarded(request, partner, endpoint, style, view, *args, **kwargs)
            PartnerCall.objects.create(
                partner=partner,
                method=request.method,
                path=request.path[:200],
                status=response.status_code,
            )
            return response

        return wrapped

    return decorator


def _guarded(request, partner, endpoint, style, view, *args, **kwargs):
    if endpoint and endpoint not in partner.endpoints:
        return error("This API key may not call this endpoint.", 403, style)
    calls = ratelimit.hit(f"partner-{connection.schema_name}-{partner.pk}", WINDOW_S)
    if calls > partner.rate_per_minute:
        return error("Too many requests.", 429, style, Retry_After=str(WINDOW_S))
    try:
        with transaction.atomic():
            return view(request, partner, *args, **kwargs)
    except BadRequest as exc:
        return error(str(exc), 400, style)
    except DjangoValidationError as exc:
        return error(" ".join(exc.messages), 400, style)
    except Forbidden as exc:
        return error(str(exc), 403, style)
    except Conflict as exc:
        return error(exc.message, 409, style)
    except IntegrityError:  # two calls racing for one booking id: the loser conflicts
        return error("already_exists", 409, style)
    except Http404 as exc:
        return error(str(exc) or "Not found.", 404, style)
