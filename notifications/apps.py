from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenants.members import signals

        # The outbox's handlers (services) and the worker's tasks, in every process: a row
        # written by a web process is delivered by whichever process sweeps.
        from . import portability, services, tasks  # noqa: F401

        signals.personal_data_requested.connect(
            portability.personal_data, dispatch_uid="notifications.personal_data"
        )
        signals.member_leaving.connect(
            portability.member_leaving, dispatch_uid="notifications.leaving"
        )
