"""REST API for rides and bookings (`/api/v1/…`), thin over services and selectors."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core import blocks
from core.permissions import IsTerritoryMember
from matching.network import Place
from tenants.selectors import site_url

from . import alerts, services
from .models import WEEKDAYS, Alert, Booking, Offer, RegularRide
from .selectors import MAX_RESULTS, offers_matching


class PlaceSerializer(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    label = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


def _place(data) -> Place:
    return Place(data["lon"], data["lat"], data.get("label", ""))


class OfferInputSerializer(serializers.Serializer):
    origin = PlaceSerializer()
    destination = PlaceSerializer()
    departure_at = serializers.DateTimeField()
    margin_minutes = serializers.IntegerField(min_value=0, max_value=120, default=15)
    seats = serializers.IntegerField(min_value=1, max_value=8, default=3)
    cost_per_km = serializers.DecimalField(max_digits=4, decimal_places=3, required=False)
    max_detour_ratio = serializers.DecimalField(
        max_digits=3, decimal_places=2, min_value=0, max_value=1, default=Decimal("0.25")
    )
    instant_booking = serializers.BooleanField(default=False)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


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


class ScheduleSerializer(serializers.Serializer):
    """Departure time per day of the week; days left out (or null) are not driven."""

    mon = serializers.TimeField(required=False, allow_null=True)
    tue = serializers.TimeField(required=False, allow_null=True)
    wed = serializers.TimeField(required=False, allow_null=True)
    thu = serializers.TimeField(required=False, allow_null=True)
    fri = serializers.TimeField(required=False, allow_null=True)
    sat = serializers.TimeField(required=False, allow_null=True)
    sun = serializers.TimeField(required=False, allow_null=True)

    def to_internal_value(self, data):
        unknown = set(data) - set(WEEKDAYS) if isinstance(data, dict) else set()
        if unknown:
            raise serializers.ValidationError(
                _("Unknown day(s): %(days)s. Use %(known)s.")
                % {"days": ", ".join(sorted(map(str, unknown))), "known": ", ".join(WEEKDAYS)}
            )
        return super().to_internal_value(data)


class RegularRideInputSerializer(OfferInputSerializer):
    departure_at = None
    schedule = ScheduleSerializer()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()


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


class MatchSerializer(serializers.Serializer):
    offer = OfferSerializer()
    pickup_at = serializers.DateTimeField()
    dropoff_at = serializers.DateTimeField()
    detour_minutes = serializers.IntegerField()
    price = serializers.DecimalField(max_digits=7, decimal_places=2)
    score = serializers.FloatField()
    reason = serializers.CharField()
    territory = serializers.SerializerMethodField(
        help_text="Null for a ride of this territory; otherwise the neighbouring territory of "
        "the archipel that publishes it, where it is booked (same account)."
    )

    def get_territory(self, match) -> dict | None:
        if match.elsewhere is None:
            return None
        request = self.context["request"]
        return {
            "slug": match.elsewhere.slug,
            "name": match.elsewhere.name,
            "ride_url": site_url(request, match.elsewhere.host).rstrip("/")
            + reverse("offer_detail", args=[match.offer.pk]),
        }


class SearchQuerySerializer(serializers.Serializer):
    from_lon = serializers.FloatField(min_value=-180, max_value=180)
    from_lat = serializers.FloatField(min_value=-90, max_value=90)
    to_lon = serializers.FloatField(min_value=-180, max_value=180)
    to_lat = serializers.FloatField(min_value=-90, max_value=90)
    date = serializers.DateField()
    time = serializers.TimeField(default=time(8, 0))
    window_minutes = serializers.IntegerField(min_value=0, max_value=720, default=60)
    seats = serializers.IntegerField(min_value=1, max_value=8, default=1)
    limit = serializers.IntegerField(min_value=1, max_value=100, default=MAX_RESULTS)
    federated = serializers.BooleanField(
        default=True, help_text="Also the rides of neighbouring territories of the archipel."
    )


class BookingInputSerializer(serializers.Serializer):
    offer = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    pickup = PlaceSerializer()
    dropoff = PlaceSerializer()
    seats = serializers.IntegerField(min_value=1, max_value=8, default=1)


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


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class Offers(APIView):
    """Publish a ride (POST) or list the rides I drive (GET)."""

    permission_classes = [IsTerritoryMember]

    @extend_schema(responses=OfferSerializer(many=True))
    def get(self, request):
        offers = Offer.objects.filter(driver=request.user).select_related("driver")
        return Response(OfferSerializer(offers, many=True).data)

    @extend_schema(request=OfferInputSerializer, responses={201: OfferSerializer})
    def post(self, request):
        data = OfferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        offer = services.offer_publish(
            driver=request.user,
            origin=_place(values.pop("origin")),
            destination=_place(values.pop("destination")),
            **values,
        )
        return Response(OfferSerializer(offer).data, status=status.HTTP_201_CREATED)


class RegularRides(APIView):
    """Publish a weekly schedule (POST) or list mine (GET). Each departure becomes an offer."""

    permission_classes = [IsTerritoryMember]

    @extend_schema(responses=RegularRideSerializer(many=True))
    def get(self, request):
        rides = RegularRide.objects.filter(driver=request.user).prefetch_related("occurrences")
        return Response(RegularRideSerializer(rides, many=True).data)

    @extend_schema(request=RegularRideInputSerializer, responses={201: RegularRideSerializer})
    def post(self, request):
        data = RegularRideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        schedule = values.pop("schedule")
        ride = services.regular_ride_publish(
            driver=request.user,
            origin=_place(values.pop("origin")),
            destination=_place(values.pop("destination")),
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

    @extend_schema(request=ReasonSerializer, responses=RegularRideSerializer)
    def post(self, request, pk: int):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ride = services.regular_ride_cancel(
            _my_regular_ride(request, pk), by=request.user, reason=data.validated_data["reason"]
        )
        return Response(RegularRideSerializer(ride).data)


class OfferChangeSerializer(serializers.Serializer):
    seats = serializers.IntegerField(min_value=1, max_value=8, required=False)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    instant_booking = serializers.BooleanField(required=False)


class OfferDetail(APIView):
    permission_classes = [IsTerritoryMember]

    @extend_schema(responses=OfferSerializer)
    def get(self, request, pk: int):
        offer = get_object_or_404(Offer, pk=pk)
        if blocks.between(request.user, offer.driver_id):
            raise Http404  # people who blocked each other do not see each other's rides
        return Response(OfferSerializer(offer).data)

    @extend_schema(request=OfferChangeSerializer, responses=OfferSerializer)
    def patch(self, request, pk: int):
        """The driver changes seats, comment or instant booking (booked passengers are told)."""
        data = OfferChangeSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        offer = get_object_or_404(Offer, pk=pk)
        offer = services.offer_update(offer, by=request.user, **data.validated_data)
        return Response(OfferSerializer(offer).data)


class OfferCancel(APIView):
    permission_classes = [IsTerritoryMember]

    @extend_schema(request=ReasonSerializer, responses=OfferSerializer)
    def post(self, request, pk: int):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offer = services.offer_cancel(
            get_object_or_404(Offer, pk=pk), by=request.user, reason=data.validated_data["reason"]
        )
        return Response(OfferSerializer(offer).data)


def search_parameters(leave_out: tuple[str, ...] = ()) -> list[OpenApiParameter]:
    """The search's query parameters, for the OpenAPI schema."""
    required = {"from_lon", "from_lat", "to_lon", "to_lat", "date"}
    return [
        OpenApiParameter(name, required=name in required)
        for name in SearchQuerySerializer().fields
        if name not in leave_out
    ]


