from django.apps import AppConfig


class TripsConfig(AppConfig):
    name = "trips"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenants.members import signals

        # Registers the Celery tasks in every process, not only in workers: trips.alerts and
        # trips.conversations queue them by name, and a registered name runs the task itself
        # (its tenant headers, eager mode in tests) rather than a bare message to the broker.
        from . import portability, tasks  # noqa: F401

        signals.personal_data_requested.connect(
            portability.personal_data, dispatch_uid="trips.personal_data"
        )
        signals.member_leaving.connect(portability.member_leaving, dispatch_uid="trips.leaving")
