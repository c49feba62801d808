"""The observatory's reads for its pages, other than the figures and datasets themselves
(`aggregates`, `datasets`)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from .models import AccessLog, ApiToken, RpcSubmission

ACCESS_LOG_SHOWN = 500


def access_log_entries() -> QuerySet[AccessLog]:
    """The latest lines of the access log, with who."""
    return AccessLog.objects.select_related("user")[:ACCESS_LOG_SHOWN]


def api_tokens() -> QuerySet[ApiToken]:
    """Every key of the territory, revoked ones included, newest first."""
    return ApiToken.objects.select_related("created_by")


def api_token_find(pk: int) -> ApiToken | None:
    return ApiToken.objects.filter(pk=pk).first()


def rpc_submission_counts() -> dict[str, int]:
    """Journeys per state of their way to the national registry (states without any left out)."""
    return dict(RpcSubmission.objects.values_list("status").annotate(n=Count("id")))
