"""Websocket routes: the kernel's presence socket and each app's consumers."""

from django.urls import path

from tenants.members.consumers import PresenceConsumer
from trips.consumers import ConversationConsumer

websocket_urlpatterns = [
    path("ws/presence/", PresenceConsumer.as_asgi()),
    path("ws/conversations/<int:pk>/", ConversationConsumer.as_asgi()),
]
