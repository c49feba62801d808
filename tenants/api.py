from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import territories_listed


class ListedTerritorySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    url = serializers.URLField()


class TerritoriesList(APIView):
    """The territories of the archipel (public site)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ListedTerritorySerializer(many=True))
    def get(self, request):
        return Response(ListedTerritorySerializer(territories_listed(request), many=True).data)
