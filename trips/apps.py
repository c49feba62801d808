from django.apps import AppConfig


class TripsConfig(AppConfig):
    name = "trips"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenants.members import signals

        # Registers, in every process (web and worker alike), the Celery tasks and the outbox
        # handlers of alerts and conversations: a row written by one process may be delivered
        # by another.
        from . import alerts, conversations, portability, tasks  # noqa: F401

        signals.personal_data_requested.connect(
            portability.personal_data, dispatch_uid="trips.personal_data"
        )
        signals.member_leaving.connect(portability.member_leaving, dispatch_uid="trips.leaving")
