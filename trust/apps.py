from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "trust"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from trips import events

        from .moderation import ensure_can_act

        events.acting.connect(ensure_can_act, dispatch_uid="trust.ensure_can_act")
