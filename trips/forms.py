from datetime import datetime, timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .services import Place


class PlaceField(forms.MultiValueField):
    """A place typed with type-ahead (label) and located by the chosen suggestion (lon/lat)."""

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
            raise forms.ValidationError(_("Choose a place from the suggestions."), code="unlocated")
        return Place(lon, lat, label or "")


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


def date_field() -> forms.DateField:
    return forms.DateField(
        label=_("Date"), initial=_tomorrow, widget=forms.DateInput(attrs={"type": "date"})
    )


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

    def window_bounds(self) -> tuple[datetime, datetime]:
        centre = moment(self.cleaned_data)
        half = timedelta(minutes=self.cleaned_data["window"] / 2)
        return centre - half, centre + half


class OfferForm(forms.Form):
    origin = PlaceField(label=_("Departure"))
    destination = PlaceField(label=_("Arrival"))
    date = date_field()
    time = time_field(_("Departure time"))
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
    cost_per_km = forms.DecimalField(
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

    def departure_at(self) -> datetime:
        return moment(self.cleaned_data)


class BookForm(forms.Form):
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=8, initial=1)
    pickup = PlaceField(label=_("Pickup"))
    dropoff = PlaceField(label=_("Drop-off"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)
