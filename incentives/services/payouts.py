"""Bank accounts and payouts: a person gives the IBAN they are paid on; a campaign's month is
marked paid, which records a payout for every person owed money who gave one (those without
wait: they are paid in the first statement after they give it)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict

from ..iban import encrypt, iban_checked
from ..models import BankAccount, Campaign, Payout, Statement
from ..selectors import owed_at_end_of


def bank_account_set(person, *, holder: str, iban: str) -> BankAccount:
    errors = {}
    holder = " ".join((holder or "").split())
    if not holder:
        errors["holder"] = _("Give the account holder's name.")
    elif len(holder) > 70:
        errors["holder"] = _("At most 70 characters.")
    try:
        checked = iban_checked(iban)
    except ValueError as exc:
        errors["iban"] = _("Not a valid IBAN: %(why)s") % {"why": exc}
    if errors:
        raise ValidationError(errors)
    try:
        bic = str(checked.bic or "")
    except Exception:  # noqa: BLE001 - schwifty may not know every bank's BIC
        bic = ""
    account, _created = BankAccount.objects.update_or_create(
        person=person,
        defaults={
            "holder": holder,
            "iban_encrypted": encrypt(checked.compact),
            "country": checked.country_code,
            "iban_end": checked.compact[-4:],
            "bic": bic[:11],
        },
    )
    return account


def bank_account_erase(person) -> None:
    BankAccount.objects.filter(person=person).delete()


def payout_plan(campaign: Campaign, month: date) -> list[tuple[int, Decimal, BankAccount]]:
    """Who is paid if the month is marked paid now: people owed more than 0 € who gave an
    IBAN, with the amount."""
    owed = {p: a for p, a in owed_at_end_of(campaign, month).items() if a > 0}
    accounts = BankAccount.objects.filter(person_id__in=owed).select_related("person")
    return sorted(((a.person_id, owed[a.person_id], a) for a in accounts), key=lambda item: item[0])


@transaction.atomic
def statement_mark_paid(campaign: Campaign, month: date, *, by) -> Statement:
    month = month.replace(day=1)
    if month > timezone.localdate().replace(day=1):
        raise Conflict(_("A month is paid once it has begun."))
    Campaign.objects.select_for_update().get(pk=campaign.pk)
    statement, _created = Statement.objects.select_for_update().get_or_create(
        campaign=campaign, month=month
    )
    if statement.paid_at is not None:
        raise Conflict(_("This month is already marked paid."))
    Payout.objects.bulk_create(
        Payout(statement=statement, person_id=person, amount=amount, iban_end=account.iban_end)
        for person, amount, account in payout_plan(campaign, month)
    )
    statement.paid_at, statement.paid_by = timezone.now(), by
    statement.save()
    return statement
