"""The journeys of partner platforms for a search, in the site's own API (for its apps):
the same outcome as the web page's partner section (see interop.outbound)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import IsTerritoryMember
from trips.api.search import SearchQuerySerializer, search_of

from .outbound import external_journeys


class PartnerJourneySerializer(serializers.Serializer):
    provider = serializers.CharField(help_text="The platform that publishes the journey.")
    driver = serializers.CharField(help_text="The driver's alias on that platform.")
    departure_at = serializers.DateTimeField()
    pickup_at = serializers.DateTimeField(allow_null=True)
    price = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    seats = serializers.IntegerField(allow_null=True)
    web_url = serializers.URLField(help_text="The journey's page on that platform: book there.")


class PartnerSearchSerializer(serializers.Serializer):
    journeys = PartnerJourneySerializer(many=True)
    unavailable = serializers.ListField(
        child=serializers.CharField(),
        help_text="Platforms that failed or were too slow this time.",
    )


class PartnerSearchQuerySerializer(SearchQuerySerializer):
    """The search's parameters, less those of the archipel's own results."""

    limit = None
    federated = None


class PartnerSearch(APIView):
    """Journeys of the partner platforms for a search (asked at once, within 2 s in all)."""

    permission_classes = [IsTerritoryMember]

    @extend_schema(
        parameters=[PartnerSearchQuerySerializer],
        responses=PartnerSearchSerializer,
    )
    def get(self, request):
        _q, pickup, dropoff, start, end = search_of(request, PartnerSearchQuerySerializer)
        outcome = external_journeys(pickup, dropoff, start, end)
        return Response(PartnerSearchSerializer(outcome).data)
