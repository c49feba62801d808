"""Platform admin of the geographic referential (public schema, superusers only, read-only);
territories are administered in provisioning/admin.py."""

from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from .models import Area


@admin.register(Area)
class AreaAdmin(GISModelAdmin):
    list_display = ["code", "name", "kind", "population", "departement", "epci_name"]
    list_filter = ["kind", "country", "region"]
    search_fields = ["code", "name", "epci", "epci_name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
