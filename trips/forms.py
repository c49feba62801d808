from datetime import datetime, timedelta
from decimal import Decimal

from django import forms
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS as DAY_NAMES
from django.utils.translation import gettext_lazy as _

from core.forms import DateField, LocalizedDecimalField
from matching.network import Place
from matching.selectors import places_named
from tenants.selectors import area_codes, current_territory
from themes.selectors import settings_get

from .alerts import alert_errors
from .models import WEEKDAYS, Message
from .selectors import search_day_check
from .services.journeys import JourneyReport
from .services.regular import schedule_errors
from .services.rides import RideTerms, departure_errors


class PlaceField(forms.MultiValueField):
    """A place typed with type-ahead (label) and located by the chosen suggestion (lon/lat),
    or typed in full: a text that is the label or name of exactly one place of the
    territory's index (case and accents aside) is located there."""

    def __init__(self, **kwargs):
        fields = (
            forms.CharField(max_length=200),
            forms.FloatField(required=False),
            forms.FloatField(required=False),
        )
        super().__init__(fields=fields, require_all_fields=False, **kwargs)
        self.widget = PlaceWidget()

    def compress(self, values):
        if not values:
            return None
        label, lon, lat = (list(values) + [None, None, None])[:3]
        if lon is None or lat is None:
            return self._named(label or "")
        return Place(lon, lat, label or "")

    def _named(self, text: str) -> Place:
        territory = current_territory()
        found = places_named(territory.graph_name, text, area_codes(territory))
        if len(found) == 1:
            return Place(found[0].lon, found[0].lat, found[0].label)
        if found:
            raise forms.ValidationError(
                _("Several places are called “%(text)s”: choose one from the suggestions."),
                code="ambiguous",
                params={"text": text},
            )
        raise forms.ValidationError(_("Choose a place from the suggestions."), code="unlocated")


class PlaceWidget(forms.MultiWidget):
    template_name = "trips/place_widget.html"

    def __init__(self):
        super().__init__(
            widgets=[
                forms.TextInput(attrs={"autocomplete": "off", "class": "place-input"}),
                forms.HiddenInput(attrs={"class": "place-lon"}),
                forms.HiddenInput(attrs={"class": "place-lat"}),
            ]
        )

    use_fieldset = False

    def id_for_label(self, id_):
        return f"{id_}_0" if id_ else id_  # the label names the visible text input

    def decompress(self, value):
        return [value.label, value.lon, value.lat] if value else [None, None, None]


def _tomorrow():
    return timezone.localdate() + timedelta(days=1)


def date_input() -> forms.DateInput:
    # A browser's date input reads ISO dates only, whatever the page's language.
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def date_field(label=None, **kwargs) -> forms.DateField:
    """A day (core.forms.DateField: within the years Archipel deals with)."""
    kwargs = {"initial": _tomorrow, **kwargs}
    return DateField(label=label or _("Date"), widget=date_input(), **kwargs)


def time_field(label) -> forms.TimeField:
    return forms.TimeField(
        label=label, initial="08:00", widget=forms.TimeInput(attrs={"type": "time"})
    )


def moment(cleaned: dict) -> datetime:
    """The aware datetime of the form's date and time fields."""
    return timezone.make_aware(datetime.combine(cleaned["date"], cleaned["time"]))


class SearchForm(forms.Form):
    origin = PlaceField(label=_("From"))
    destination = PlaceField(label=_("To"))
    date = date_field()
    time = time_field(_("Time"))
    window = forms.TypedChoiceField(
        label=_("Flexibility"),
        coerce=int,
        initial=60,
        choices=[
            (30, _("± 15 minutes")),
            (60, _("± 30 minutes")),
            (120, _("± 1 hour")),
            (240, _("± 2 hours")),
        ],
    )
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=8, initial=1)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day < timezone.localdate():
            raise forms.ValidationError(
                _("This day is past: search today or a day to come."), code="past"
            )
        return search_day_check(day)

    def window_bounds(self) -> tuple[datetime, datetime]:
        centre = moment(self.cleaned_data)
        half = timedelta(minutes=self.cleaned_data["window"] / 2)
        return centre - half, centre + half


