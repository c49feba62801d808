from django.apps import AppConfig


class MembersConfig(AppConfig):
    """Memberships live in each territory's schema, so they need an app of their own:
    django-tenants places whole apps either in `public` or in the territory schemas."""

    name = "tenants.members"
    label = "members"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
