"""The API's input fields: DRF's, made to accept exactly what the OpenAPI schema says.

- In a JSON body a value must already have the JSON type the schema declares: `3`, not `"3"`,
  for a number; `true`, not `1` or `"yes"`, for a boolean; text for text. DRF would quietly
  coerce them. Query strings are text by nature and are parsed as DRF does.
- Dates, datetimes and times are read by `core.inputs` (one parser for the forms and the
  API) in their ISO 8601 spelling only, within the years Archipel deals with; the schema
  carries the same rule as a pattern, so that generated clients and the server agree.

Each field documents itself (drf-spectacular extensions at the bottom): the schema is
generated from these fields, never written beside them."""

from __future__ import annotations

import calendar
import math
import re

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers

from . import inputs

TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?")
OFFSET = r"(Z|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])?"
DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _from_query_string(field) -> bool:
    return isinstance(getattr(field.root, "initial_data", None), QueryDict)


class JSONTyped:
    """Mixin: refuse, in a JSON body, a value whose JSON type is not the declared one."""

    json_types: tuple[type, ...] = ()
    json_expected = ""

    def to_internal_value(self, data):
        if not _from_query_string(self) and (
            isinstance(data, bool) != (bool in self.json_types)
            or not isinstance(data, self.json_types)
        ):
            raise serializers.ValidationError(self.json_expected, code="invalid")
        return super().to_internal_value(data)


class IntegerField(JSONTyped, serializers.IntegerField):
    json_types, json_expected = (int,), _("Expected a whole number.")


class FloatField(JSONTyped, serializers.FloatField):
    json_types, json_expected = (int, float), _("Expected a number.")

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not math.isfinite(value):  # "nan" and "inf" from a query string
            self.fail("invalid")
        return value


class BooleanField(JSONTyped, serializers.BooleanField):
    json_types, json_expected = (bool,), _("Expected true or false.")


class CharField(JSONTyped, serializers.CharField):
    json_types, json_expected = (str,), _("Expected text.")


class ChoiceField(JSONTyped, serializers.ChoiceField):
    json_types, json_expected = (str,), _("Expected text.")


class DecimalField(JSONTyped, serializers.DecimalField):
    """A number, or its decimal digits as text ("0.080"): never "1e-2" nor "NaN"."""

    json_types, json_expected = (int, float, str), _("Expected a number.")

    def to_internal_value(self, data):
        if isinstance(data, str) and not DECIMAL.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class _Years:
    def __init__(
        self,
        *,
        first_year: int = inputs.FIRST_YEAR,
        years_ahead: int = inputs.YEARS_AHEAD,
        **kwargs,
    ):
        self.first_year, self.years_ahead = first_year, years_ahead
        super().__init__(**kwargs)

    def _bad(self, exc: inputs.BadInput):
        if exc.code == "invalid":
            self.fail("invalid", format=self.spelling)
        raise serializers.ValidationError(str(exc), code=exc.code)


class DateField(_Years, serializers.DateField):
    """YYYY-MM-DD, from 1 January `first_year` to 31 December of `years_ahead` years ahead."""

    spelling = "YYYY-MM-DD"

    def to_internal_value(self, value):
        if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            self.fail("invalid", format=self.spelling)
        try:
            return inputs.day_parse(value, first_year=self.first_year, years_ahead=self.years_ahead)
        except inputs.BadInput as exc:
            self._bad(exc)


class DateTimeField(_Years, serializers.DateTimeField):
    """ISO 8601: YYYY-MM-DDTHH:MM[:SS[.ffffff]][offset]; without offset, local time."""

    spelling = "YYYY-MM-DDTHH:MM[:SS][+HH:MM]"
    SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]" + TIME.pattern + OFFSET)

    def to_internal_value(self, value):
        if not isinstance(value, str) or not self.SHAPE.fullmatch(value):
            self.fail("invalid", format=self.spelling)
        try:
            moment = inputs.moment_parse(
                value, first_year=self.first_year, years_ahead=self.years_ahead
            )
        except inputs.BadInput as exc:
            self._bad(exc)
        return self.enforce_timezone(moment)


