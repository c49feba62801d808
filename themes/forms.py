from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import egress
from core.forms import decimal_input

from .models import TerritorySettings, Theme
from .services import validate_theme_colours


class ColourInput(forms.TextInput):
    input_type = "color"


class ThemeForm(forms.ModelForm):
    logo_file = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG or WebP, at most 1 MB. It is also used for the app icon."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    class Meta:
        model = Theme
        fields = [
            "display_name",
            "primary_colour",
            "on_primary_colour",
            "secondary_colour",
            "on_secondary_colour",
            "welcome_text",
        ]
        widgets = {
            "primary_colour": ColourInput,
            "on_primary_colour": ColourInput,
            "secondary_colour": ColourInput,
            "on_secondary_colour": ColourInput,
            "welcome_text": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self):
        cleaned = super().clean()
        try:
            validate_theme_colours(cleaned)
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                for error in errors:
                    self.add_error(field, error)
        return cleaned


DECIMALS = (
    "cost_per_km_default",
    "cost_per_km_max",
    "solidarity_cost_per_km",
    "solidarity_cost_per_km_cap",
    "co2_kg_per_km",
)


class SettingsForm(forms.ModelForm):
    rpc_url = forms.URLField(
        label=TerritorySettings._meta.get_field("rpc_url").verbose_name,
        required=False,
        assume_scheme="https",
        validators=[egress.url_validator],
    )

    class Meta:
        model = TerritorySettings
        fields = [
            "contact_text",
            "legal_notice",
            "cost_per_km_default",
            "cost_per_km_max",
            "publication_horizon_days",
            "solidarity_enabled",
            "solidarity_rule",
            "solidarity_population_threshold",
            "solidarity_max_trip_km",
            "solidarity_cost_per_km",
            "solidarity_cost_per_km_cap",
            "observatory_min_people",
            "co2_kg_per_km",
            "data_licence",
            "rpc_url",
            "rpc_token",
            "map_tiles_url",
            "map_attribution",
        ]
        help_texts = {
            "rpc_token": _("Leave empty to keep the current token."),
        }
        # Rates shown and read as the page's language writes them: « 0,080 » in French.
        localized_fields = DECIMALS
        widgets = {
            **{name: decimal_input() for name in DECIMALS},
            "rpc_token": forms.PasswordInput(render_value=False),
            "contact_text": forms.Textarea(attrs={"rows": 3}),
            "legal_notice": forms.Textarea(attrs={"rows": 6}),
        }

    def clean_rpc_token(self):
        """The token is never shown back: an empty field keeps the current one."""
        return self.cleaned_data.get("rpc_token") or self.instance.rpc_token

    def clean_map_tiles_url(self):
        """Browsers fetch it from every map page: https only, with the three placeholders."""
        url = self.cleaned_data.get("map_tiles_url", "").strip()
        if not url:
            return url
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise forms.ValidationError(_("Give an https:// address."), code="scheme")
        missing = [p for p in ("{z}", "{x}", "{y}") if p not in url]
        if missing:
            raise forms.ValidationError(
                _("The address must contain %(missing)s.") % {"missing": ", ".join(missing)},
                code="placeholders",
            )
        return url

    def clean(self):
        cleaned = super().clean()
        default, maximum = cleaned.get("cost_per_km_default"), cleaned.get("cost_per_km_max")
        if default is not None and maximum is not None and default > maximum:
            self.add_error(
                "cost_per_km_default", _("The default cost per km cannot exceed the maximum.")
            )
        return cleaned
