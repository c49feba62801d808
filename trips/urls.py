"""Rides, searches, bookings and conversations: pages and the /api/v1/ endpoints."""

from django.urls import path

from .api import alerts as alerts_api
from .api import bookings as bookings_api
from .api import offers as offers_api
from .api import regular as regular_api
from .api import search as search_api
from .views import alerts, bookings, conversation, places, rides, search

urlpatterns = [
    path("", search.home, name="home"),
    path("places/", places.places, name="places"),
    path("places/at/", places.place_at, name="place_at"),
    path("map/route.json", places.route_preview, name="route_preview"),
    path("rides/new/", rides.offer_new, name="offer_new"),
    path("rides/<int:pk>/", rides.offer_detail, name="offer_detail"),
    path("rides/<int:pk>/cancel/", rides.offer_cancel, name="offer_cancel"),
    path("rides/<int:pk>/change/", rides.offer_change, name="offer_change"),
    path("regular-rides/<int:pk>/cancel/", rides.regular_ride_cancel, name="regular_ride_cancel"),
    path("my-trips/", bookings.my_trips, name="my_trips"),
    path("alerts/", alerts.alert_list, name="alerts"),
    path("alerts/<int:pk>/delete/", alerts.alert_delete, name="alert_delete"),
    path("bookings/<int:pk>/conversation/", conversation.conversation, name="conversation"),
    path("bookings/<int:pk>/<str:action>/", bookings.booking_action, name="booking_action"),
]

api_urlpatterns = [
    path("offers/", offers_api.Offers.as_view(), name="api_offers"),
    path("offers/<int:pk>/", offers_api.OfferDetail.as_view(), name="api_offer"),
    path("offers/<int:pk>/cancel/", offers_api.OfferCancel.as_view(), name="api_offer_cancel"),
    path("regular-rides/", regular_api.RegularRides.as_view(), name="api_regular_rides"),
    path(
        "regular-rides/<int:pk>/",
        regular_api.RegularRideDetail.as_view(),
        name="api_regular_ride",
    ),
    path(
        "regular-rides/<int:pk>/cancel/",
        regular_api.RegularRideCancel.as_view(),
        name="api_regular_ride_cancel",
    ),
    path("search/", search_api.Search.as_view(), name="api_search"),
    path("alerts/", alerts_api.Alerts.as_view(), name="api_alerts"),
    path("alerts/<int:pk>/", alerts_api.AlertDetail.as_view(), name="api_alert"),
    path("bookings/", bookings_api.Bookings.as_view(), name="api_bookings"),
    *[
        path(
            f"bookings/<int:pk>/{action}/",
            bookings_api.BookingAction.as_view(action=action),
            name=f"api_booking_{action}",
        )
        for action in ("accept", "decline", "cancel")
    ],
    path(
        "bookings/<int:pk>/confirm/",
        bookings_api.BookingConfirm.as_view(),
        name="api_booking_confirm",
    ),
]
