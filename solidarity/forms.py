from datetime import datetime, time, timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from core.forms import LocalizedDecimalField
from trips.forms import PlaceField, date_field

from .models import PERIOD_HOURS, Need, Period, Purpose, Request, Structure
from .services.beneficiaries import SOCIAL_CRITERIA
from .services.requests import timing_errors


class NeedsField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Need.objects.none(),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label=_("Needs"),
            **kwargs,
        )


class BeneficiaryForm(forms.Form):
    structure = forms.ModelChoiceField(queryset=Structure.objects.none(), label=_("Structure"))
    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80)
    phone = forms.CharField(label=_("Phone (optional)"), max_length=30, required=False)
    home = PlaceField(label=_("Home address"))
    needs = NeedsField()
    email = forms.EmailField(
        label=_("E-mail of their account, if they can also ask online (optional)"),
        required=False,
    )
    social_criterion = forms.ChoiceField(
        label=_("Social criterion attested (if any)"),
        required=False,
        choices=[("", _("None"))] + [(k, v) for k, v in SOCIAL_CRITERIA.items()],
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = Structure.objects.filter(
            pk__in=[s.pk for s in structures]
        )
        if len(structures) == 1:
            self.fields["structure"].initial = structures[0].pk
        self.fields["needs"].queryset = Need.objects.filter(structure__in=structures, active=True)


TIMING_CHOICES = [
    ("exact", _("At a precise time")),
    (Period.MORNING, _("In the morning")),
    (Period.AFTERNOON, _("In the afternoon")),
    (Period.EVENING, _("In the evening")),
    ("week", _("Within 7 days")),
]


class RequestForm(forms.Form):
    purpose = forms.ModelChoiceField(
        queryset=Purpose.objects.none(), label=_("Purpose"), empty_label=_("Choose a purpose")
    )
    destination = PlaceField(label=_("Destination"))
    pickup = PlaceField(label=_("Pickup (leave empty: at home)"), required=False)
    date = date_field()
    timing = forms.ChoiceField(label=_("When"), choices=TIMING_CHOICES, initial="exact")
    time = forms.TimeField(
        label=_("Pickup time (precise time)"),
        required=False,
        initial="09:00",
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    return_kind = forms.ChoiceField(
        label=_("Return"), choices=Request.Return.choices, initial=Request.Return.WAIT
    )
    return_time = forms.TimeField(
        label=_("Return pickup time (same day)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    needs = NeedsField()
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, beneficiary, **kwargs):
        super().__init__(*args, **kwargs)
        structure = beneficiary.structure
        self.fields["purpose"].queryset = structure.purposes.filter(active=True)
        self.fields["needs"].queryset = structure.needs.filter(active=True)
        self.fields["needs"].initial = [n.pk for n in beneficiary.needs.all()]

    def clean(self):
        data = super().clean()
        if data.get("timing") == "exact" and data.get("time") is None:
            self.add_error("time", _("Give the pickup time."))
        if data.get("return_kind") == Request.Return.AGAIN and data.get("return_time") is None:
            self.add_error("return_time", _("Give the return pickup time."))
        self._timing_check(data)
        return data

    # The service's names for what the form asks as other fields.
    SERVICE_FIELDS = {"window_start": "date", "window_end": "date", "return_at": "return_time"}

    def _timing_check(self, data: dict) -> None:
        """The service's rules on the times, once they cleaned: a past day shows with the
        other fields' errors, not after them."""
        needed = ["date", "timing", "return_kind"] + (
            ["time"] if data.get("timing") == "exact" else []
        )
        if any(data.get(name) is None or name in self.errors for name in needed):
            return
        start, end = self.window()
        for name, message in timing_errors(
            start, end, data["return_kind"], self.return_at()
        ).items():
            name = self.SERVICE_FIELDS.get(name, name)
            if name not in self.errors:
                self.add_error(name, message)

    def window(self) -> tuple[datetime, datetime]:
        """A loose timing becomes a window: a part of the day, or the next 7 days."""
        data = self.cleaned_data
        day, timing = data["date"], data["timing"]

        def at(d, t):
            return timezone.make_aware(datetime.combine(d, t))

        if timing == "exact":
            moment = at(day, data["time"])
            return moment, moment
        if timing == "week":
            return at(day, time(8, 0)), at(day + timedelta(days=6), time(18, 0))
        start, end = PERIOD_HOURS[timing]
        return at(day, start), at(day, end)

    def return_at(self):
        data = self.cleaned_data
        if data.get("return_kind") != Request.Return.AGAIN or data.get("return_time") is None:
            return None
        return timezone.make_aware(datetime.combine(data["date"], data["return_time"]))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class DoneForm(forms.Form):
    km = LocalizedDecimalField(
        label=_("Kilometres driven"), max_digits=6, decimal_places=1, min_value=Decimal("0.1")
    )
    minutes = forms.IntegerField(label=_("Time spent (minutes)"), min_value=1, max_value=1440)


class VolunteerForm(forms.Form):
    structure = forms.ModelChoiceField(queryset=Structure.objects.all(), label=_("Structure"))
    home = PlaceField(label=_("Home base"))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    seats = forms.IntegerField(label=_("Passenger seats"), min_value=1, max_value=8, initial=3)
    accessible_vehicle = forms.BooleanField(
        label=_("My vehicle takes a wheelchair"), required=False
    )
    max_trip_km = forms.IntegerField(
        label=_("Most driving I accept per trip (km)"), min_value=1, max_value=1000, initial=60
    )
    needs = NeedsField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["needs"].queryset = Need.objects.filter(active=True).select_related("structure")
        self.fields["needs"].label = _("Needs I accept to handle")


class AbsenceForm(forms.Form):
    first_day = date_field(_("From"))
    last_day = date_field(_("Until"))


class AvailabilityForm(forms.Form):
    """The 21 weekly slots: a box per day × part of the day, with its time range."""

    def __init__(self, *args, volunteer, **kwargs):
        super().__init__(*args, **kwargs)
        current = {(a.weekday, a.period): a for a in volunteer.availability.all()}
        self.rows = []
        for day in range(7):
            row = []
            for period in Period.values:
                key = f"{day}_{period}"
                slot = current.get((day, period))
                start, end = (slot.start, slot.end) if slot else PERIOD_HOURS[period]
                label = f"{WEEKDAYS[day]}, {Period(period).label}"
                self.fields[f"on_{key}"] = forms.BooleanField(
                    label=label, required=False, initial=slot is not None
                )
                self.fields[f"start_{key}"] = forms.TimeField(
                    label=_("%(slot)s: from") % {"slot": label},
                    initial=start,
                    widget=forms.TimeInput(attrs={"type": "time"}),
                )
                self.fields[f"end_{key}"] = forms.TimeField(
                    label=_("%(slot)s: until") % {"slot": label},
                    initial=end,
                    widget=forms.TimeInput(attrs={"type": "time"}),
                )
                row.append((self[f"on_{key}"], self[f"start_{key}"], self[f"end_{key}"]))
            self.rows.append((WEEKDAYS[day], row))

    def slots(self) -> list[tuple]:
        data = self.cleaned_data
        return [
            (day, period, data[f"start_{day}_{period}"], data[f"end_{day}_{period}"])
            for day in range(7)
            for period in Period.values
            if data.get(f"on_{day}_{period}")
        ]
