"""The campaign's form — its fields, then its rules block by block, each optional — and the
small forms of simulation, decisions and bank accounts. Every problem shows at once: the
form's own checks, then the service's (`campaign_errors`) on the fields they name."""

from __future__ import annotations

import re

from django import forms
from django.utils.dates import WEEKDAYS as DJANGO_WEEKDAYS
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import DateField, LocalizedDecimalField

from .iban import iban_checked
from .models import Campaign
from .services.campaigns import FIELDS, campaign_errors

WEEKDAYS = [(d, capfirst(name)) for d, name in DJANGO_WEEKDAYS.items()]
JOINS = [("and", gettext_lazy("both (and)")), ("or", gettext_lazy("either (or)"))]
CLASSES = [("A", "A"), ("B", "B"), ("C", "C")]
MONEY = ("per_journey", "per_km", "per_seat", "cap_journey", "cap_month", "cap_year")
WHOLE = (
    "distance_min_km",
    "distance_max_km",
    "cooldown_minutes",
    "cap_day_trips",
    "cap_month_trips",
)
CHOSEN = ("origin_areas", "destination_areas", "weekdays")
FLAGS = ("no_holidays", "registry_anomalies")


def date_input() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _money(label, help_text="", places=2) -> LocalizedDecimalField:
    return LocalizedDecimalField(
        label=label,
        required=False,
        min_value=0,
        decimal_places=places,
        max_digits=9,
        help_text=help_text,
    )


