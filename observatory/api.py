"""The authority's datasets for BI tools: `GET /api/v1/observatory/<dataset>/` with a token
(or a data officer's session), the same figures and suppression as the files."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.members.models import Role

from .datasets import DATASETS, dataset, metadata
from .forms import PeriodForm
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


class Dataset(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [TokenOrDataRole]
    throttle_classes = [TokenRateThrottle]

    @extend_schema(
        summary="An aggregated dataset of the territory (small cells suppressed)",
        parameters=[
            OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(DATASETS)),
            OpenApiParameter("kind", str, enum=["month", "quarter", "year", "custom"]),
            OpenApiParameter("day", str, description="A day in the month/quarter/year."),
            OpenApiParameter("first", str, description="First day (custom)."),
            OpenApiParameter("last", str, description="Last day (custom)."),
            OpenApiParameter("level", str, enum=["commune", "epci"]),
        ],
        responses=inline_serializer(
            "ObservatoryDataset",
            {
                "metadata": serializers.DictField(),
                "rows": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request, name: str):
        if name not in DATASETS:
            raise NotFound(f"Unknown dataset; use one of {', '.join(DATASETS)}.")
        form = PeriodForm(request.query_params or {"kind": "month"})
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        period = form.period()
        table = dataset(name, period, form.cleaned_data["level"])
        token = request.auth if isinstance(request.auth, ApiToken) else None
        access_log_record(
            user=request.user if request.user.is_authenticated else None,
            action=AccessLog.Action.API,
            what=name,
            period=period,
            detail=f"key {token.name}" if token else "session",
        )
        return Response({"metadata": metadata(table), "rows": table.rows})
