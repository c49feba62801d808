"""This app's part of a person's data and of their leaving (tenants/members/signals.py): the
lines they earned and what was paid, the account masked; leaving erases the account (the
ledger stays: the authority's accounts must reconcile, and it holds no IBAN)."""

from .iban import masked
from .models import Payout
from .selectors import bank_account_of, lines_of
from .services.payouts import bank_account_erase


def personal_data(user, **_signal) -> dict:
    account = bank_account_of(user)
    return {
        "incentives": [
            {
                "campaign": line.campaign.name,
                "journey": line.journey_id,
                "journey_at": line.journey_at,
                "role": line.role,
                "kind": line.kind,
                "amount": str(line.amount),
                "explanation": line.explanation,
                "recorded_at": line.created_at,
            }
            for line in lines_of(user)
        ],
        "incentive_payouts": [
            {
                "campaign": p.statement.campaign.name,
                "month": p.statement.month,
                "amount": str(p.amount),
                "account": f"…{p.iban_end}",
            }
            for p in Payout.objects.filter(person=user).select_related("statement__campaign")
        ],
        "bank_account": (
            {"holder": account.holder, "iban": masked(account.iban_end, account.country)}
            if account
            else None
        ),
    }


def member_leaving(user, **_signal) -> None:
    bank_account_erase(user)
