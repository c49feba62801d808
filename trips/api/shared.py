"""What several endpoints share: a place in requests, a reason for a cancellation."""

from rest_framework import serializers

from matching.network import Place


class PlaceSerializer(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    label = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


def place_of(data) -> Place:
    """The `Place` of a validated `PlaceSerializer`."""
    return Place(data["lon"], data["lat"], data.get("label", ""))


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
