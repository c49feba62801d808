"""The period of the authority's figures, as the dashboard's form and the API's query take it:
the rules (`period_problems`) and the days (`report_period`) are shared by both."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DateField
from trips.forms import date_input

from .aggregates import LEVELS, ReportPeriod

# Periods from 2000 (before any journey Archipel holds) to next year; any other day is a 400
# saying so, never a date past what Python can hold (docs/observatory.md).
FIRST_YEAR, YEARS_AHEAD = 2000, 1
KINDS = [
    ("month", _("Month")),
    ("quarter", _("Quarter")),
    ("year", _("Year")),
    ("custom", _("Custom")),
]
LEVEL_CHOICES = [("commune", _("Communes")), ("epci", _("Intercommunalities (EPCI)"))]
MAX_CUSTOM_DAYS = 3 * 366


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def period_problems(kind: str, first: date | None, last: date | None) -> dict[str, str]:
    """What is wrong with a period, by field (None: the period as a whole)."""
    if kind != "custom":
        return {}
    if first is None or last is None:
        return {None: _("Give the first and last days.")}
    if last < first:
        return {"last": _("The period must end after it starts.")}
    if (last - first).days > MAX_CUSTOM_DAYS:
        return {"last": _("Three years at most.")}
    return {}


def report_period(
    kind: str, day: date | None = None, first: date | None = None, last: date | None = None
) -> ReportPeriod:
    """A month, a quarter or a year containing `day` (today by default), or first..last."""
    if kind == "custom":
        return ReportPeriod(first, last)
    day = day or timezone.localdate()
    if kind == "year":
        return ReportPeriod(date(day.year, 1, 1), date(day.year, 12, 31))
    if kind == "quarter":
        start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    else:
        start = _month_start(day)
    end = start
    for _month in range(3 if kind == "quarter" else 1):
        end = _next_month(end)
    return ReportPeriod(start, end - timedelta(days=1))


def period_day(label) -> DateField:
    return DateField(
        label=label,
        required=False,
        widget=date_input(),
        first_year=FIRST_YEAR,
        years_ahead=YEARS_AHEAD,
    )


class PeriodForm(forms.Form):
    """A month, a quarter or a year containing the reference day, or custom dates."""

    kind = forms.ChoiceField(label=_("Period"), choices=KINDS, initial="month")
    day = period_day(_("Containing the day"))
    first = period_day(_("From (custom)"))
    last = period_day(_("Until (custom)"))
    level = forms.ChoiceField(
        label=_("Areas"), choices=LEVEL_CHOICES, initial="commune", required=False
    )

    def clean(self):
        data = super().clean()
        if "kind" in data:
            for field, message in period_problems(
                data["kind"], data.get("first"), data.get("last")
            ).items():
                self.add_error(field, message)
        if data.get("level") not in LEVELS:
            data["level"] = "commune"
        return data

    def period(self) -> ReportPeriod:
        data = self.cleaned_data
        return report_period(data["kind"], data.get("day"), data.get("first"), data.get("last"))
