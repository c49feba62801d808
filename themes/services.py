"""Writes to a territory's theme and settings. Call inside the territory's schema."""

import hashlib
import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .colours import AA_BODY_TEXT, PAGE_BACKGROUND, contrast_ratio, suggest_colour
from .models import TerritorySettings, Theme
from .selectors import DEFAULT_THEME, settings_get, theme_get

LOGO_FORMATS = {"PNG", "JPEG", "WEBP"}
LOGO_MAX_PIXELS = 4096
# Pillow's own limit for any image this process opens: it warns above, refuses at twice this.
Image.MAX_IMAGE_PIXELS = LOGO_MAX_PIXELS * LOGO_MAX_PIXELS


def is_hex_colour(value) -> bool:
    return isinstance(value, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", value) is not None


@dataclass(frozen=True)
class ColourPair:
    background_field: str
    text_field: str | None  # None: text is the page background (colour used on white)


# Where each colour is used in the templates, hence which pairs must reach WCAG AA.
CHECKED_PAIRS = (
    ColourPair("primary_colour", "on_primary_colour"),  # buttons, header band
    ColourPair("secondary_colour", "on_secondary_colour"),  # highlights, footer
    ColourPair("primary_colour", None),  # links and focus rings on the white page
)


def validate_theme_colours(values: dict) -> None:
    """Refuse any pair below 4.5:1, giving the measured ratio and a colour that would pass."""
    errors: dict[str, list[str]] = {}
    for pair in CHECKED_PAIRS:
        background = values.get(pair.background_field)
        text = values.get(pair.text_field) if pair.text_field else PAGE_BACKGROUND
        if not (is_hex_colour(background) and is_hex_colour(text)):
            continue  # the field's own validator reports the format
        ratio = contrast_ratio(background, text)
        if ratio >= AA_BODY_TEXT:
            continue
        field = pair.text_field or pair.background_field
        adjusted = pair.text_field if pair.text_field else pair.background_field
        suggestion = suggest_colour(values[adjusted], background if pair.text_field else text)
        errors.setdefault(field, []).append(
            _(
                "Contrast between %(text)s and %(background)s is %(ratio)s:1; at least "
                "%(minimum)s:1 is required (WCAG AA). Try %(suggestion)s."
            )
            % {
                "text": text,
                "background": background,
                "ratio": formats.number_format(ratio, 2),  # « 3,21:1 » in French
                "minimum": formats.number_format(AA_BODY_TEXT, 1),
                "suggestion": suggestion,
            }
        )
    if errors:
        raise ValidationError(errors)


def _square_png(image: Image.Image, size: int) -> bytes:
    canvas = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    copy = image.copy()
    copy.thumbnail((size, size), Image.LANCZOS)
    canvas.paste(copy, ((size - copy.width) // 2, (size - copy.height) // 2))
    out = io.BytesIO()
    canvas.save(out, "PNG", optimize=True)
    return out.getvalue()


def process_logo(data: bytes) -> dict[str, bytes | str]:
    """Check an uploaded logo (size, real image type) and derive the app icons.

    The image is re-encoded as PNG, which drops any embedded metadata. SVG is refused: it can
    carry scripts."""
    if len(data) > settings.LOGO_MAX_BYTES:
        raise ValidationError(
            {
                "logo": _("The logo is %(size)d kB; the maximum is %(max)d kB.")
                % {"size": len(data) // 1024, "max": settings.LOGO_MAX_BYTES // 1024}
            }
        )
    too_large = ValidationError(
        {
            "logo": _("The logo may be at most %(max)d pixels wide or high.")
            % {"max": LOGO_MAX_PIXELS}
        }
    )
    try:
        # Image.open reads the header only: the dimensions are checked before anything is
        # decoded, so a small file declaring a huge image (a decompression bomb) costs nothing.
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            if max(probe.size) > LOGO_MAX_PIXELS:
                raise too_large
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except Image.DecompressionBombError as exc:  # beyond Pillow's own cap, set below
        raise too_large from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError({"logo": _("This file is not a PNG, JPEG or WebP image.")}) from exc
    if kind not in LOGO_FORMATS:
        raise ValidationError({"logo": _("This file is not a PNG, JPEG or WebP image.")})
    image = image.convert("RGBA")
    image.thumbnail((512, 512), Image.LANCZOS)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    logo = out.getvalue()
    return {
        "logo": logo,
        "icon_192": _square_png(image, 192),
        "icon_512": _square_png(image, 512),
        "logo_version": hashlib.sha256(logo).hexdigest()[:12],
    }


@transaction.atomic
def theme_update(*, values: dict, logo: bytes | None = None) -> Theme:
    validate_theme_colours(values)
    theme = theme_get()
    for field, value in values.items():
        setattr(theme, field, value)
    if logo is not None:
        for field, value in process_logo(logo).items():
            setattr(theme, field, value)
    theme.full_clean()
    theme.save()
    return theme


@transaction.atomic
def settings_update(*, values: dict) -> TerritorySettings:
    current = settings_get()
    for field, value in values.items():
        setattr(current, field, value)
    if current.cost_per_km_default > current.cost_per_km_max:
        raise ValidationError(
            {"cost_per_km_default": _("The default cost per km cannot exceed the maximum.")}
        )
    current.full_clean()
    current.save()
    return current


def territory_branding_init(*, display_name: str, theme: dict | None = None) -> None:
    """Default theme and settings for a new territory (called inside its schema)."""
    values = {**DEFAULT_THEME, **(theme or {}), "display_name": display_name}
    validate_theme_colours(values)
    Theme.objects.update_or_create(pk=1, defaults=values)
    settings_get()
