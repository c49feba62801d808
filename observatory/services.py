"""The observatory's writes: the access log of the authority's data, and the API keys of its
tools. (Sending journeys to the national registry is `registry`, run by cron or Celery.)"""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from .aggregates import ReportPeriod
from .models import AccessLog, ApiToken
from .tokens import PREFIX, key_digest


def access_log_record(
    *, user: AbstractBaseUser | None, action: str, what: str, period: ReportPeriod, detail: str = ""
) -> AccessLog:
    """One line of the access log: `user` viewed, downloaded or called (`action`) the page or
    dataset `what` for the period."""
    return AccessLog.objects.create(
        user=user,
        action=action,
        what=what,
        period_start=period.first,
        period_end=period.last,
        detail=detail[:200],
    )


def token_create(*, name: str, by) -> tuple[ApiToken, str]:
    """A new token and its key (shown once)."""
    key = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        name=name.strip()[:80] or "API", key_hash=key_digest(key), prefix=key[5:13], created_by=by
    )
    return token, key


def token_revoke(token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
