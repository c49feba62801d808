"""A campaign's monthly statement: every ledger line recorded in the month (journeys, amounts,
reversals) with totals that are the ledger's own sums, then who is paid — as CSV and XLSX
(openpyxl) — and the SEPA credit-transfer file (pain.001.001.03, built and checked against
its XSD by sepaxml). The files never carry an IBAN in full except the transfer file."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from sepaxml import SepaTransfer

from .iban import decrypt, masked
from .models import BankAccount, Campaign, Line
from .selectors import statement_find, statement_lines
from .services.payouts import payout_plan

SCHEMA = "pain.001.001.03"


@dataclass(frozen=True)
class Payment:
    person_id: int
    name: str
    amount: Decimal
    account: BankAccount


@dataclass(frozen=True)
class StatementData:
    campaign: Campaign
    month: date
    lines: list[Line]
    totals: dict[str, Decimal]
    payments: list[Payment]
    paid_at: object

    @property
    def to_pay(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal(0))


def _name(user) -> str:
    return user.get_full_name()


def statement_data(campaign: Campaign, month: date) -> StatementData:
    month = month.replace(day=1)
    lines = list(statement_lines(campaign, month))
    totals = {kind: Decimal(0) for kind in Line.Kind.values}
    for line in lines:
        totals[line.kind] += line.amount
    totals["net"] = sum(totals.values(), Decimal(0))
    statement = statement_find(campaign, month)
    if statement is not None and statement.paid_at is not None:
        payouts = statement.payouts.select_related("person")
        accounts = {
            a.person_id: a
            for a in BankAccount.objects.filter(person_id__in=[p.person_id for p in payouts])
        }
        payments = [
            Payment(p.person_id, _name(p.person), p.amount, accounts.get(p.person_id))
            for p in payouts
        ]
        paid_at = statement.paid_at
    else:
        payments = [
            Payment(person, _name(account.person), amount, account)
            for person, amount, account in payout_plan(campaign, month)
        ]
        paid_at = None
    return StatementData(campaign, month, lines, totals, payments, paid_at)


def _rows(data: StatementData) -> list[list]:
    header = [
        _("recorded"),
        _("journey"),
        _("journey date"),
        _("person"),
        _("name"),
        _("role"),
        _("line"),
        _("amount (€)"),
        _("explanation"),
    ]
    rows = [header]
    for line in data.lines:
        rows.append(
            [
                timezone.localtime(line.created_at).strftime("%Y-%m-%d %H:%M"),
                line.journey_id,
                timezone.localtime(line.journey_at).strftime("%Y-%m-%d %H:%M"),
                line.person_id,
                _name(line.person),
                line.get_role_display(),
                line.get_kind_display(),
                line.amount,
                line.explanation,
            ]
        )
    rows.append([])
    for kind, label in Line.Kind.choices:
        rows.append(["", "", "", "", "", "", str(label), data.totals[kind], _("total")])
    rows.append(["", "", "", "", "", "", _("net"), data.totals["net"], _("total of the lines")])
    rows.append([])
    rows.append([_("payments"), "", "", _("person"), _("name"), _("account"), "", _("amount (€)")])
    for p in data.payments:
        account = masked(p.account.iban_end, p.account.country) if p.account else ""
        rows.append(["", "", "", p.person_id, p.name, account, "", p.amount])
    rows.append(["", "", "", "", "", "", _("to pay"), data.to_pay, str(len(data.payments))])
    return rows


def statement_csv(data: StatementData) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for row in _rows(data):
        writer.writerow([str(v).replace(".", ",") if isinstance(v, Decimal) else v for v in row])
    return ("\ufeff" + out.getvalue()).encode()  # a BOM: spreadsheets read it as UTF-8


def statement_xlsx(data: StatementData) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = data.month.strftime("%Y-%m")
    for row in _rows(data):
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class NotPayable(ValueError):
    pass


def statement_sepa(data: StatementData, execution: date | None = None) -> bytes:
    """The credit transfers of the statement's payments, from the funder's account."""
    campaign = data.campaign
    if not campaign.funder_iban:
        raise NotPayable(_("Give the funder's IBAN in the campaign first."))
    if not data.payments:
        raise NotPayable(_("Nobody is to be paid for this month."))
    config = {
        "name": campaign.funder_name,
        "IBAN": campaign.funder_iban.replace(" ", ""),
        "batch": True,
        "currency": "EUR",
    }
    if campaign.funder_bic:
        config["BIC"] = campaign.funder_bic
    transfer = SepaTransfer(config, schema=SCHEMA, clean=True)
    when = execution or timezone.localdate()
    for p in data.payments:
        if p.account is None:
            raise NotPayable(_("A person paid has removed their account."))
        try:
            iban = decrypt(p.account.iban_encrypted)
        except ImproperlyConfigured as exc:
            raise NotPayable(str(exc)) from exc
        payment = {
            "name": p.account.holder,
            "IBAN": iban,
            "amount": int(p.amount * 100),
            "execution_date": when,
            "description": f"{campaign.name} {data.month:%m/%Y}"[:140],
            "endtoend_id": f"ARCH{campaign.pk}M{data.month:%Y%m}P{p.person_id}"[:35],
        }
        if p.account.bic:
            payment["BIC"] = p.account.bic
        transfer.add_payment(payment)
    return transfer.export(validate=True)
