"""The observatory's reads for its pages, other than the figures and datasets themselves
(`aggregates`, `datasets`)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from trips.models import Journey

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


def journey_exists(start, end) -> bool:
    """Whether a journey was picked up between two moments (end exclusive)."""
    return Journey.objects.filter(pickup_at__gte=start, pickup_at__lt=end).exists()


def last_journey_before(moment):
    """When the last journey picked up before a moment was, or None."""
    return (
        Journey.objects.filter(pickup_at__lt=moment)
        .order_by("-pickup_at")
        .values_list("pickup_at", flat=True)
        .first()
    )
