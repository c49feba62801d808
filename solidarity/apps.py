from django.apps import AppConfig


class SolidarityConfig(AppConfig):
    name = "solidarity"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenants.members import signals

        from . import outbox, portability  # noqa: F401  (outbox: its delivery handler)

        signals.personal_data_requested.connect(
            portability.personal_data, dispatch_uid="solidarity.personal_data"
        )
        signals.member_leaving.connect(
            portability.member_leaving, dispatch_uid="solidarity.leaving"
        )
