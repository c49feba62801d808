"""`{{ value|figure }}`: a figure as a French reader writes it (« 1 495,9 », « 12 040 »)."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def figure(value) -> str:
    """An integer grouped by thousands, any other number with one decimal, in the active
    language; anything else (a text, None) as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, float) and not value.is_integer():
        return number_format(value, decimal_pos=1, force_grouping=True)
    return number_format(int(value), force_grouping=True)