def _whole(label, help_text="") -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0, help_text=help_text)


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    starts_on = DateField(label=gettext_lazy("First day"), widget=date_input())
    ends_on = DateField(label=gettext_lazy("Last day"), widget=date_input())
    budget = LocalizedDecimalField(
        label=gettext_lazy("Budget (€)"), max_digits=10, decimal_places=2
    )
    paid = forms.ChoiceField(
        label=gettext_lazy("Who is paid"), choices=Campaign.Paid.choices, widget=forms.RadioSelect
    )
    funder_name = forms.CharField(label=gettext_lazy("Funder"), max_length=120)
    funder_siret = forms.CharField(
        label=gettext_lazy("Funder's SIRET"),
        max_length=14,
        help_text=gettext_lazy("14 digits; the national registry names the funder by it."),
    )
    funder_iban = forms.CharField(
        label=gettext_lazy("Funder's IBAN"),
        max_length=42,
        required=False,
        help_text=gettext_lazy("The account the transfers leave from (needed for the SEPA file)."),
    )
    funder_bic = forms.CharField(label=gettext_lazy("Funder's BIC"), max_length=11, required=False)
    thresholds = forms.CharField(
        label=gettext_lazy("Warn me at (% of the budget)"),
        initial="80, 100",
        required=False,
        help_text=gettext_lazy("Percentages separated by commas."),
    )
    # Amounts
    per_journey = _money(gettext_lazy("Amount per journey (€)"))
    per_km = _money(gettext_lazy("Amount per km (€)"), places=3)
    bands = forms.CharField(
        label=gettext_lazy("Amounts per km by distance band"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One band a line, “from km-to km: €/km”, e.g. 0-20: 0,10."),
    )
    per_seat = _money(gettext_lazy("Amount per passenger seat (€)"))
    milestones = forms.CharField(
        label=gettext_lazy("Newcomers' bonuses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "One a line, “n-th trip: amount”, optionally “/ within days”: 1: 25 then 10: 75 / 90."
        ),
    )
    # Conditions
    distance_min_km = _whole(gettext_lazy("Shortest journey (km)"))
    distance_max_km = _whole(gettext_lazy("Longest journey (km)"))
    origin_areas = forms.MultipleChoiceField(
        label=gettext_lazy("Starting in"), required=False, widget=forms.CheckboxSelectMultiple
    )
    destination_areas = forms.MultipleChoiceField(
        label=gettext_lazy("Ending in"), required=False, widget=forms.CheckboxSelectMultiple
    )
    areas_join = forms.ChoiceField(
        label=gettext_lazy("Start and end areas"),
        choices=JOINS,
        initial="and",
        widget=forms.RadioSelect,
    )
    polygon = forms.CharField(
        label=gettext_lazy("Or a zone drawn (GeoJSON polygon)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    polygon_join = forms.ChoiceField(
        label=gettext_lazy("Pickup and drop-off in the zone"),
        choices=JOINS,
        initial="and",
        widget=forms.RadioSelect,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Days"),
        coerce=int,
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every day."),
    )
    hours = forms.CharField(
        label=gettext_lazy("Pickup hours"),
        required=False,
        help_text=gettext_lazy("Ranges separated by commas, e.g. 07:00-09:30, 16:30-19:00."),
    )
    no_holidays = forms.BooleanField(label=gettext_lazy("Not on public holidays"), required=False)
    min_class = forms.ChoiceField(
        label=gettext_lazy("Minimum proof class"),
        choices=CLASSES,
        initial="A",
        help_text=gettext_lazy("C: both people confirmed with times and positions; B: one."),
    )
    registry_anomalies = forms.BooleanField(
        label=gettext_lazy("Apply the registry's anomaly rules"),
        required=False,
        help_text=gettext_lazy(
            "Under 2 km not paid; more than 4 a day or less than 30 minutes apart held for a "
            "moderator."
        ),
    )
    cooldown_minutes = _whole(
        gettext_lazy("Minutes between two paid journeys of the same driver and passenger")
    )
    # Caps
    cap_journey = _money(gettext_lazy("At most per journey (€)"))
    cap_day_trips = _whole(gettext_lazy("Paid trips per person a day, at most"))
    cap_month_trips = _whole(gettext_lazy("Paid trips per person a month, at most"))
    cap_month = _money(gettext_lazy("At most per person a month (€)"))
    cap_year = _money(gettext_lazy("At most per person a year (€)"))

    BLOCKS = (
        (gettext_lazy("The campaign"), (*FIELDS, "thresholds")),
        (gettext_lazy("Amounts"), ("per_journey", "per_km", "bands", "per_seat", "milestones")),
        (
            gettext_lazy("Which journeys"),
            (
                "distance_min_km",
                "distance_max_km",
                "origin_areas",
                "destination_areas",
                "areas_join",
                "polygon",
                "polygon_join",
                "weekdays",
                "hours",
                "no_holidays",
                "min_class",
                "registry_anomalies",
                "cooldown_minutes",
            ),
        ),
        (
            gettext_lazy("Caps"),
            ("cap_journey", "cap_day_trips", "cap_month_trips", "cap_month", "cap_year"),
        ),
    )

    def __init__(self, *args, areas: dict[str, str], frozen: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = sorted(areas.items(), key=lambda item: item[1])
        for name in ("origin_areas", "destination_areas"):
            self.fields[name].choices = [(code, f"{label} ({code})") for code, label in choices]
        self.frozen = frozen
        if frozen:  # an active campaign: its budget grows, its end comes forward
            for name, field in self.fields.items():
                if name not in ("budget", "ends_on"):
                    field.disabled = True

    def blocks(self):
        return [(title, [self[name] for name in names]) for title, names in self.BLOCKS]

    @staticmethod
    def initial_of(campaign: Campaign) -> dict:
        rules = campaign.rules or {}
        initial = {k: getattr(campaign, k) for k in FIELDS}
        initial["thresholds"] = ", ".join(str(t) for t in campaign.thresholds)
        for key in (*MONEY, *WHOLE, *CHOSEN, *FLAGS, "areas_join", "polygon_join", "min_class"):
            if key in rules:
                initial[key] = rules[key]
        if rules.get("polygon"):
            initial["polygon"] = rules["polygon"]
        initial["bands"] = "\n".join(f"{a}-{b}: {r}" for a, b, r in rules.get("bands", []))
        initial["milestones"] = "\n".join(
            f"{m['trip']}: {m['amount']}"
            + (f" / {m['within_days']}" if m.get("within_days") else "")
            for m in rules.get("milestones", [])
        )
        initial["hours"] = ", ".join(f"{a}-{b}" for a, b in rules.get("hours", []))
        return initial

    def _lines(self, name: str, pattern: str, problem: str) -> list[tuple] | None:
        found = []
        for line in filter(None, (x.strip() for x in self.cleaned_data.get(name, "").splitlines())):
            match = re.fullmatch(pattern, line.replace(" ", ""))
            if not match:
                self.add_error(name, problem)
                return None
            found.append(tuple(g.replace(",", ".") if g else g for g in match.groups()))
        return found

    def rules(self) -> dict:
        """The rules of the cleaned data, as Campaign.rules keeps them."""
        data, rules = self.cleaned_data, {}
        for key in MONEY:
            if data.get(key) is not None:
                rules[key] = str(data[key])
        for key in WHOLE:
            if data.get(key) is not None:
                rules[key] = data[key]
        for key in CHOSEN:
            if data.get(key):
                rules[key] = list(data[key])
        for key in FLAGS:
            if data.get(key):
                rules[key] = True
        for key in ("areas_join", "polygon_join", "min_class"):
            if data.get(key):
                rules[key] = data[key]
        if data.get("polygon", "").strip():
            rules["polygon"] = data["polygon"].strip()
        number = r"(\d+(?:[.,]\d+)?)"
        bands = self._lines(
            "bands",
            rf"{number}-{number}:{number}",
            _("Each band is “from km-to km: €/km”, e.g. 0-20: 0,10."),
        )
        if bands:
            rules["bands"] = [[float(a), float(b), r] for a, b, r in bands]
        milestones = self._lines(
            "milestones",
            rf"(\d+):{number}(?:/(\d+))?",
            _("Each bonus is “n-th trip: amount”, optionally “/ days”."),
        )
        if milestones:
            rules["milestones"] = [
                {"trip": int(n), "amount": a, **({"within_days": int(d)} if d else {})}
                for n, a, d in milestones
            ]
        hours = [h.strip() for h in data.get("hours", "").split(",") if h.strip()]
        if hours:
            pairs = [h.replace(" ", "").split("-") for h in hours]
            if any(len(p) != 2 for p in pairs):
                self.add_error("hours", _("Give hour ranges as 07:00-09:30."))
            else:
                rules["hours"] = pairs
        return rules

    def thresholds_given(self) -> list[int] | None:
        text = self.cleaned_data.get("thresholds", "")
        parts = [p.strip().rstrip("%").strip() for p in text.split(",") if p.strip()]
        if not all(p.isdigit() for p in parts):
            self.add_error("thresholds", _("Thresholds are percentages from 1 to 100."))
            return None
        return [int(p) for p in parts]

    def clean_funder_iban(self):
        return self.cleaned_data["funder_iban"].replace(" ", "").upper()

    def clean(self):
        data = super().clean()
        if self.frozen:
            return data
        rules = self.rules()
        thresholds = self.thresholds_given()
        given = {
            k: data[k]
            for k in ("starts_on", "ends_on", "budget", "funder_siret", "funder_iban")
            if data.get(k) is not None
        }
        for name, message in campaign_errors({**given, "thresholds": thresholds}, rules).items():
            target = name if name in self.fields else None
            if target is None or name not in self.errors:
                self.add_error(target, message)
        data["rules"], data["thresholds"] = rules, thresholds
        return data

    def values(self) -> dict:
        return {k: self.cleaned_data[k] for k in (*FIELDS, "thresholds")}


class SimulationForm(forms.Form):
    first = DateField(label=gettext_lazy("First day"), widget=date_input())
    last = DateField(label=gettext_lazy("Last day"), widget=date_input())

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("last") and data["last"] < data["first"]:
            self.add_error("last", _("The period ends after it starts."))
        elif data.get("first") and data.get("last") and (data["last"] - data["first"]).days > 731:
            self.add_error("last", _("Two years at most."))
        return data


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnnulForm(DecisionForm):
    journey = forms.IntegerField(label=gettext_lazy("Journey number"), min_value=1)


class BankAccountForm(forms.Form):
    holder = forms.CharField(label=gettext_lazy("Account holder"), max_length=70)
    iban = forms.CharField(
        label=gettext_lazy("IBAN"),
        max_length=42,
        help_text=gettext_lazy("Shown masked once saved; it is stored encrypted."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_iban(self):
        try:
            return iban_checked(self.cleaned_data["iban"]).compact
        except ValueError as exc:
            raise forms.ValidationError(_("Not a valid IBAN: %(why)s") % {"why": exc}) from None
