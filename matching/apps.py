from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from tenants.signals import areas_loaded

        from .graphs import areas_reindex

        areas_loaded.connect(areas_reindex, dispatch_uid="matching.areas_reindex")
