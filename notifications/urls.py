"""The notifications feed: its page and its /api/v1/ endpoints."""

from django.urls import path

from . import api, views

urlpatterns = [
    path("notifications/", views.feed, name="notifications"),
    path("manage/deliveries/", views.deliveries, name="deliveries"),
]

api_urlpatterns = [
    path("notifications/", api.Feed.as_view(), name="api_notifications"),
    path("notifications/read/", api.MarkRead.as_view(), name="api_notifications_read"),
]