class OfferForm(forms.Form):
    """A one-off ride (date and time) or a weekly schedule (days, a time per day, a period)."""

    ONCE, REGULAR = "once", "regular"

    origin = PlaceField(label=_("Departure"))
    destination = PlaceField(label=_("Arrival"))
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=[(ONCE, _("Once")), (REGULAR, _("Every week"))],
        initial=ONCE,
        required=False,  # once, when not given
        widget=forms.RadioSelect,
    )
    date = date_field()
    time = time_field(_("Departure time"))
    valid_from = date_field(_("Starting on"), required=False)
    valid_until = date_field(
        _("Until"), required=False, initial=lambda: _tomorrow() + timedelta(days=90)
    )
    margin_minutes = forms.TypedChoiceField(
        label=_("I can leave earlier or later by"),
        coerce=int,
        initial=15,
        choices=[
            (0, _("0 minutes")),
            (15, _("15 minutes")),
            (30, _("30 minutes")),
            (60, _("1 hour")),
        ],
    )
    seats = forms.IntegerField(label=_("Seats offered"), min_value=1, max_value=8, initial=3)
    cost_per_km = LocalizedDecimalField(
        label=_("Cost per km (€)"), max_digits=4, decimal_places=3, min_value=Decimal("0")
    )
    max_detour_ratio = forms.TypedChoiceField(
        label=_("Detour I accept"),
        coerce=Decimal,
        initial="0.25",
        choices=[
            ("0.10", _("10 % of my trip")),
            ("0.25", _("25 % of my trip")),
            ("0.50", _("50 % of my trip")),
        ],
    )
    instant_booking = forms.BooleanField(
        label=_("Passengers can book without my approval"), required=False
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    car = forms.CharField(
        label=_("Car (optional)"),
        required=False,
        max_length=100,
        help_text=_("Model and colour, to be recognised; shown on the ride's page."),
    )

    # The services' names for what the form asks as other fields.
    SERVICE_FIELDS = {"departure_at": "date", "schedule": f"day_{WEEKDAYS[0]}"}
    PUNCTUAL_FIELDS = ("date", "time")
    REGULAR_FIELDS = ("valid_from", "valid_until")

    def __init__(self, *args, territory_settings=None, **kwargs):
        """`territory_settings`: the territory's settings when the caller has read them (the
        view, once per request), else read here."""
        super().__init__(*args, **kwargs)
        current = territory_settings or settings_get()
        self.fields["cost_per_km"].help_text = _(
            "At most %(max)s € per km in this territory: carpooling shares costs, it is not a job."
        ) % {"max": formats.localize(current.cost_per_km_max)}
        self.fields["date"].required = self.fields["time"].required = False
        for number, day in enumerate(WEEKDAYS):
            self.fields[f"day_{day}"] = forms.BooleanField(label=DAY_NAMES[number], required=False)
            self.fields[f"time_{day}"] = forms.TimeField(
                label=_("Departure time on %(day)s") % {"day": DAY_NAMES[number]},
                required=False,
                initial="08:00",
                widget=forms.TimeInput(attrs={"type": "time"}),
            )

    def clean(self):
        data = super().clean()
        needed = self.REGULAR_FIELDS if self.is_regular else self.PUNCTUAL_FIELDS
        for name in needed:
            if data.get(name) is None and name not in self.errors:
                self.add_error(name, forms.Field.default_error_messages["required"])
        if self.is_regular:
            for day in WEEKDAYS:
                if data.get(f"day_{day}") and data.get(f"time_{day}") is None:
                    if f"time_{day}" not in self.errors:
                        self.add_error(f"time_{day}", _("Give the departure time."))
        self._rules_check(data)
        return data

    def _rules_check(self, data: dict) -> None:
        """The publishing services' own rules on the fields that did clean, so that every
        problem shows at once (99 seats, a past day and 5 € per km: three errors, not one)."""
        given = {name: data[name] for name in self.TERMS_FIELDS if data.get(name) is not None}
        errors = RideTerms(**given).errors()
        if self.is_regular:
            times = [data.get(f"time_{d}") if data.get(f"day_{d}") else None for d in WEEKDAYS]
            errors |= schedule_errors(times, data.get("valid_from"), data.get("valid_until"))
        elif data.get("date") and data.get("time"):
            errors |= departure_errors(moment(data))
        for name, message in errors.items():
            name = self.SERVICE_FIELDS.get(name, name)
            if name not in self.errors:
                self.add_error(name, message)

    @property
    def is_regular(self) -> bool:
        return self.cleaned_data.get("frequency") == self.REGULAR

    def departure_at(self) -> datetime:
        return moment(self.cleaned_data)

    def departure_times(self) -> list:
        """The time per weekday (0 = Monday), None on the days not ticked."""
        data = self.cleaned_data
        return [data[f"time_{d}"] if data.get(f"day_{d}") else None for d in WEEKDAYS]

    TERMS_FIELDS = (
        "margin_minutes",
        "seats",
        "cost_per_km",
        "max_detour_ratio",
        "instant_booking",
        "comment",
        "car",
    )

    def terms(self) -> dict:
        """The keyword arguments of `RideTerms`, for both kinds of ride."""
        return {name: self.cleaned_data[name] for name in self.TERMS_FIELDS}

    def days(self) -> list[tuple]:
        """(checkbox, time) bound fields per day of the week, for the template."""
        return [(self[f"day_{d}"], self[f"time_{d}"]) for d in WEEKDAYS]

    def punctual(self) -> list:
        return [self[name] for name in self.PUNCTUAL_FIELDS]

    def regular(self) -> list:
        return [self[name] for name in self.REGULAR_FIELDS]

    def common(self) -> list:
        return [self[name] for name in self.TERMS_FIELDS]


class BookForm(forms.Form):
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=8, initial=1)
    pickup = PlaceField(label=_("Pickup"))
    dropoff = PlaceField(label=_("Drop-off"))


