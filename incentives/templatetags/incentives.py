"""`{{ cents|euros }}` « 1 234,50 € » and `{{ share|percent }}` « 12 % », French typography."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def euros(cents) -> str:
    if cents is None or cents == "":
        return "—"
    value = Decimal(cents) / 100
    return f"{number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)}\u00a0€"


@register.filter
def percent(share) -> str:
    if share is None:
        return "—"
    return f"{number_format(Decimal(str(share)) * 100, decimal_pos=0, use_l10n=True)}\u00a0%"


@register.filter
def money(amount) -> str:
    """A Decimal in euros."""
    if amount is None:
        return "—"
    return euros(Decimal(amount) * 100)
