"""The standard APIs partners call (RDEX+, standard covoiturage), the partner and provider
admin pages, and the partners' results under a search."""

from django.urls import include, path

from . import api, views
from .rdex import views as rdex
from .standard import views as standard

standard_covoiturage = [
    path("status", standard.status, name="standard_status"),
    path("driver_journeys", standard.driver_journeys, name="standard_driver_journeys"),
    path("passenger_journeys", standard.passenger_journeys, name="standard_passenger_journeys"),
    path(
        "driver_regular_trips",
        standard.driver_regular_trips,
        name="standard_driver_regular_trips",
    ),
    path(
        "passenger_regular_trips",
        standard.passenger_regular_trips,
        name="standard_passenger_regular_trips",
    ),
    path("bookings", standard.bookings, name="standard_bookings"),
    path("bookings/<str:booking_id>", standard.booking_detail, name="standard_booking"),
    path("messages", standard.messages, name="standard_messages"),
]

rdex_plus = [
    path("journeys", rdex.journeys, name="rdex_journeys"),
    path("bookings", rdex.bookings, name="rdex_bookings"),
    path("bookings/<str:booking_id>", rdex.booking_detail, name="rdex_booking"),
    path("messages", rdex.messages, name="rdex_messages"),
]

urlpatterns = [
    path("interop/rdexplus/v2/", include(rdex_plus)),
    path("interop/standard-covoiturage/v1/", include(standard_covoiturage)),
    path("manage/partners/", views.partners, name="partners"),
    path("manage/partners/<int:pk>/revoke/", views.partner_revoke_view, name="partner_revoke"),
    path("manage/providers/", views.providers, name="providers"),
    path("manage/providers/<int:pk>/", views.provider_edit, name="provider_edit"),
    path("manage/providers/<int:pk>/delete/", views.provider_delete, name="provider_delete"),
    path("search/partners/", views.partner_search, name="partner_search"),
]

api_urlpatterns = [
    path("search/partners/", api.PartnerSearch.as_view(), name="api_partner_search"),
]
