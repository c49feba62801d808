from django.apps import AppConfig


class SolidarityConfig(AppConfig):
    name = "solidarity"
    default_auto_field = "django.db.models.BigAutoField"
