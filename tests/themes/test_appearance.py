"""The territory admin edits the theme and settings; bad colours and logos are refused."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image

from tests.forms import VALID_APPEARANCE
from themes.colours import contrast_ratio, suggest_colour
from themes.models import TerritorySettings, Theme


def png(size=(300, 200), colour="red", fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


def theme_of(cast) -> Theme:
    with schema_context(cast.territory.schema_name):
        return Theme.objects.get()


def test_contrast_arithmetic_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    suggestion = suggest_colour("#f5a623", "#ffffff")
    assert contrast_ratio(suggestion, "#ffffff") >= 4.5
    assert suggest_colour("#0b4f8a", "#ffffff") == "#0b4f8a"


def test_admin_saves_theme_settings_and_logo(alpha):
    client = alpha.client("admin")
    response = client.post(
        "/manage/appearance/",
        {**VALID_APPEARANCE, "theme-logo_file": SimpleUploadedFile("l.png", png())},
    )
    assert response.status_code == 302
    theme = theme_of(alpha)
    assert (theme.display_name, theme.primary_colour) == ("Alpha Covoit", "#0b4f8a")
    assert Image.open(io.BytesIO(bytes(theme.icon_512))).size == (512, 512)
    with schema_context(alpha.territory.schema_name):
        current = TerritorySettings.objects.get()
    assert str(current.cost_per_km_default) == "0.090" and current.solidarity_enabled
    assert (current.solidarity_population_threshold, current.solidarity_max_trip_km) == (10000, 80)
    home = client.get("/").content.decode()
    assert "--primary:#0b4f8a" in home and "Alpha Covoit" in home
    logo = client.get("/branding/logo.png")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"


def test_low_contrast_pair_is_refused_with_ratio_and_suggestion(alpha):
    before = theme_of(alpha)
    response = alpha.client("admin").post(
        "/manage/appearance/", {**VALID_APPEARANCE, "theme-primary_colour": "#f5a623"}
    )
    assert response.status_code == 400
    errors = response.context["theme_form"].errors
    message = " ".join(errors["on_primary_colour"] + errors["primary_colour"])
    assert "2,0" in message and "4,5:1" in message  # French figures
    suggested = message.split("#")[-1][:6]
    assert contrast_ratio("#" + suggested, "#ffffff") >= 4.5
    after = theme_of(alpha)
    assert after.primary_colour == before.primary_colour
    assert after.display_name == before.display_name  # nothing was saved


def test_text_colour_too_close_to_secondary_is_refused(alpha):
    response = alpha.client("admin").post(
        "/manage/appearance/", {**VALID_APPEARANCE, "theme-on_secondary_colour": "#c8b98a"}
    )
    assert response.status_code == 400
    assert "on_secondary_colour" in response.context["theme_form"].errors


@pytest.mark.parametrize(
    ("upload", "expected"),
    [
        (SimpleUploadedFile("x.png", b"not an image at all"), "PNG, JPEG"),
        (
            SimpleUploadedFile(
                "x.svg",
                b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>",
                content_type="image/svg+xml",
            ),
            "PNG, JPEG",
        ),
        (SimpleUploadedFile("x.gif", png(fmt="GIF")), "PNG, JPEG"),
        (SimpleUploadedFile("big.png", png(size=(5000, 10))), "4096"),
    ],
)
def test_bad_logos_are_refused_and_nothing_is_saved(alpha, upload, expected):
    before = theme_of(alpha)
    response = alpha.client("admin").post(
        "/manage/appearance/", {**VALID_APPEARANCE, "theme-logo_file": upload}
    )
    assert response.status_code == 400
    assert expected in " ".join(response.context["theme_form"].errors["logo_file"])
    after = theme_of(alpha)
    assert after.display_name == before.display_name and after.logo_version == before.logo_version


def test_oversized_logo_is_refused(alpha, settings):
    import random

    settings.LOGO_MAX_BYTES = 10 * 1024
    noise = Image.frombytes("RGB", (100, 100), random.Random(1).randbytes(100 * 100 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    assert len(out.getvalue()) > 10 * 1024
    response = alpha.client("admin").post(
        "/manage/appearance/",
        {**VALID_APPEARANCE, "theme-logo_file": SimpleUploadedFile("n.png", out.getvalue())},
    )
    assert response.status_code == 400
    error = " ".join(response.context["theme_form"].errors["logo_file"])
    assert "10 ko" in error or "10 kB" in error


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("settings-cost_per_km_default", "0.20"),  # above the maximum 0.15
        ("settings-cost_per_km_max", "0.80"),  # above the national ceiling
        ("settings-cost_per_km_default", "abc"),
        ("theme-primary_colour", "blue"),
        ("settings-solidarity_max_trip_km", "0"),
        ("settings-solidarity_rule", "nobody"),
    ],
)
def test_invalid_settings_are_field_errors(alpha, field, value):
    response = alpha.client("admin").post("/manage/appearance/", {**VALID_APPEARANCE, field: value})
    assert response.status_code == 400
    form = "theme_form" if field.startswith("theme") else "settings_form"
    assert field.split("-", 1)[1] in response.context[form].errors


def test_each_territory_has_its_own_manifest(alpha, beta):
    alpha.client("admin").post(
        "/manage/appearance/",
        {**VALID_APPEARANCE, "theme-logo_file": SimpleUploadedFile("l.png", png())},
    )
    a = alpha.client().get("/manifest.webmanifest")
    b = beta.client().get("/manifest.webmanifest")
    assert a["Content-Type"] == "application/manifest+json"
    a, b = a.json(), b.json()
    assert a["name"] == "Alpha Covoit" and a["theme_color"] == "#0b4f8a"
    assert b["name"] == theme_of(beta).display_name and b["name"] != a["name"]
    assert {icon["sizes"] for icon in a["icons"]} == {"192x192", "512x512"}
    icon = alpha.client().get(a["icons"][1]["src"])
    assert Image.open(io.BytesIO(icon.content)).size == (512, 512)
    assert a["start_url"] == "/" and a["display"] == "standalone"


def declared_png(width: int, height: int) -> bytes:
    """A few dozen bytes declaring a huge 1-bit image (a decompression bomb's header)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1024, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("size", [(9000, 9000), (60000, 60000)])
def test_huge_images_are_refused_from_their_header_without_a_server_error(alpha, size):
    """Regression: a small PNG declaring 60000×60000 pixels raised Pillow's
    DecompressionBombError (500), and 9000×9000 was decoded (≈ 324 MB) before the check."""
    upload = SimpleUploadedFile("bomb.png", declared_png(*size))
    response = alpha.client("admin").post(
        "/manage/appearance/", {**VALID_APPEARANCE, "theme-logo_file": upload}
    )
    assert response.status_code == 400
    assert "4096" in " ".join(response.context["theme_form"].errors["logo_file"])


def test_both_forms_errors_show_at_once_and_rates_are_read_in_french(alpha):
    """Regression: the settings' errors showed only once the theme's were fixed."""
    client = alpha.client("admin")
    response = client.post(
        "/manage/appearance/",
        {
            **VALID_APPEARANCE,
            "theme-primary_colour": "#f5a623",
            "settings-cost_per_km_default": "0,20",
            "settings-cost_per_km_max": "0,15",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_theme-primary_colour"' in page or 'href="#id_theme-on_primary_colour"' in page
    assert 'href="#id_settings-cost_per_km_default"' in page
    response = client.post(
        "/manage/appearance/",
        {**VALID_APPEARANCE, "settings-cost_per_km_default": "0,085"},
    )
    assert response.status_code == 302
    with schema_context(alpha.territory.schema_name):
        assert str(TerritorySettings.objects.get().cost_per_km_default) == "0.085"
    page = client.get("/manage/appearance/").content.decode()
    assert 'name="settings-cost_per_km_default" value="0,085"' in page