class Search(APIView):
    """Rides that can take the passenger from → to around the given time, best first."""

    permission_classes = [IsTerritoryMember]

    @extend_schema(
        parameters=search_parameters(),
        responses=MatchSerializer(many=True),
    )
    def get(self, request):
        q, pickup, dropoff, start, end = search_of(request)
        matches = offers_matching(
            pickup=pickup,
            dropoff=dropoff,
            window_start=start,
            window_end=end,
            seats=q["seats"],
            limit=q["limit"],
            federated=q["federated"],
            viewer=request.user,
        )
        services.search_logged(pickup, dropoff, matches)
        return Response(MatchSerializer(matches, many=True, context={"request": request}).data)


def search_of(request):
    """A search's checked parameters, its two places and its time window (400 when bad)."""
    query = SearchQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    q = query.validated_data
    centre = timezone.make_aware(datetime.combine(q["date"], q["time"]))
    half = timedelta(minutes=q["window_minutes"] / 2)
    pickup = Place(q["from_lon"], q["from_lat"])
    dropoff = Place(q["to_lon"], q["to_lat"])
    return q, pickup, dropoff, centre - half, centre + half


class Bookings(APIView):
    """Request seats (POST); list my bookings as passenger and on my rides as driver (GET)."""

    permission_classes = [IsTerritoryMember]

    @extend_schema(responses=BookingSerializer(many=True))
    def get(self, request):
        bookings = Booking.objects.filter(
            Q(passenger=request.user) | Q(offer__driver=request.user)
        ).select_related("passenger")
        return Response(BookingSerializer(bookings, many=True).data)

    @extend_schema(request=BookingInputSerializer, responses={201: BookingSerializer})
    def post(self, request):
        data = BookingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        booking = services.booking_request(
            offer_id=v["offer"],
            passenger=request.user,
            pickup=_place(v["pickup"]),
            dropoff=_place(v["dropoff"]),
            seats=v["seats"],
        )
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


