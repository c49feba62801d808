"""Trust and safety: moderation desk, charter, reviews, profiles, blocks, reports, phone
verification and trip sharing."""

from django.urls import path

from . import phone, share, views

urlpatterns = [
    path("manage/moderation/", views.desk, name="moderation_desk"),
    path(
        "manage/moderation/reports/<int:pk>/",
        views.moderation_report,
        name="moderation_report",
    ),
    path(
        "manage/moderation/people/<int:pk>/",
        views.moderation_person,
        name="moderation_person",
    ),
    path(
        "manage/moderation/measures/<int:pk>/lift/",
        views.sanction_lift,
        name="sanction_lift",
    ),
    path("manage/moderation/log/", views.audit_log, name="moderation_log"),
    path("manage/charter/", views.charter_edit, name="charter_edit"),
    path("charter/", views.charter, name="charter"),
    path("journeys/<int:pk>/review/", views.review_new, name="review_new"),
    path("reviews/", views.my_reviews, name="my_reviews"),
    path("reviews/<int:pk>/answer/", views.review_answer, name="review_answer"),
    path("account/reputation.json", views.reputation_export, name="reputation_export"),
    path(".well-known/jwks.json", views.jwks, name="jwks"),
    path("people/<int:pk>/", views.profile, name="profile"),
    path("people/<int:pk>/block/", views.block_person, name="block_person"),
    path("account/blocks/", views.my_blocks, name="my_blocks"),
    path("report/", views.report_new, name="report_new"),
    path("account/reports/", views.my_reports, name="my_reports"),
    path("account/phone/", phone.phone_verify, name="phone_verify"),
    path("rides/<int:pk>/share/", share.share_ride, name="share_ride"),
    path("shared/<str:token>/", share.shared, name="shared"),
    path("shared/<str:token>/revoke/", share.share_revoke, name="share_revoke"),
]
