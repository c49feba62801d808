"""What a standard API view raises for `partners.partner_api` to answer: 400 and 403 here, 404
with Django's `Http404`, 409 with `core.errors.Conflict`."""


class BadRequest(Exception):
    pass


class Forbidden(Exception):
    """The partner may not do this (e.g. decide for the driver)."""
