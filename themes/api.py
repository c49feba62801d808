"""The territory's public description for apps: its name and colours (GET /api/v1/territory/)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import settings_get, theme_get


class TerritorySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    display_name = serializers.CharField()
    primary_colour = serializers.CharField()
    secondary_colour = serializers.CharField()
    publication_horizon_days = serializers.IntegerField(
        help_text="Rides leave within this many days from today; searches look no further."
    )


class TerritoryInfo(APIView):
    """Public description of this territory."""

    permission_classes = [AllowAny]

    @extend_schema(responses=TerritorySerializer)
    def get(self, request):
        theme = theme_get()
        data = {
            "slug": request.tenant.slug,
            "name": request.tenant.name,
            "display_name": theme.display_name,
            "primary_colour": theme.primary_colour,
            "secondary_colour": theme.secondary_colour,
            "publication_horizon_days": settings_get().publication_horizon_days,
        }
        return Response(TerritorySerializer(data).data)
