"""`/api/v1/alerts/…`: a passenger's saved searches, told of each matching ride published."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core import fields
from core.api import CONFLICT
from core.permissions import IsTerritoryMember

from ..alerts import alert_cancel, alert_create, alerts_page_rows
from ..models import WEEKDAYS, Alert
from .shared import PlaceSerializer, place_of


class AlertInputSerializer(serializers.Serializer):
    origin = PlaceSerializer()
    destination = PlaceSerializer()
    days = serializers.ListField(
        child=fields.ChoiceField(choices=WEEKDAYS), min_length=1, max_length=7
    )
    earliest = fields.TimeField()
    latest = fields.TimeField(help_text="After earliest.")
    seats = fields.IntegerField(min_value=1, max_value=8, default=1)
    expires_on = fields.DateField(help_text="From today, one year ahead at most.")


class AlertMatchSerializer(serializers.Serializer):
    offer = serializers.IntegerField(help_text="The ride's id.")
    pickup_at = serializers.DateTimeField()


class AlertSerializer(serializers.ModelSerializer):
    days = serializers.SerializerMethodField()
    earliest = fields.TimeField()
    latest = fields.TimeField()
    matches = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "id",
            "origin_label",
            "destination_label",
            "days",
            "earliest",
            "latest",
            "seats",
            "expires_on",
            "created_at",
            "matches",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=WEEKDAYS)))
    def get_days(self, alert) -> list[str]:
        return [WEEKDAYS[d] for d in sorted(alert.days)]

    @extend_schema_field(AlertMatchSerializer(many=True))
    def get_matches(self, alert) -> list[dict]:
        return [{"offer": m.offer_id, "pickup_at": m.pickup_at} for m in alert.matches.all()]


class Alerts(APIView):
    """The person's alerts (saved searches); POST saves one."""

    permission_classes = [IsTerritoryMember]

    @extend_schema(responses=AlertSerializer(many=True))
    def get(self, request):
        return Response(AlertSerializer(alerts_page_rows(request.user), many=True).data)

    @extend_schema(request=AlertInputSerializer, responses={201: AlertSerializer, **CONFLICT})
    def post(self, request):
        data = AlertInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        alert = alert_create(
            passenger=request.user,
            origin=place_of(values.pop("origin")),
            destination=place_of(values.pop("destination")),
            days=[WEEKDAYS.index(day) for day in values.pop("days")],
            **values,
        )
        return Response(AlertSerializer(alert).data, status=status.HTTP_201_CREATED)


class AlertDetail(APIView):
    permission_classes = [IsTerritoryMember]

    def _mine(self, request, pk: int) -> Alert:
        return get_object_or_404(Alert, pk=pk, passenger=request.user, cancelled_at__isnull=True)

    @extend_schema(responses=AlertSerializer)
    def get(self, request, pk: int):
        return Response(AlertSerializer(self._mine(request, pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        alert_cancel(self._mine(request, pk), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
