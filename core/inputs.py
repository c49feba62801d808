"""Where input enters: text that PostgreSQL cannot store (NUL characters, lone surrogates),
JSON too deep to walk and dates outside the calendar Archipel deals with are refused at the
door with a 400, once for every page and API, instead of failing later as a 500 in whatever
query or date arithmetic meets them.

Dates and datetimes are read by `day_parse` and `moment_parse` only: the form fields
(`core.forms.DateField`) and the API fields (`core.api.DateField`, `core.api.DateTimeField`)
are thin wrappers that turn `BadInput` into their own kind of error."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from .http import API_PREFIX, answers_json, bad_request_body

MAX_JSON_DEPTH = 32
# In English, as every error body of the partner APIs that share this reader.
UNSTORABLE = "The body contains characters that cannot be stored (NUL, lone surrogates)."


class BadInput(ValueError):
    """The message is user-facing. `code`: "invalid" (not a value of the kind asked) or
    "out_of_range" (a value, but not one that is accepted here)."""

    def __init__(self, message: str = "", code: str = "invalid"):
        super().__init__(message)
        self.code = code


# Nothing in Archipel happened before 2000, and nothing is planned more than ten years ahead
# (rides are published within the territory's horizon, at most three years: themes.models).
# Outside these years a date is a typing slip or a probe — and 9999-12-31 plus a margin, or
# 0001-01-01 in UTC, is past what Python's datetime can hold.
FIRST_YEAR = 2000
YEARS_AHEAD = 10


def years_bounds(first_year: int = FIRST_YEAR, years_ahead: int = YEARS_AHEAD) -> tuple[date, date]:
    """The first and last days accepted: 1 January of `first_year`, 31 December of this year
    plus `years_ahead`."""
    return date(first_year, 1, 1), date(timezone.localdate().year + years_ahead, 12, 31)


def day_check(day: date, first_year: int = FIRST_YEAR, years_ahead: int = YEARS_AHEAD) -> date:
    first, last = years_bounds(first_year, years_ahead)
    if not first <= day <= last:
        raise BadInput(
            _("Give a date between %(first)s and %(last)s.")
            % {
                "first": formats.date_format(first, "SHORT_DATE_FORMAT"),
                "last": formats.date_format(last, "SHORT_DATE_FORMAT"),
            },
            code="out_of_range",
        )
    return day


def day_parse(
    value,
    *,
    input_formats: Iterable[str] = (),
    first_year: int = FIRST_YEAR,
    years_ahead: int = YEARS_AHEAD,
) -> date:
    """A calendar day from a `date` or from text: ISO 8601 (YYYY-MM-DD), or one of the
    strptime `input_formats` (a form's localised input formats). Raises BadInput."""
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        value = _text_day(value, input_formats)
    return day_check(value, first_year, years_ahead)


def _text_day(value, input_formats: Iterable[str]) -> date:
    text = value.strip() if isinstance(value, str) else None
    if text and len(text) <= 32:
        try:
            day = parse_date(text)
        except ValueError:  # well formed but not a day of the calendar (2026-02-30)
            day = None
        if day is not None:
            return day
        for format_ in input_formats:
            try:
                return datetime.strptime(text, format_).date()
            except ValueError:
                continue
    raise BadInput(_("Enter a valid date."))


def moment_parse(
    value, *, first_year: int = FIRST_YEAR, years_ahead: int = YEARS_AHEAD
) -> datetime:
    """An aware datetime from ISO 8601 text (2026-11-03T08:00, with or without an offset; a
    time without offset is the territory's local time). Raises BadInput."""
    moment = value if isinstance(value, datetime) else None
    if moment is None and isinstance(value, str) and len(value.strip()) <= 64:
        try:
            moment = parse_datetime(value.strip())
        except ValueError:
            moment = None
    if moment is None:
        raise BadInput(_("Enter a valid date and time (ISO 8601: 2026-11-03T08:00:00+01:00)."))
    day_check(moment.date(), first_year, years_ahead)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def storable(text: str) -> bool:
    """Text PostgreSQL can store: no NUL, valid UTF-8 (no lone surrogate)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def json_loads(raw: bytes | str):
    """JSON as the APIs accept it: valid, at most MAX_JSON_DEPTH levels deep, every string
    (keys included) storable. Raises BadInput."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadInput("The body is not valid JSON.") from None
    stack = [(data, 1)]
    while stack:  # iterative: the check itself never recurses
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise BadInput(f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.")
        if isinstance(value, dict):
            for key, item in value.items():
                if not storable(key):
                    raise BadInput(UNSTORABLE)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and not storable(value):
            raise BadInput(UNSTORABLE)
    return data


class InputMiddleware:
    """Query strings and form fields with characters that cannot be stored get a 400 (JSON on
    the API paths) before any view sees them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        fields = list(request.GET.lists())
        # Not the API's: it takes JSON only (its JSON reader checks the text), and a form body
        # read here would reach DRF as an empty body instead of a 415.
        if (
            request.method == "POST"
            and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
            and not request.path.startswith(API_PREFIX)
        ):
            fields += list(request.POST.lists())
        for key, values in fields:
            if not all(storable(text) for text in (key, *values)):
                return self._refused(request, key)
        return self.get_response(request)

    def _refused(self, request, field: str):
        message = _("The field %(field)s contains characters that cannot be stored.") % {
            "field": field if storable(field) else "?"
        }
        if answers_json(request):
            return JsonResponse(bad_request_body(request, message), status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
