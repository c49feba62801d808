"""The incentives in /api/v1/: a person's own lines (`incentives/mine/`), and for the
authority's tools — a key of the territory (observatory's keys) or an admin's or incentive
manager's session — the campaigns, a simulation and a month's statement."""

from __future__ import annotations

from datetime import date

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core import fields
from core.permissions import IsTerritoryMember
from observatory.models import ApiToken
from observatory.tokens import TokenAuthentication, TokenRateThrottle
from tenants.members.models import Role

from . import selectors
from .rules import describe, rules_read
from .services.campaigns import simulate
from .statements import statement_data


class KeyOrManager(BasePermission):
    message = "A key of this territory, or the admin or incentive manager role, is required."

    def has_permission(self, request, view) -> bool:
        if isinstance(request.auth, ApiToken):
            return True
        membership = getattr(request._request, "membership", None)
        return membership is not None and membership.has_role(
            Role.TERRITORY_ADMIN, Role.INCENTIVE_MANAGER
        )


class AuthorityView(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [KeyOrManager]
    throttle_classes = [TokenRateThrottle]

    def campaign(self, pk: int):
        campaign = selectors.campaign_find(pk)
        if campaign is None:
            raise NotFound("No campaign has this id in this territory.")
        return campaign


class LineSerializer(serializers.Serializer):
    campaign = serializers.CharField(source="campaign.name")
    journey = serializers.IntegerField(source="journey_id")
    journey_at = serializers.DateTimeField()
    role = serializers.CharField()
    kind = serializers.CharField()
    amount = serializers.DecimalField(max_digits=8, decimal_places=2)
    explanation = serializers.CharField()
    recorded_at = serializers.DateTimeField(source="created_at")


class Mine(APIView):
    """What the signed-in person earned, journey by journey, and their balance."""

    permission_classes = [IsTerritoryMember]

    @extend_schema(
        responses=inline_serializer(
            "MyIncentives",
            {
                "earned": serializers.DecimalField(max_digits=10, decimal_places=2),
                "paid": serializers.DecimalField(max_digits=10, decimal_places=2),
                "due": serializers.DecimalField(max_digits=10, decimal_places=2),
                "lines": LineSerializer(many=True),
            },
        )
    )
    def get(self, request):
        balance = selectors.person_balance(request.user)
        lines = LineSerializer(selectors.lines_of(request.user), many=True).data
        return Response({**{k: str(v) for k, v in balance.items()}, "lines": lines})


class CampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=["draft", "active", "closed"])
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    budget = serializers.DecimalField(max_digits=10, decimal_places=2)
    spent = serializers.DecimalField(max_digits=12, decimal_places=2)
    paid = serializers.ChoiceField(choices=["driver", "passenger", "both"])
    funder = inline_serializer(
        "Funder", {"name": serializers.CharField(), "siret": serializers.CharField()}
    )
    rules = serializers.DictField(help_text="The blocks, as docs/incentives.md lists them.")
    said = serializers.ListField(child=serializers.CharField(), help_text="Each block in words.")


FIGURES = {
    "cents": serializers.IntegerField(),
    "lines": serializers.IntegerField(),
    "journeys": serializers.IntegerField(),
    "people": serializers.IntegerField(),
    "budget_share": serializers.FloatField(allow_null=True),
    "vehicle_km": serializers.FloatField(),
    "cents_per_vkm": serializers.FloatField(allow_null=True),
    "cents_per_car_trip": serializers.FloatField(allow_null=True),
}
SimulationSerializer = inline_serializer(
    "IncentiveSimulation",
    {
        "first": serializers.DateField(),
        "last": serializers.DateField(),
        "seconds": serializers.FloatField(),
        "budget_cents": serializers.IntegerField(),
        "journeys_seen": serializers.IntegerField(),
        "total": inline_serializer("SimulationFigures", FIGURES),
        "months": serializers.ListField(child=serializers.DictField()),
        "reasons": serializers.DictField(child=serializers.IntegerField()),
    },
)
StatementSerializer = inline_serializer(
    "IncentiveStatement",
    {
        "campaign": serializers.IntegerField(),
        "month": serializers.CharField(),
        "paid_at": serializers.DateTimeField(allow_null=True),
        "totals": serializers.DictField(child=serializers.CharField()),
        "lines": LineSerializer(many=True),
        "payments": serializers.ListField(child=serializers.DictField()),
        "to_pay": serializers.CharField(),
    },
)


def _campaign_json(campaign) -> dict:
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "status": campaign.status,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "budget": str(campaign.budget),
        "spent": str(selectors.spent(campaign)),
        "paid": campaign.paid,
        "funder": {"name": campaign.funder_name, "siret": campaign.funder_siret},
        "rules": campaign.rules,
        "said": describe(rules_read(campaign.rules), selectors.known_areas()),
    }


class Campaigns(AuthorityView):
    @extend_schema(
        summary="The territory's incentive campaigns", responses=CampaignSerializer(many=True)
    )
    def get(self, request):
        return Response([_campaign_json(c) for c in selectors.campaigns()])


class SimulationQuery(serializers.Serializer):
    first = fields.DateField()
    last = fields.DateField()

    def validate(self, data):
        if data["last"] < data["first"]:
            raise serializers.ValidationError({"last": ["The period ends after it starts."]})
        if (data["last"] - data["first"]).days > 731:
            raise serializers.ValidationError({"last": ["Two years at most."]})
        return data


class Simulate(AuthorityView):
    @extend_schema(
        summary="Run a campaign on the territory's past journeys of a period",
        request=SimulationQuery,
        responses=SimulationSerializer,
    )
    def post(self, request, pk: int):
        campaign = self.campaign(pk)
        query = SimulationQuery(data=request.data)
        query.is_valid(raise_exception=True)
        user = request.user if request.user.is_authenticated else None
        run = simulate(
            campaign, query.validated_data["first"], query.validated_data["last"], by=user
        )
        return Response(
            {"first": run.first, "last": run.last, "seconds": run.seconds, **run.result}
        )


class StatementView(AuthorityView):
    @extend_schema(
        summary="A campaign's statement of a month (YYYY-MM)", responses=StatementSerializer
    )
    def get(self, request, pk: int, month: str):
        campaign = self.campaign(pk)
        try:
            first = date.fromisoformat(f"{month}-01")
        except ValueError:
            raise NotFound("The month is YYYY-MM.") from None
        data = statement_data(campaign, first)
        return Response(
            {
                "campaign": campaign.pk,
                "month": month,
                "paid_at": data.paid_at,
                "totals": {k: str(v) for k, v in data.totals.items()},
                "lines": LineSerializer(data.lines, many=True).data,
                "payments": [
                    {
                        "person": p.person_id,
                        "amount": str(p.amount),
                        "account": f"…{p.account.iban_end}" if p.account else None,
                    }
                    for p in data.payments
                ],
                "to_pay": str(data.to_pay),
            }
        )
