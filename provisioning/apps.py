from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    """The life of a whole territory: created (schema, domains, boundary, theme, first admin,
    road graph), exported as a documented archive, imported into another deployment. It sits
    above tenants, members, themes and matching, which it puts together."""

    name = "provisioning"
