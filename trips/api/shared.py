"""What several endpoints share: a place in requests, a reason for a cancellation."""

from rest_framework import serializers

from core import fields
from matching.network import Place


class PlaceSerializer(serializers.Serializer):
    lon = fields.FloatField(min_value=-180, max_value=180)
    lat = fields.FloatField(min_value=-90, max_value=90)
    label = fields.CharField(max_length=200, required=False, allow_blank=True, default="")


def place_of(data) -> Place:
    """The `Place` of a validated `PlaceSerializer`."""
    return Place(data["lon"], data["lat"], data.get("label", ""))


class ReasonSerializer(serializers.Serializer):
    reason = fields.CharField(max_length=500, required=False, allow_blank=True, default="")
