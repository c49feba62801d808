from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenants.members import signals

        from . import portability

        signals.personal_data_requested.connect(
            portability.personal_data, dispatch_uid="notifications.personal_data"
        )
        signals.member_leaving.connect(
            portability.member_leaving, dispatch_uid="notifications.leaving"
        )