class OfferChangeForm(forms.Form):
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=8)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    instant_booking = forms.BooleanField(label=_("Instant booking"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)


class ConfirmForm(forms.Form):
    """Confirming a ride took place, with what the browser can tell (all optional): the times
    of pickup and drop-off on the ride's day, and positions from the device's location."""

    pickup_time = forms.TimeField(
        label=_("Pickup time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    dropoff_time = forms.TimeField(
        label=_("Drop-off time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    pickup_lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    pickup_lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    dropoff_lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    dropoff_lat = forms.FloatField(required=False, widget=forms.HiddenInput)

    def report(self, day) -> JourneyReport:
        """The report for a ride on `day` (the booked pickup's local date)."""
        data = self.cleaned_data

        def at(name):
            value = data.get(name)
            return timezone.make_aware(datetime.combine(day, value)) if value else None

        def place(prefix):
            lon, lat = data.get(f"{prefix}_lon"), data.get(f"{prefix}_lat")
            return Place(lon, lat) if lon is not None and lat is not None else None

        return JourneyReport(
            pickup_at=at("pickup_time"),
            dropoff_at=at("dropoff_time"),
            pickup=place("pickup"),
            dropoff=place("dropoff"),
        )


class AlertForm(forms.Form):
    """A saved search: the trip, the weekdays, the pickup time window and until when."""

    origin = PlaceField(label=_("From"))
    destination = PlaceField(label=_("To"))
    days = forms.TypedMultipleChoiceField(
        label=_("Days"),
        coerce=int,
        choices=[(d, DAY_NAMES[d]) for d in range(7)],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one day of the week.")},
    )
    earliest = forms.TimeField(
        label=_("Earliest pickup"), initial="07:30", widget=forms.TimeInput(attrs={"type": "time"})
    )
    latest = forms.TimeField(
        label=_("Latest pickup"), initial="08:30", widget=forms.TimeInput(attrs={"type": "time"})
    )
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=8, initial=1)
    expires_on = date_field(_("Until"), initial=lambda: timezone.localdate() + timedelta(days=30))

    RULED = ("days", "earliest", "latest", "expires_on", "seats")

    def clean(self):
        """The alert service's rules on the fields that did clean: every problem at once."""
        data = super().clean()
        given = {name: data[name] for name in self.RULED if data.get(name) is not None}
        for name, message in alert_errors(**given).items():
            if name not in self.errors:
                self.add_error(name, message)
        return data

    @classmethod
    def from_search(cls, query) -> "AlertForm":
        """An unbound form filled from a search's query string (the link under its results)."""
        initial = {}
        for name in ("origin", "destination"):
            try:
                lon, lat = float(query[f"{name}_1"]), float(query[f"{name}_2"])
            except (KeyError, ValueError):
                continue
            initial[name] = Place(lon, lat, query.get(f"{name}_0", "")[:200])
        for name in ("earliest", "latest", "seats"):
            if query.get(name):
                initial[name] = query[name][:5]
        if query.get("day", "").isdigit():
            initial["days"] = [int(query["day"]) % 7]
        return cls(initial=initial)


class MessageForm(forms.Form):
    """A message of a conversation: the service refuses one above its size, never cuts it
    (the textarea's maxlength and its counter keep to it in the browser)."""

    body = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(
            attrs={"rows": 3, "id": "message-body", "maxlength": Message.MAX_LENGTH}
        ),
        error_messages={"required": _("The message is empty.")},
    )
