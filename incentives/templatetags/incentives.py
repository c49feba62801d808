"""`{{ cents|euros }}` « 1 234,50 € » and `{{ share|percent }}` « 12 % », French typography."""

from datetime import date
from decimal import Decimal

from django import template
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy, pgettext_lazy

from ..iban import masked
from ..services.accrual import CAPPED, NOT_PAID

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


@register.filter
def month_name(text: str) -> str:
    """« 2026-10 » → « octobre 2026 »."""
    try:
        return date_format(date.fromisoformat(f"{text}-01"), "F Y")
    except (TypeError, ValueError):
        return text


@register.filter
def reason_label(code: str) -> str:
    """Why lines were not paid, in words (incentives/services/accrual.py)."""
    return str(NOT_PAID.get(code) or CAPPED.get(code) or REASON_WORDS.get(code) or code)


REASON_WORDS = {
    "period": gettext_lazy("outside the period"),
    "held": gettext_lazy("held by the registry's anomaly rules"),
}

ACTIONS = {
    "created": pgettext_lazy("campaign", "created"),
    "changed": pgettext_lazy("campaign", "changed"),
    "activated": pgettext_lazy("campaign", "activated"),
    "closed": pgettext_lazy("campaign", "closed"),
}


@register.filter
def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


@register.filter
def masked_iban(account) -> str:
    """A bank account's IBAN as it is ever shown: « FR•• •••• •••• 0189 »."""
    return masked(account.iban_end, account.country)


@register.filter
def share_of(part, whole) -> str:
    """« 12 % » of the whole (an integer percentage, floored)."""
    return f"{int(Decimal(part) * 100 / Decimal(whole)) if whole else 0}\u00a0%"
