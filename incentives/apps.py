from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "incentives"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from observatory import events as registry
        from tenants.members import signals
        from trips import events

        from . import portability, receivers

        events.journey_recorded.connect(receivers.journey_recorded, dispatch_uid="incentives")
        registry.journey_incentives.connect(
            receivers.registry_incentives, dispatch_uid="incentives.registry"
        )
        signals.personal_data_requested.connect(
            portability.personal_data, dispatch_uid="incentives.personal_data"
        )
        signals.member_leaving.connect(portability.member_leaving, dispatch_uid="incentives.leave")
