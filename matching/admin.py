from django.contrib import admin

from .models import RoadGraphRecord


@admin.register(RoadGraphRecord)
class RoadGraphAdmin(admin.ModelAdmin):
    list_display = ["name", "nodes", "edges", "source", "built_at"]
    readonly_fields = ["name", "source", "built_at", "nodes", "edges", "extent", "build_seconds"]

    def has_add_permission(self, request) -> bool:
        return False  # graphs are built with `manage.py build_road_graph`
