"""WCAG 2.1 contrast arithmetic (pure functions, no Django)."""

import colorsys

AA_BODY_TEXT = 4.5
PAGE_BACKGROUND = "#ffffff"


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def relative_luminance(hex_colour: str) -> float:
    r, g, b = (_channel(v) for v in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def suggest_colour(colour: str, against: str, minimum: float = AA_BODY_TEXT) -> str:
    """The colour of the same hue and saturation, closest in lightness to `colour`, that reaches
    `minimum` against `against` (darker when `against` is light, lighter otherwise)."""
    r, g, b = (v / 255 for v in _rgb(colour))
    hue, lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    step = -0.01 if relative_luminance(against) > 0.18 else 0.01
    while 0.0 <= lightness <= 1.0:
        rr, gg, bb = colorsys.hls_to_rgb(hue, lightness, saturation)
        candidate = "#{:02x}{:02x}{:02x}".format(*(round(v * 255) for v in (rr, gg, bb)))
        if contrast_ratio(candidate, against) >= minimum:
            return candidate
        lightness += step
    return "#000000" if step < 0 else "#ffffff"
