"""IBANs at rest: checked with schwifty, encrypted with Fernet (AES-128-CBC and HMAC-SHA256,
the `cryptography` library) under the keys of `INCENTIVES_IBAN_KEYS`. The first key encrypts;
every key decrypts, so a key is rotated by putting the new one first, running
`manage.py rotate_iban_keys` (every territory's IBANs re-encrypted under it), then removing the
old one (docs/incentives.md)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty import exceptions as problems

# schwifty's reasons, said to the person.
REASONS = {
    problems.InvalidLength: _("its length does not fit its country"),
    problems.InvalidChecksumDigits: _("its check digits do not match (a typing mistake?)"),
    problems.InvalidCountryCode: _("it does not start with a known country code"),
    problems.InvalidStructure: _("its characters do not fit its country's format"),
    problems.InvalidBBANChecksum: _("the account's own check digits do not match"),
}


def _fernet() -> MultiFernet:
    keys = settings.INCENTIVES_IBAN_KEYS
    if not keys:
        raise ImproperlyConfigured("INCENTIVES_IBAN_KEYS is empty: IBANs cannot be stored.")
    return MultiFernet([Fernet(key) for key in keys])


def iban_checked(text: str) -> IBAN:
    """The IBAN, or ValueError with schwifty's reason."""
    try:
        return IBAN(text)
    except problems.SchwiftyException as exc:
        reason = next((r for kind, r in REASONS.items() if isinstance(exc, kind)), None)
        raise ValueError(str(reason or exc)) from exc


def encrypt(iban: str) -> str:
    return _fernet().encrypt(iban.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured("An IBAN was encrypted under a key no longer given.") from exc


def rotate(token: str) -> str:
    return _fernet().rotate(token.encode()).decode()


def masked(iban_end: str, country: str = "") -> str:
    """« FR76 •••• •••• 1234 »: what is ever shown of an IBAN."""
    return f"{country or '••'}•• •••• •••• {iban_end}"
