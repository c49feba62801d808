"""Solidarity transport: the operators' pages (/solidarity/) and the volunteers' (/volunteer/)."""

from django.urls import include, path

from . import views

operator_urls = [
    path("", views.board, name="solidarity_board"),
    path("beneficiaries/", views.beneficiaries, name="solidarity_beneficiaries"),
    path("beneficiaries/new/", views.beneficiary_new, name="solidarity_beneficiary_new"),
    path("beneficiaries/<int:pk>/", views.beneficiary_detail, name="solidarity_beneficiary"),
    path(
        "beneficiaries/<int:pk>/export/",
        views.beneficiary_export,
        name="solidarity_beneficiary_export",
    ),
    path(
        "beneficiaries/<int:pk>/erase/",
        views.beneficiary_erase,
        name="solidarity_beneficiary_erase",
    ),
    path(
        "beneficiaries/<int:pk>/requests/new/",
        views.request_new,
        name="solidarity_request_new",
    ),
    path("requests/<int:pk>/", views.request_detail, name="solidarity_request"),
    path("requests/<int:pk>/receipt/", views.receipt, name="solidarity_receipt"),
    path(
        "requests/<int:pk>/conversation/",
        views.request_conversation,
        name="solidarity_conversation",
    ),
    path(
        "requests/<int:pk>/<str:action>/",
        views.request_action,
        name="solidarity_request_action",
    ),
    path("structures/", views.structures, name="solidarity_structures"),
    path("my-requests/", views.my_requests, name="solidarity_my_requests"),
    path("volunteers/", views.volunteers, name="solidarity_volunteers"),
    path(
        "volunteers/<int:pk>/accept/",
        views.volunteer_accept,
        name="solidarity_volunteer_accept",
    ),
]

volunteer_urls = [
    path("", views.volunteer_home, name="volunteer_home"),
    path("apply/", views.volunteer_apply, name="volunteer_apply"),
    path("availability/", views.volunteer_availability, name="volunteer_availability"),
    path("absences/", views.volunteer_absence, name="volunteer_absence"),
    path("proposals/<int:pk>/<str:answer>/", views.proposal_answer, name="proposal_answer"),
    path("trips/<int:pk>/done/", views.trip_done, name="trip_done"),
]

urlpatterns = [
    path("solidarity/", include(operator_urls)),
    path("volunteer/", include(volunteer_urls)),
]
