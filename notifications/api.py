"""The feed through the API (`/api/v1/notifications/`): a person's own notifications only."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core import fields
from core.permissions import IsTerritoryMember

from . import selectors, services
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    text = serializers.CharField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "link", "created_at", "read_at"]


class FeedSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
    results = NotificationSerializer(many=True)


class ReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=fields.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=1000,
        help_text="Notification ids; left out, all of them.",
    )


def _feed(user) -> Response:
    notes = selectors.notifications_of(user)[:100]
    return Response(
        {
            "unread": selectors.unread_count(user),
            "results": NotificationSerializer(notes, many=True).data,
        }
    )


class Feed(APIView):
    permission_classes = [IsTerritoryMember]

    @extend_schema(responses=FeedSerializer)
    def get(self, request):
        return _feed(request.user)


class MarkRead(APIView):
    """Mark the given notifications (or all, without `ids`) as read; others' ids are ignored."""

    permission_classes = [IsTerritoryMember]

    @extend_schema(request=ReadSerializer, responses=FeedSerializer)
    def post(self, request):
        data = ReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.notifications_mark_read(request.user, data.validated_data.get("ids"))
        return _feed(request.user)
