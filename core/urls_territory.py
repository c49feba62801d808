"""URLs of a territory's site (resolved on the territory's own domains)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from interop import api as interop_api
from interop import rdex as rdex_api
from interop import standard as standard_api
from interop import views as interop_views
from notifications import api as notifications_api
from notifications import views as notifications_views
from observatory import api as observatory_api
from observatory import views as observatory_views
from solidarity import views as solidarity_views
from tenants.members import api as members_api
from tenants.members import views as members
from themes import views as themes
from trips import api as trips_api
from trips import views as trips_views
from trust import phone as trust_phone
from trust import share as trust_share
from trust import views as trust_views

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
    path("search/partners/", interop_api.PartnerSearch.as_view(), name="api_partner_search"),
    path("alerts/", trips_api.Alerts.as_view(), name="api_alerts"),
    path("alerts/<int:pk>/", trips_api.AlertDetail.as_view(), name="api_alert"),
    path("notifications/", notifications_api.Feed.as_view(), name="api_notifications"),
    path(
        "notifications/read/",
        notifications_api.MarkRead.as_view(),
        name="api_notifications_read",
    ),
    path("observatory/<str:name>/", observatory_api.Dataset.as_view(), name="api_observatory"),
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

solidarity_urls = [
    path("", solidarity_views.board, name="solidarity_board"),
    path("beneficiaries/", solidarity_views.beneficiaries, name="solidarity_beneficiaries"),
    path(
        "beneficiaries/new/",
        solidarity_views.beneficiary_new,
        name="solidarity_beneficiary_new",
    ),
    path(
        "beneficiaries/<int:pk>/",
        solidarity_views.beneficiary_detail,
        name="solidarity_beneficiary",
    ),
    path(
        "beneficiaries/<int:pk>/export/",
        solidarity_views.beneficiary_export,
        name="solidarity_beneficiary_export",
    ),
    path(
        "beneficiaries/<int:pk>/erase/",
        solidarity_views.beneficiary_erase,
        name="solidarity_beneficiary_erase",
    ),
    path(
        "beneficiaries/<int:pk>/requests/new/",
        solidarity_views.request_new,
        name="solidarity_request_new",
    ),
    path("requests/<int:pk>/", solidarity_views.request_detail, name="solidarity_request"),
    path("requests/<int:pk>/receipt/", solidarity_views.receipt, name="solidarity_receipt"),
    path(
        "requests/<int:pk>/conversation/",
        solidarity_views.request_conversation,
        name="solidarity_conversation",
    ),
    path(
        "requests/<int:pk>/<str:action>/",
        solidarity_views.request_action,
        name="solidarity_request_action",
    ),
    path("structures/", solidarity_views.structures, name="solidarity_structures"),
    path("my-requests/", solidarity_views.my_requests, name="solidarity_my_requests"),
    path("volunteers/", solidarity_views.volunteers, name="solidarity_volunteers"),
    path(
        "volunteers/<int:pk>/accept/",
        solidarity_views.volunteer_accept,
        name="solidarity_volunteer_accept",
    ),
]

volunteer_urls = [
    path("", solidarity_views.volunteer_home, name="volunteer_home"),
    path("apply/", solidarity_views.volunteer_apply, name="volunteer_apply"),
    path("availability/", solidarity_views.volunteer_availability, name="volunteer_availability"),
    path("absences/", solidarity_views.volunteer_absence, name="volunteer_absence"),
    path(
        "proposals/<int:pk>/<str:answer>/",
        solidarity_views.proposal_answer,
        name="proposal_answer",
    ),
    path("trips/<int:pk>/done/", solidarity_views.trip_done, name="trip_done"),
]

observatory_urls = [
    path("", observatory_views.dashboard, name="observatory"),
    path(
        "download/<str:name>.<str:fmt>.zip",
        observatory_views.download,
        name="observatory_download",
    ),
    path("access-log/", observatory_views.access_log, name="observatory_access_log"),
    path("map.json", observatory_views.flows_map, name="observatory_map"),
    path("keys/", observatory_views.api_keys, name="observatory_keys"),
]

standard_covoiturage = [
    path("status", standard_api.status, name="standard_status"),
    path("driver_journeys", standard_api.driver_journeys, name="standard_driver_journeys"),
    path("passenger_journeys", standard_api.passenger_journeys, name="standard_passenger_journeys"),
    path(
        "driver_regular_trips",
        standard_api.driver_regular_trips,
        name="standard_driver_regular_trips",
    ),
    path(
        "passenger_regular_trips",
        standard_api.passenger_regular_trips,
        name="standard_passenger_regular_trips",
    ),
    path("bookings", standard_api.bookings, name="standard_bookings"),
    path("bookings/<str:booking_id>", standard_api.booking_detail, name="standard_booking"),
    path("messages", standard_api.messages, name="standard_messages"),
]

urlpatterns = [
    path("", trips_views.home, name="home"),
    path("interop/rdexplus/v2/journeys", rdex_api.journeys, name="rdex_journeys"),
    path("interop/rdexplus/v2/bookings", rdex_api.bookings, name="rdex_bookings"),
    path(
        "interop/rdexplus/v2/bookings/<str:booking_id>",
        rdex_api.booking_detail,
        name="rdex_booking",
    ),
    path("interop/rdexplus/v2/messages", rdex_api.messages, name="rdex_messages"),
    path("interop/standard-covoiturage/v1/", include(standard_covoiturage)),
    path("observatory/", include(observatory_urls)),
    path("solidarity/", include(solidarity_urls)),
    path("volunteer/", include(volunteer_urls)),
    path("places/", trips_views.places, name="places"),
    path("places/at/", trips_views.place_at, name="place_at"),
    path("map/roads.json", trips_views.road_outline, name="road_outline"),
    path("rides/new/", trips_views.offer_new, name="offer_new"),
    path("rides/<int:pk>/", trips_views.offer_detail, name="offer_detail"),
    path("rides/<int:pk>/cancel/", trips_views.offer_cancel, name="offer_cancel"),
    path("rides/<int:pk>/change/", trips_views.offer_change, name="offer_change"),
    path(
        "regular-rides/<int:pk>/cancel/",
        trips_views.regular_ride_cancel,
        name="regular_ride_cancel",
    ),
    path("my-trips/", trips_views.my_trips, name="my_trips"),
    path("notifications/", notifications_views.feed, name="notifications"),
    path("alerts/", trips_views.alert_list, name="alerts"),
    path("alerts/<int:pk>/delete/", trips_views.alert_delete, name="alert_delete"),
    path("bookings/<int:pk>/conversation/", trips_views.conversation, name="conversation"),
    path("bookings/<int:pk>/<str:action>/", trips_views.booking_action, name="booking_action"),
    path("legal/", themes.legal, name="legal"),
    path("join/", members.join, name="join"),
    path("account/data/", members.my_data, name="my_data"),
    path("account/data/export.json", members.my_data_export, name="my_data_export"),
    path("accounts/", include("allauth.urls")),
    path("manage/", members.manage_home, name="manage"),
    path("manage/members/", members.members_page, name="members"),
    path("manage/members/<int:pk>/", members.member_edit, name="member_edit"),
    path("manage/appearance/", themes.appearance, name="appearance"),
    path("manage/archipel/", members.federation_settings, name="federation_settings"),
    path("manage/partners/", interop_views.partners, name="partners"),
    path("manage/moderation/", trust_views.desk, name="moderation_desk"),
    path(
        "manage/moderation/reports/<int:pk>/",
        trust_views.moderation_report,
        name="moderation_report",
    ),
    path(
        "manage/moderation/people/<int:pk>/",
        trust_views.moderation_person,
        name="moderation_person",
    ),
    path(
        "manage/moderation/measures/<int:pk>/lift/",
        trust_views.sanction_lift,
        name="sanction_lift",
    ),
    path("manage/moderation/log/", trust_views.audit_log, name="moderation_log"),
    path("manage/charter/", trust_views.charter_edit, name="charter_edit"),
    path("charter/", trust_views.charter, name="charter"),
    path("journeys/<int:pk>/review/", trust_views.review_new, name="review_new"),
    path("reviews/", trust_views.my_reviews, name="my_reviews"),
    path("reviews/<int:pk>/answer/", trust_views.review_answer, name="review_answer"),
    path("account/reputation.json", trust_views.reputation_export, name="reputation_export"),
    path(".well-known/jwks.json", trust_views.jwks, name="jwks"),
    path("people/<int:pk>/", trust_views.profile, name="profile"),
    path("people/<int:pk>/block/", trust_views.block_person, name="block_person"),
    path("account/blocks/", trust_views.my_blocks, name="my_blocks"),
    path("report/", trust_views.report_new, name="report_new"),
    path("account/reports/", trust_views.my_reports, name="my_reports"),
    path("account/phone/", trust_phone.phone_verify, name="phone_verify"),
    path("rides/<int:pk>/share/", trust_share.share_ride, name="share_ride"),
    path("shared/<str:token>/", trust_share.shared, name="shared"),
    path("shared/<str:token>/revoke/", trust_share.share_revoke, name="share_revoke"),
    path("manage/providers/", interop_views.providers, name="providers"),
    path("manage/providers/<int:pk>/", interop_views.provider_edit, name="provider_edit"),
    path(
        "manage/providers/<int:pk>/delete/",
        interop_views.provider_delete,
        name="provider_delete",
    ),
    path("search/partners/", interop_views.partner_search, name="partner_search"),
    path("manage/export/", members.territory_export, name="territory_export"),
    path(
        "manage/partners/<int:pk>/revoke/",
        interop_views.partner_revoke_view,
        name="partner_revoke",
    ),
    path("manifest.webmanifest", themes.manifest, name="manifest"),
    path("branding/<str:name>", themes.branding_image, name="branding"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
]
