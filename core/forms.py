"""Helpers shared by the apps' forms."""

from django.core.exceptions import ValidationError


def add_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError shown on the form: each message on its field, or on the
    form itself when the field is not one of the form's."""
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)
