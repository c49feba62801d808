"""The campaigns (/incentives/), the held journeys, "Mes primes" (/my-incentives/) and the
API (incentives/api.py)."""

from django.urls import include, path

from . import api, views

campaign_urls = [
    path("", views.campaign_list, name="incentive_campaigns"),
    path("new/", views.campaign_new, name="incentive_campaign_new"),
    path("compare/", views.campaign_compare, name="incentive_compare"),
    path("held/", views.held, name="incentive_held"),
    path("<int:pk>/", views.campaign_detail, name="incentive_campaign"),
    path("<int:pk>/edit/", views.campaign_edit, name="incentive_campaign_edit"),
    path("<int:pk>/action/", views.campaign_action, name="incentive_campaign_action"),
    path("<int:pk>/simulation/", views.campaign_simulate, name="incentive_simulation"),
    path("<int:pk>/statements/<str:month>/", views.statement, name="incentive_statement"),
    path(
        "<int:pk>/statements/<str:month>.<str:fmt>",
        views.statement_file,
        name="incentive_statement_file",
    ),
]

urlpatterns = [
    path("incentives/", include(campaign_urls)),
    path("my-incentives/", views.mine, name="incentives_mine"),
]

api_urlpatterns = [
    path("incentives/mine/", api.Mine.as_view(), name="api_incentives_mine"),
    path("incentives/campaigns/", api.Campaigns.as_view(), name="api_incentive_campaigns"),
    path(
        "incentives/campaigns/<int:pk>/simulation/",
        api.Simulate.as_view(),
        name="api_incentive_simulation",
    ),
    path(
        "incentives/campaigns/<int:pk>/statements/<str:month>/",
        api.StatementView.as_view(),
        name="api_incentive_statement",
    ),
]
