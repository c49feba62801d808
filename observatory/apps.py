from django.apps import AppConfig


class ObservatoryConfig(AppConfig):
    name = "observatory"
    default_auto_field = "django.db.models.BigAutoField"
