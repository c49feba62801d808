"""The authority's datasets for BI tools: `GET /api/v1/observatory/<dataset>/` with a token
(or a data officer's session), the same figures and suppression as the files."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core import fields
from core.replica import replica_reads
from tenants.members.models import Role

from .datasets import DATASETS, dataset, metadata
from .forms import (
    FIRST_YEAR,
    KINDS,
    LEVEL_CHOICES,
    YEARS_AHEAD,
    period_problems,
    report_period,
)
from .models import AccessLog, ApiToken
from .services import access_log_record
from .tokens import TokenAuthentication, TokenRateThrottle


class TokenOrDataRole(BasePermission):
    message = "A key of this territory, or the data officer or admin role, is required."

    def has_permission(self, request, view) -> bool:
        if isinstance(request.auth, ApiToken):
            return True
        membership = getattr(request._request, "membership", None)
        return membership is not None and membership.has_role(
            Role.DATA_OFFICER, Role.TERRITORY_ADMIN
        )


def _period_day(help_text: str) -> fields.DateField:
    return fields.DateField(
        required=False, first_year=FIRST_YEAR, years_ahead=YEARS_AHEAD, help_text=help_text
    )


class PeriodQuerySerializer(serializers.Serializer):
    """The period and areas of a dataset, as the dashboard's form takes them."""

    kind = fields.ChoiceField(choices=KINDS, default="month")
    day = _period_day("A day in the month, quarter or year (default: today).")
    first = _period_day("First day (custom; three years at most).")
    last = _period_day("Last day (custom).")
    level = fields.ChoiceField(choices=LEVEL_CHOICES, default="commune")

    def validate(self, data):
        problems = period_problems(data["kind"], data.get("first"), data.get("last"))
        if problems:
            raise serializers.ValidationError(
                {field or "non_field_errors": [message] for field, message in problems.items()}
            )
        return data


class Dataset(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [TokenOrDataRole]
    throttle_classes = [TokenRateThrottle]

    @extend_schema(
        summary="An aggregated dataset of the territory (small cells suppressed)",
        parameters=[
            OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(DATASETS)),
            PeriodQuerySerializer,
        ],
        responses=inline_serializer(
            "ObservatoryDataset",
            {
                "metadata": serializers.DictField(),
                "rows": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    @replica_reads
    def get(self, request, name: str):
        if name not in DATASETS:
            raise NotFound(f"Unknown dataset; use one of {', '.join(DATASETS)}.")
        query = PeriodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        period = report_period(q["kind"], q.get("day"), q.get("first"), q.get("last"))
        table = dataset(name, period, q["level"])
        token = request.auth if isinstance(request.auth, ApiToken) else None
        access_log_record(
            user=request.user if request.user.is_authenticated else None,
            action=AccessLog.Action.API,
            what=name,
            period=period,
            detail=f"key {token.name}" if token else "session",
        )
        return Response({"metadata": metadata(table), "rows": table.rows})
