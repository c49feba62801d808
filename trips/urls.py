"""Rides, searches, bookings and conversations: pages and the /api/v1/ endpoints."""

from django.urls import path

from . import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("places/", views.places, name="places"),
    path("places/at/", views.place_at, name="place_at"),
    path("map/roads.json", views.road_outline, name="road_outline"),
    path("rides/new/", views.offer_new, name="offer_new"),
    path("rides/<int:pk>/", views.offer_detail, name="offer_detail"),
    path("rides/<int:pk>/cancel/", views.offer_cancel, name="offer_cancel"),
    path("rides/<int:pk>/change/", views.offer_change, name="offer_change"),
    path("regular-rides/<int:pk>/cancel/", views.regular_ride_cancel, name="regular_ride_cancel"),
    path("my-trips/", views.my_trips, name="my_trips"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:pk>/delete/", views.alert_delete, name="alert_delete"),
    path("bookings/<int:pk>/conversation/", views.conversation, name="conversation"),
    path("bookings/<int:pk>/<str:action>/", views.booking_action, name="booking_action"),
]

api_urlpatterns = [
    path("offers/", api.Offers.as_view(), name="api_offers"),
    path("offers/<int:pk>/", api.OfferDetail.as_view(), name="api_offer"),
    path("offers/<int:pk>/cancel/", api.OfferCancel.as_view(), name="api_offer_cancel"),
    path("regular-rides/", api.RegularRides.as_view(), name="api_regular_rides"),
    path("regular-rides/<int:pk>/", api.RegularRideDetail.as_view(), name="api_regular_ride"),
    path(
        "regular-rides/<int:pk>/cancel/",
        api.RegularRideCancel.as_view(),
        name="api_regular_ride_cancel",
    ),
    path("search/", api.Search.as_view(), name="api_search"),
    path("alerts/", api.Alerts.as_view(), name="api_alerts"),
    path("alerts/<int:pk>/", api.AlertDetail.as_view(), name="api_alert"),
    path("bookings/", api.Bookings.as_view(), name="api_bookings"),
    *[
        path(
            f"bookings/<int:pk>/{action}/",
            api.BookingAction.as_view(action=action),
            name=f"api_booking_{action}",
        )
        for action in ("accept", "decline", "cancel")
    ],
    path("bookings/<int:pk>/confirm/", api.BookingConfirm.as_view(), name="api_booking_confirm"),
]
