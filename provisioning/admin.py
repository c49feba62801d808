"""Platform admin of territories (public schema, superusers only). Territories are created with
the `create_territory` command, which provisions schema, boundary, theme and first admin
together; the admin edits what can change afterwards, the road graph among the built ones."""

from django import forms
from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from matching.models import RoadGraphRecord
from tenants.models import Domain, Territory


class TerritoryForm(forms.ModelForm):
    graph_name = forms.ChoiceField(label="Road graph", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = RoadGraphRecord.objects.values_list("name", flat=True)
        self.fields["graph_name"].choices = [("", "—")] + [(n, n) for n in names]


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Territory)
class TerritoryAdmin(GISModelAdmin):
    form = TerritoryForm
    list_display = ["name", "slug", "schema_name", "graph_name", "created_at"]
    search_fields = ["name", "slug"]
    readonly_fields = ["slug", "schema_name", "created_at"]
    fields = ["name", "slug", "schema_name", "graph_name", "boundary", "created_at"]
    inlines = [DomainInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deleting a territory drops its schema: an operation, not a click
