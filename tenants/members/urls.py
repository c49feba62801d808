"""Sign-in (django-allauth), one's data, the members and archipel admin pages (joining: trust)."""

from django.urls import include, path

from . import api, views

urlpatterns = [
    path("account/data/", views.my_data, name="my_data"),
    path("account/data/export.json", views.my_data_export, name="my_data_export"),
    path("accounts/", include("allauth.urls")),
    path("manage/", views.manage_home, name="manage"),
    path("manage/members/", views.members_page, name="members"),
    path("manage/members/<int:pk>/", views.member_edit, name="member_edit"),
    path("manage/archipel/", views.federation_settings, name="federation_settings"),
]

api_urlpatterns = [
    path("me/", api.Me.as_view(), name="api_me"),
    path("members/", api.MembersList.as_view(), name="api_members"),
]
