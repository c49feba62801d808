"""`/api/v1/search/`: the rides that can take a passenger from → to around a time, best first.
`SearchQuerySerializer` and `search_of` also serve the partners' search (interop.api)."""

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core import fields
from core.permissions import IsTerritoryMember
from matching.network import Place
from tenants.selectors import site_url

from ..selectors import MAX_RESULTS, offers_matching, search_day_check
from ..services.searches import search_logged
from .offers import OfferSerializer


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
    """The search's query parameters; the schema's parameters are generated from it."""

    from_lon = fields.FloatField(min_value=-180, max_value=180, help_text="Pickup longitude.")
    from_lat = fields.FloatField(min_value=-90, max_value=90, help_text="Pickup latitude.")
    to_lon = fields.FloatField(min_value=-180, max_value=180, help_text="Drop-off longitude.")
    to_lat = fields.FloatField(min_value=-90, max_value=90, help_text="Drop-off latitude.")
    date = fields.DateField(
        help_text="From yesterday to the territory's publication horizon "
        "(GET /api/v1/territory/: publication_horizon_days)."
    )
    time = fields.TimeField(default=time(8, 0), help_text="Preferred pickup time.")
    window_minutes = fields.IntegerField(
        min_value=0, max_value=720, default=60, help_text="Width of the window around time."
    )
    seats = fields.IntegerField(min_value=1, max_value=8, default=1)
    limit = fields.IntegerField(min_value=1, max_value=100, default=MAX_RESULTS)
    federated = fields.BooleanField(
        default=True, help_text="Also the rides of neighbouring territories of the archipel."
    )

    def validate_date(self, day):
        return search_day_check(day)


class Search(APIView):
    """Rides that can take the passenger from → to around the given time, best first."""

    permission_classes = [IsTerritoryMember]

    @extend_schema(parameters=[SearchQuerySerializer], responses=MatchSerializer(many=True))
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
        search_logged(pickup, dropoff, matches)
        return Response(MatchSerializer(matches, many=True, context={"request": request}).data)


def search_of(request, serializer_class=SearchQuerySerializer):
    """A search's checked parameters, its two places and its time window (400 when bad)."""
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    q = query.validated_data
    centre = timezone.make_aware(datetime.combine(q["date"], q["time"]))
    half = timedelta(minutes=q["window_minutes"] / 2)
    pickup = Place(q["from_lon"], q["from_lat"])
    dropoff = Place(q["to_lon"], q["to_lat"])
    return q, pickup, dropoff, centre - half, centre + half
