from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "interop"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from trips import events

        from .events import booking_changed  # and the outbox handler of booking events

        events.booking_changed.connect(booking_changed, dispatch_uid="interop.booking_changed")