def _visible_booking(request, pk: int) -> Booking:
    """Only the passenger and the driver see a booking (404 for anyone else)."""
    return get_object_or_404(
        Booking.objects.select_related("offer"),
        Q(passenger=request.user) | Q(offer__driver=request.user),
        pk=pk,
    )


class BookingAction(APIView):
    permission_classes = [IsTerritoryMember]
    action = ""

    @extend_schema(request=ReasonSerializer, responses=BookingSerializer)
    def post(self, request, pk: int):
        booking = _visible_booking(request, pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if self.action in {"accept", "decline"}:
            booking = services.booking_decide(
                booking, by=request.user, accept=self.action == "accept"
            )
        else:
            booking = services.booking_cancel(
                booking, by=request.user, reason=data.validated_data["reason"]
            )
        return Response(BookingSerializer(booking).data)


class ConfirmSerializer(serializers.Serializer):
    """What the browser reports of the ride, all optional."""

    pickup_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    dropoff_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    pickup = PlaceSerializer(required=False, allow_null=True, default=None)
    dropoff = PlaceSerializer(required=False, allow_null=True, default=None)


class BookingConfirm(APIView):
    """Confirm that the ride took place (driver and passenger each); both → a journey."""

    permission_classes = [IsTerritoryMember]

    @extend_schema(request=ConfirmSerializer, responses=BookingSerializer)
    def post(self, request, pk: int):
        booking = _visible_booking(request, pk)
        data = ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        report = services.Report(
            pickup_at=v["pickup_at"],
            dropoff_at=v["dropoff_at"],
            pickup=_place(v["pickup"]) if v["pickup"] else None,
            dropoff=_place(v["dropoff"]) if v["dropoff"] else None,
        )
        booking = services.booking_confirm(booking, by=request.user, report=report)
        return Response(BookingSerializer(booking).data)


class AlertInputSerializer(serializers.Serializer):
    origin = PlaceSerializer()
    destination = PlaceSerializer()
    days = serializers.ListField(
        child=serializers.ChoiceField(choices=WEEKDAYS), min_length=1, max_length=7
    )
    earliest = serializers.TimeField()
    latest = serializers.TimeField()
    seats = serializers.IntegerField(min_value=1, max_value=8, default=1)
    expires_on = serializers.DateField()


class AlertSerializer(serializers.ModelSerializer):
    days = serializers.SerializerMethodField()
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

    def get_days(self, alert) -> list[str]:
        return [WEEKDAYS[d] for d in sorted(alert.days)]

    def get_matches(self, alert) -> list[dict]:
        return [{"offer": m.offer_id, "pickup_at": m.pickup_at} for m in alert.matches.all()]


class Alerts(APIView):
    """The person's alerts (saved searches); POST saves one."""

    permission_classes = [IsTerritoryMember]

    @extend_schema(responses=AlertSerializer(many=True))
    def get(self, request):
        return Response(AlertSerializer(alerts.alerts_page_rows(request.user), many=True).data)

    @extend_schema(request=AlertInputSerializer, responses={201: AlertSerializer})
    def post(self, request):
        data = AlertInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        alert = alerts.alert_create(
            passenger=request.user,
            origin=_place(values.pop("origin")),
            destination=_place(values.pop("destination")),
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
        alerts.alert_cancel(self._mine(request, pk), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
