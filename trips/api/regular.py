"""`/api/v1/regular-rides/…`: publish a weekly schedule, list mine, see one, cancel it. Each
departure is an offer (trips.api.offers) that passengers book."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import ngettext
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core import fields
from core.api import CONFLICT
from core.permissions import IsTerritoryMember

from ..models import WEEKDAYS, Offer, RegularRide
from ..services.regular import regular_ride_cancel, regular_ride_publish
from .offers import OfferInputSerializer
from .shared import ReasonSerializer, place_of


class ScheduleSerializer(serializers.Serializer):
    """Departure time per day of the week; days left out (or null) are not driven."""

    mon = fields.TimeField(required=False, allow_null=True)
    tue = fields.TimeField(required=False, allow_null=True)
    wed = fields.TimeField(required=False, allow_null=True)
    thu = fields.TimeField(required=False, allow_null=True)
    fri = fields.TimeField(required=False, allow_null=True)
    sat = fields.TimeField(required=False, allow_null=True)
    sun = fields.TimeField(required=False, allow_null=True)

    def to_internal_value(self, data):
        unknown = set(data) - set(WEEKDAYS) if isinstance(data, dict) else set()
        if unknown:
            raise serializers.ValidationError(
                ngettext(
                    "Unknown day: %(days)s. Use %(known)s.",
                    "Unknown days: %(days)s. Use %(known)s.",
                    len(unknown),
                )
                % {"days": ", ".join(sorted(map(str, unknown))), "known": ", ".join(WEEKDAYS)}
            )
        return super().to_internal_value(data)


class RegularRideInputSerializer(OfferInputSerializer):
    departure_at = None
    schedule = ScheduleSerializer()
    valid_from = fields.DateField(help_text="From today, within the publication horizon.")
    valid_until = fields.DateField(
        help_text="Within the publication horizon, less than a year after valid_from."
    )


class DepartureSerializer(serializers.ModelSerializer):
    seats_left = serializers.IntegerField(read_only=True)

    class Meta:
        model = Offer
        fields = ["id", "departure_at", "seats_left", "status"]


class RegularRideSerializer(serializers.ModelSerializer):
    schedule = serializers.SerializerMethodField()
    origin_label = serializers.SerializerMethodField()
    destination_label = serializers.SerializerMethodField()
    upcoming = serializers.SerializerMethodField()

    class Meta:
        model = RegularRide
        fields = [
            "id",
            "origin_label",
            "destination_label",
            "schedule",
            "valid_from",
            "valid_until",
            "status",
            "upcoming",
        ]

    def _departures(self, ride) -> list[Offer]:
        """The ride's departures in time order, read once per ride (prefetched for lists)."""
        cache = self.__dict__.setdefault("_departures_of", {})
        if ride.pk not in cache:
            cache[ride.pk] = sorted(ride.occurrences.all(), key=lambda o: o.departure_at)
        return cache[ride.pk]

    def _first(self, ride) -> Offer:
        return self._departures(ride)[0]

    def get_schedule(self, ride) -> dict[str, str]:
        return {day: f"{at:%H:%M}" for day, at in ride.schedule.items()}

    def get_origin_label(self, ride) -> str:
        return self._first(ride).origin_label

    def get_destination_label(self, ride) -> str:
        return self._first(ride).destination_label

    @extend_schema_field(DepartureSerializer(many=True))
    def get_upcoming(self, ride) -> list:
        """The departures still to come (each one is an offer passengers book)."""
        now = timezone.now()
        departures = [o for o in self._departures(ride) if o.departure_at > now]
        return DepartureSerializer(departures, many=True).data


class RegularRides(APIView):
    """Publish a weekly schedule (POST) or list mine (GET). Each departure becomes an offer."""

    permission_classes = [IsTerritoryMember]

    @extend_schema(responses=RegularRideSerializer(many=True))
    def get(self, request):
        rides = RegularRide.objects.filter(driver=request.user).prefetch_related("occurrences")
        return Response(RegularRideSerializer(rides, many=True).data)

    @extend_schema(
        request=RegularRideInputSerializer, responses={201: RegularRideSerializer, **CONFLICT}
    )
    def post(self, request):
        data = RegularRideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        schedule = values.pop("schedule")
        ride = regular_ride_publish(
            driver=request.user,
            origin=place_of(values.pop("origin")),
            destination=place_of(values.pop("destination")),
            departure_times=[schedule.get(day) for day in WEEKDAYS],
            **values,
        )
        return Response(RegularRideSerializer(ride).data, status=status.HTTP_201_CREATED)


def _my_regular_ride(request, pk: int) -> RegularRide:
    return get_object_or_404(RegularRide, pk=pk, driver=request.user)


class RegularRideDetail(APIView):
    permission_classes = [IsTerritoryMember]

    @extend_schema(responses=RegularRideSerializer)
    def get(self, request, pk: int):
        return Response(RegularRideSerializer(_my_regular_ride(request, pk)).data)


class RegularRideCancel(APIView):
    """Cancel every departure still to come; booked passengers are told."""

    permission_classes = [IsTerritoryMember]

    @extend_schema(request=ReasonSerializer, responses={200: RegularRideSerializer, **CONFLICT})
    def post(self, request, pk: int):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ride = regular_ride_cancel(
            _my_regular_ride(request, pk), by=request.user, reason=data.validated_data["reason"]
        )
        return Response(RegularRideSerializer(ride).data)
