"""URLs of a territory's site (resolved on the territory's own domains)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from tenants.members import api as members_api
from tenants.members import views as members
from themes import views as themes
from trips import api as trips_api
from trips import views as trips_views

api_v1 = [
    path("territory/", members_api.TerritoryInfo.as_view(), name="api_territory"),
    path("me/", members_api.Me.as_view(), name="api_me"),
    path("members/", members_api.MembersList.as_view(), name="api_members"),
    path("offers/", trips_api.Offers.as_view(), name="api_offers"),
    path("offers/<int:pk>/", trips_api.OfferDetail.as_view(), name="api_offer"),
    path("offers/<int:pk>/cancel/", trips_api.OfferCancel.as_view(), name="api_offer_cancel"),
    path("regular-rides/", trips_api.RegularRides.as_view(), name="api_regular_rides"),
    path("regular-rides/<int:pk>/", trips_api.RegularRideDetail.as_view(), name="api_regular_ride"),
    path(
        "regular-rides/<int:pk>/cancel/",
        trips_api.RegularRideCancel.as_view(),
        name="api_regular_ride_cancel",
    ),
    path("search/", trips_api.Search.as_view(), name="api_search"),
    path("bookings/", trips_api.Bookings.as_view(), name="api_bookings"),
    *[
        path(
            f"bookings/<int:pk>/{action}/",
            trips_api.BookingAction.as_view(action=action),
            name=f"api_booking_{action}",
        )
        for action in ("accept", "decline", "cancel")
    ],
    path(
        "bookings/<int:pk>/confirm/",
        trips_api.BookingConfirm.as_view(),
        name="api_booking_confirm",
    ),
]

urlpatterns = [
    path("", trips_views.home, name="home"),
    path("places/", trips_views.places, name="places"),
    path("places/at/", trips_views.place_at, name="place_at"),
    path("map/roads.json", trips_views.road_outline, name="road_outline"),
    path("rides/new/", trips_views.offer_new, name="offer_new"),
    path("rides/<int:pk>/", trips_views.offer_detail, name="offer_detail"),
    path("rides/<int:pk>/cancel/", trips_views.offer_cancel, name="offer_cancel"),
    path(
        "regular-rides/<int:pk>/cancel/",
        trips_views.regular_ride_cancel,
        name="regular_ride_cancel",
    ),
    path("my-trips/", trips_views.my_trips, name="my_trips"),
    path("bookings/<int:pk>/<str:action>/", trips_views.booking_action, name="booking_action"),
    path("legal/", themes.legal, name="legal"),
    path("join/", members.join, name="join"),
    path("accounts/", include("allauth.urls")),
    path("manage/", members.manage_home, name="manage"),
    path("manage/members/", members.members_page, name="members"),
    path("manage/members/<int:pk>/", members.member_edit, name="member_edit"),
    path("manage/appearance/", themes.appearance, name="appearance"),
    path("manifest.webmanifest", themes.manifest, name="manifest"),
    path("branding/<str:name>", themes.branding_image, name="branding"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
]