class TimeField(serializers.TimeField):
    """HH:MM[:SS[.ffffff]], local time of day (no offset)."""

    def to_internal_value(self, value):
        if not isinstance(value, str) or not TIME.fullmatch(value):
            self.fail("invalid", format="HH:MM[:SS]")
        return super().to_internal_value(value)


# --- What the schema says of them.


def year_pattern(first: int, last: int) -> str:
    """A regular expression of the years first..last, by decades: 2000..2036 gives
    20(0[0-9]|1[0-9]|2[0-9]|3[0-6])."""
    parts = []
    for decade in range(first // 10, last // 10 + 1):
        low, high = max(first, decade * 10) % 10, min(last, decade * 10 + 9) % 10
        digit = f"{low}" if low == high else f"[{low}-{high}]"
        parts.append(f"{decade}{digit}")
    return "(" + "|".join(parts) + ")"


def date_pattern(first_year: int, years_ahead: int) -> str:
    """The days of the calendar in the accepted years, as a regular expression (months of
    30 and 31 days, 29 February of leap years only)."""
    first, last = (day.year for day in inputs.years_bounds(first_year, years_ahead))
    years = year_pattern(first, last)
    leap = "|".join(str(y) for y in range(first, last + 1) if calendar.isleap(y))
    return (
        f"({years}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
        f"|02-(0[1-9]|1[0-9]|2[0-8]))|({leap})-02-29)"
    )


def _years_note(field) -> str:
    first, last = inputs.years_bounds(field.first_year, field.years_ahead)
    return f"From {first.isoformat()} to {last.isoformat()}."


class DateFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "core.fields.DateField"

    def map_serializer_field(self, auto_schema, direction):
        schema = build_basic_type(OpenApiTypes.DATE)
        if direction == "request":
            pattern = date_pattern(self.target.first_year, self.target.years_ahead)
            schema.update(pattern=f"^{pattern}$", description=_years_note(self.target))
        return schema


class DateTimeFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "core.fields.DateTimeField"

    def map_serializer_field(self, auto_schema, direction):
        if direction != "request":
            return build_basic_type(OpenApiTypes.DATETIME)
        # No `format: date-time` for requests: RFC 3339 wants seconds and an offset, and the
        # API also takes a local time without them (08:00 where the territory is).
        pattern = date_pattern(self.target.first_year, self.target.years_ahead)
        return {
            "type": "string",
            "pattern": f"^{pattern}[T ]{TIME.pattern}{OFFSET}$",
            "description": "ISO 8601, e.g. 2026-11-03T08:00:00+01:00; without an offset, the "
            f"territory's local time. {_years_note(self.target)}",
        }


class TimeFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "core.fields.TimeField"

    def map_serializer_field(self, auto_schema, direction):
        # Not `format: time`: JSON Schema's time (RFC 3339) needs an offset, a time of day here
        # has none.
        return {"type": "string", "pattern": f"^{TIME.pattern}$", "example": "08:00"}


class DecimalFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "core.fields.DecimalField"

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        if direction != "request":
            return auto_schema._map_serializer_field(field, direction, bypass_extensions=True)
        whole, places = field.max_digits - field.decimal_places, field.decimal_places
        largest = float(10**whole) - 10.0**-places  # what the digits can hold: 9.999
        number = {"type": "number", "maximum": largest}
        for bound, key in (("min_value", "minimum"), ("max_value", "maximum")):
            if getattr(field, bound, None) is not None:
                number[key] = float(getattr(field, bound))
        sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
        text = f"^{sign}[0-9]{{1,{max(whole, 1)}}}(\\.[0-9]{{1,{places}}})?$"
        return {"anyOf": [number, {"type": "string", "pattern": text}]}
