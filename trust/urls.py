"""Trust and safety: joining a territory (consent to its charter), moderation desk, charter,
reviews, profiles, blocks, reports, phone verification and trip sharing."""

from django.urls import path

from . import charter, desk, joining, people, phone, reporting, reviews, share

urlpatterns = [
    path("join/", joining.join, name="join"),
    path("manage/moderation/", desk.desk, name="moderation_desk"),
    path(
        "manage/moderation/reports/<int:pk>/",
        desk.moderation_report,
        name="moderation_report",
    ),
    path(
        "manage/moderation/people/<int:pk>/",
        desk.moderation_person,
        name="moderation_person",
    ),
    path(
        "manage/moderation/measures/<int:pk>/lift/",
        desk.sanction_lift,
        name="sanction_lift",
    ),
    path("manage/moderation/log/", desk.audit_log, name="moderation_log"),
    path("manage/charter/", charter.charter_edit, name="charter_edit"),
    path("charter/", charter.charter, name="charter"),
    path("journeys/<int:pk>/review/", reviews.review_new, name="review_new"),
    path("reviews/", reviews.my_reviews, name="my_reviews"),
    path("reviews/<int:pk>/answer/", reviews.review_answer, name="review_answer"),
    path("account/reputation.json", reviews.reputation_export, name="reputation_export"),
    path(".well-known/jwks.json", reviews.jwks, name="jwks"),
    path("people/<int:pk>/", people.profile, name="profile"),
    path("people/<int:pk>/block/", people.block_person, name="block_person"),
    path("account/blocks/", people.my_blocks, name="my_blocks"),
    path("report/", reporting.report_new, name="report_new"),
    path("account/reports/", reporting.my_reports, name="my_reports"),
    path("account/phone/", phone.phone_verify, name="phone_verify"),
    path("rides/<int:pk>/share/", share.share_ride, name="share_ride"),
    path("shared/<str:token>/", share.shared, name="shared"),
    path("shared/<str:token>/revoke/", share.share_revoke, name="share_revoke"),
]
