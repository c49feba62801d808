"""Helpers shared by the apps' forms, and the form field every date goes through."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates

from . import inputs


def add_errors(form, exc: ValidationError, renamed: dict[str, str] | None = None) -> None:
    """A service's ValidationError shown on the form: each message on its field (`renamed`
    maps the service's names to the form's), or on the form itself when the field is not one
    of the form's."""
    for field, errors in exc.message_dict.items():
        field = (renamed or {}).get(field, field)
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


class DateField(forms.DateField):
    """A day read by `core.inputs.day_parse` (ISO or the language's input formats), within
    the years given (by default 2000 to ten years ahead): 9999-12-31 is a form error saying
    which dates are accepted, never a 500 further on."""

    def __init__(
        self,
        *,
        first_year: int = inputs.FIRST_YEAR,
        years_ahead: int = inputs.YEARS_AHEAD,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.first_year, self.years_ahead = first_year, years_ahead

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return inputs.day_parse(
                value,
                input_formats=self.input_formats,
                first_year=self.first_year,
                years_ahead=self.years_ahead,
            )
        except inputs.BadInput as exc:
            if exc.code == "invalid":
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            raise ValidationError(str(exc), code=exc.code) from None


class FormRenderer(DjangoTemplates):
    """Every form of the product through one field template (`core/templates/forms/field.html`):
    a checkbox before its label, the help text right under its input."""

    field_template_name = "forms/field.html"


def decimal_input() -> forms.TextInput:
    """A decimal typed in the page's language: a text input (a number input refuses « 0,08 »
    in some browsers and shows « 0.080 » where the page says « 0,080 € »)."""
    return forms.TextInput(attrs={"inputmode": "decimal"})


class LocalizedDecimalField(forms.DecimalField):
    """A decimal shown and read in the page's language: « 0,080 » in French, and « 0,08 » as
    well as « 0.08 » accepted."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", decimal_input())
        super().__init__(localize=True, **kwargs)
