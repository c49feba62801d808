"""Solidarity transport: the operators' pages (/solidarity/) and the volunteers' (/volunteer/)."""

from django.urls import include, path

from .views import beneficiaries, conversation, operators, structures, volunteers

operator_urls = [
    path("", operators.board, name="solidarity_board"),
    path("beneficiaries/", operators.beneficiary_list, name="solidarity_beneficiaries"),
    path("beneficiaries/new/", operators.beneficiary_new, name="solidarity_beneficiary_new"),
    path("beneficiaries/<int:pk>/", operators.beneficiary_detail, name="solidarity_beneficiary"),
    path(
        "beneficiaries/<int:pk>/export/",
        operators.beneficiary_export,
        name="solidarity_beneficiary_export",
    ),
    path(
        "beneficiaries/<int:pk>/erase/",
        operators.beneficiary_erase,
        name="solidarity_beneficiary_erase",
    ),
    path(
        "beneficiaries/<int:pk>/requests/new/",
        operators.request_new,
        name="solidarity_request_new",
    ),
    path("requests/<int:pk>/", operators.request_detail, name="solidarity_request"),
    path("requests/<int:pk>/receipt/", operators.receipt, name="solidarity_receipt"),
    path(
        "requests/<int:pk>/conversation/",
        conversation.request_conversation,
        name="solidarity_conversation",
    ),
    path(
        "requests/<int:pk>/<str:action>/",
        operators.request_action,
        name="solidarity_request_action",
    ),
    path("structures/", structures.structures, name="solidarity_structures"),
    path("my-requests/", beneficiaries.my_requests, name="solidarity_my_requests"),
    path("volunteers/", operators.volunteer_list, name="solidarity_volunteers"),
    path(
        "volunteers/<int:pk>/accept/",
        operators.volunteer_accept,
        name="solidarity_volunteer_accept",
    ),
]

volunteer_urls = [
    path("", volunteers.volunteer_home, name="volunteer_home"),
    path("apply/", volunteers.volunteer_apply, name="volunteer_apply"),
    path("availability/", volunteers.volunteer_availability, name="volunteer_availability"),
    path("absences/", volunteers.volunteer_absence, name="volunteer_absence"),
    path("proposals/<int:pk>/<str:answer>/", volunteers.proposal_answer, name="proposal_answer"),
    path("trips/<int:pk>/done/", volunteers.trip_done, name="trip_done"),
]

urlpatterns = [
    path("solidarity/", include(operator_urls)),
    path("volunteer/", include(volunteer_urls)),
]
