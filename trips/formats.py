"""Figures as the passenger reads them, in the active language's number format: « 11,8 km »,
« 1 h 05 », « 1,20 € » (a non-breaking space before the unit)."""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

NBSP = "\u00a0"


def km(metres: float) -> str:
    return f"{number_format(round(metres / 1000, 1), 1, use_l10n=True)}{NBSP}km"


def duration(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    return _("%(h)d h %(m)02d") % {"h": minutes // 60, "m": minutes % 60}


def euros(amount: Decimal) -> str:
    return f"{number_format(amount, 2, use_l10n=True)}{NBSP}€"
