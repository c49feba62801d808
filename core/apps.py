from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import bind_session_to_territory

        user_logged_in.connect(bind_session_to_territory, dispatch_uid="bind_session_to_territory")
