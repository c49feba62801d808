"""`/api/v1/offers/…`: publish a one-off ride, list mine, see one, change or cancel it."""

from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core import blocks, fields
from core.api import CONFLICT
from core.permissions import IsTerritoryMember

from ..models import Offer
from ..services.rides import offer_cancel, offer_publish, offer_update
from .shared import PlaceSerializer, ReasonSerializer, place_of


class OfferInputSerializer(serializers.Serializer):
    origin = PlaceSerializer()
    destination = PlaceSerializer()
    departure_at = fields.DateTimeField(
        help_text="In the future, and within the territory's publication horizon "
        "(GET /api/v1/territory/: publication_horizon_days)."
    )
    margin_minutes = fields.IntegerField(min_value=0, max_value=120, default=15)
    seats = fields.IntegerField(min_value=1, max_value=8, default=3)
    cost_per_km = fields.DecimalField(
        max_digits=4,
        decimal_places=3,
        min_value=0,
        required=False,
        help_text="At most the territory's maximum; the territory's default when left out.",
    )
    max_detour_ratio = fields.DecimalField(
        max_digits=3, decimal_places=2, min_value=0, max_value=1, default=Decimal("0.25")
    )
    instant_booking = fields.BooleanField(default=False)
    comment = fields.CharField(max_length=1000, required=False, allow_blank=True, default="")


class OfferSerializer(serializers.ModelSerializer):
    seats_left = serializers.IntegerField(read_only=True)
    route = serializers.SerializerMethodField()
    driver = serializers.CharField(source="driver.display_name", read_only=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "driver",
            "origin_label",
            "destination_label",
            "departure_at",
            "margin_minutes",
            "distance_m",
            "duration_s",
            "seats",
            "seats_left",
            "cost_per_km",
            "max_detour_ratio",
            "instant_booking",
            "comment",
            "status",
            "regular_ride",
            "route",
        ]

    def get_route(self, offer) -> dict:
        return {"type": "LineString", "coordinates": [list(c) for c in offer.route.coords]}


class Offers(APIView):
    """Publish a ride (POST) or list the rides I drive (GET)."""

    permission_classes = [IsTerritoryMember]

    @extend_schema(responses=OfferSerializer(many=True))
    def get(self, request):
        offers = Offer.objects.filter(driver=request.user).select_related("driver")
        return Response(OfferSerializer(offers, many=True).data)

    @extend_schema(request=OfferInputSerializer, responses={201: OfferSerializer, **CONFLICT})
    def post(self, request):
        data = OfferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        offer = offer_publish(
            driver=request.user,
            origin=place_of(values.pop("origin")),
            destination=place_of(values.pop("destination")),
            **values,
        )
        return Response(OfferSerializer(offer).data, status=status.HTTP_201_CREATED)


class OfferChangeSerializer(serializers.Serializer):
    seats = fields.IntegerField(min_value=1, max_value=8, required=False)
    comment = fields.CharField(max_length=1000, required=False, allow_blank=True)
    instant_booking = fields.BooleanField(required=False)


class OfferDetail(APIView):
    permission_classes = [IsTerritoryMember]

    @extend_schema(responses=OfferSerializer)
    def get(self, request, pk: int):
        offer = get_object_or_404(Offer, pk=pk)
        if blocks.between(request.user, offer.driver_id):
            raise Http404  # people who blocked each other do not see each other's rides
        return Response(OfferSerializer(offer).data)

    @extend_schema(request=OfferChangeSerializer, responses={200: OfferSerializer, **CONFLICT})
    def patch(self, request, pk: int):
        """The driver changes seats, comment or instant booking (booked passengers are told)."""
        data = OfferChangeSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        offer = get_object_or_404(Offer, pk=pk)
        offer = offer_update(offer, by=request.user, **data.validated_data)
        return Response(OfferSerializer(offer).data)


class OfferCancel(APIView):
    permission_classes = [IsTerritoryMember]

    @extend_schema(request=ReasonSerializer, responses={200: OfferSerializer, **CONFLICT})
    def post(self, request, pk: int):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offer = offer_cancel(
            get_object_or_404(Offer, pk=pk), by=request.user, reason=data.validated_data["reason"]
        )
        return Response(OfferSerializer(offer).data)
