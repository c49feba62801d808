from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trips.forms import date_input

from .aggregates import LEVELS, ReportPeriod


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


class PeriodForm(forms.Form):
    """A month, a quarter or a year containing the reference day, or custom dates."""

    kind = forms.ChoiceField(
        label=_("Period"),
        choices=[
            ("month", _("Month")),
            ("quarter", _("Quarter")),
            ("year", _("Year")),
            ("custom", _("Custom")),
        ],
        initial="month",
    )
    day = forms.DateField(label=_("Containing the day"), required=False, widget=date_input())
    first = forms.DateField(label=_("From (custom)"), required=False, widget=date_input())
    last = forms.DateField(label=_("Until (custom)"), required=False, widget=date_input())
    level = forms.ChoiceField(
        label=_("Areas"),
        choices=[("commune", _("Communes")), ("epci", _("Intercommunalities (EPCI)"))],
        initial="commune",
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == "custom":
            first, last = data.get("first"), data.get("last")
            if first is None or last is None:
                raise forms.ValidationError(_("Give the first and last days."))
            if last < first:
                self.add_error("last", _("The period must end after it starts."))
            elif (last - first).days > 3 * 366:
                self.add_error("last", _("Three years at most."))
        if data.get("level") not in LEVELS:
            data["level"] = "commune"
        return data

    def period(self) -> ReportPeriod:
        data = self.cleaned_data
        kind = data["kind"]
        if kind == "custom":
            return ReportPeriod(data["first"], data["last"])
        day = data.get("day") or timezone.localdate()
        if kind == "year":
            return ReportPeriod(date(day.year, 1, 1), date(day.year, 12, 31))
        if kind == "quarter":
            first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        else:
            first = _month_start(day)
        months = 3 if kind == "quarter" else 1
        end = first
        for _month in range(months):
            end = _next_month(end)
        return ReportPeriod(first, end - timedelta(days=1))
