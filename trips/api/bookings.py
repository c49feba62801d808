"""`/api/v1/bookings/…`: request seats, list mine, accept, decline, cancel, confirm the ride
took place."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core import fields
from core.api import CONFLICT
from core.permissions import IsTerritoryMember

from ..models import Booking
from ..selectors import bookings_visible_to
from ..services.bookings import booking_cancel, booking_decide, booking_request
from ..services.journeys import JourneyReport, booking_confirm
from .shared import PlaceSerializer, ReasonSerializer, place_of


class BookingInputSerializer(serializers.Serializer):
    offer = fields.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The ride's id.")
    pickup = PlaceSerializer()
    dropoff = PlaceSerializer()
    seats = fields.IntegerField(min_value=1, max_value=8, default=1)


class BookingSerializer(serializers.ModelSerializer):
    passenger = serializers.CharField(source="passenger.display_name", read_only=True)

    class Meta:
        model = Booking
        fields = [
            "id",
            "offer",
            "passenger",
            "seats",
            "status",
            "pickup_label",
            "dropoff_label",
            "pickup_at",
            "dropoff_at",
            "distance_m",
            "detour_s",
            "price",
            "cancelled_by",
            "cancel_reason",
            "driver_confirmed_at",
            "passenger_confirmed_at",
        ]


class Bookings(APIView):
    """Request seats (POST); list my bookings as passenger and on my rides as driver (GET)."""

    permission_classes = [IsTerritoryMember]

    @extend_schema(responses=BookingSerializer(many=True))
    def get(self, request):
        bookings = bookings_visible_to(request.user).select_related("passenger")
        return Response(BookingSerializer(bookings, many=True).data)

    @extend_schema(request=BookingInputSerializer, responses={201: BookingSerializer, **CONFLICT})
    def post(self, request):
        data = BookingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        booking = booking_request(
            offer_id=v["offer"],
            passenger=request.user,
            pickup=place_of(v["pickup"]),
            dropoff=place_of(v["dropoff"]),
            seats=v["seats"],
        )
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


def _visible_booking(request, pk: int) -> Booking:
    """Only the passenger and the driver see a booking (404 for anyone else)."""
    return get_object_or_404(bookings_visible_to(request.user).select_related("offer"), pk=pk)


class BookingAction(APIView):
    permission_classes = [IsTerritoryMember]
    action = ""

    @extend_schema(request=ReasonSerializer, responses={200: BookingSerializer, **CONFLICT})
    def post(self, request, pk: int):
        booking = _visible_booking(request, pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if self.action in {"accept", "decline"}:
            booking = booking_decide(booking, by=request.user, accept=self.action == "accept")
        else:
            booking = booking_cancel(booking, by=request.user, reason=data.validated_data["reason"])
        return Response(BookingSerializer(booking).data)


class ConfirmSerializer(serializers.Serializer):
    """What the browser reports of the ride, all optional."""

    pickup_at = fields.DateTimeField(required=False, allow_null=True, default=None)
    dropoff_at = fields.DateTimeField(required=False, allow_null=True, default=None)
    pickup = PlaceSerializer(required=False, allow_null=True, default=None)
    dropoff = PlaceSerializer(required=False, allow_null=True, default=None)


class BookingConfirm(APIView):
    """Confirm that the ride took place (driver and passenger each); both → a journey."""

    permission_classes = [IsTerritoryMember]

    @extend_schema(request=ConfirmSerializer, responses={200: BookingSerializer, **CONFLICT})
    def post(self, request, pk: int):
        booking = _visible_booking(request, pk)
        data = ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        report = JourneyReport(
            pickup_at=v["pickup_at"],
            dropoff_at=v["dropoff_at"],
            pickup=place_of(v["pickup"]) if v["pickup"] else None,
            dropoff=place_of(v["dropoff"]) if v["dropoff"] else None,
        )
        booking = booking_confirm(booking, by=request.user, report=report)
        return Response(BookingSerializer(booking).data)
