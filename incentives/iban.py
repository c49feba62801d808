"""IBANs at rest: checked with schwifty, encrypted with Fernet (AES-128-CBC and HMAC-SHA256,
the `cryptography` library) under the keys of `INCENTIVES_IBAN_KEYS`. The first key encrypts;
every key decrypts, so a key is rotated by putting the new one first, running
`manage.py rotate_iban_keys` (every territory's IBANs re-encrypted under it), then removing the
old one (docs/incentives.md)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException


def _fernet() -> MultiFernet:
    keys = settings.INCENTIVES_IBAN_KEYS
    if not keys:
        raise ImproperlyConfigured("INCENTIVES_IBAN_KEYS is empty: IBANs cannot be stored.")
    return MultiFernet([Fernet(key) for key in keys])


def iban_checked(text: str) -> IBAN:
    """The IBAN, or ValueError with schwifty's reason."""
    try:
        return IBAN(text)
    except SchwiftyException as exc:
        raise ValueError(str(exc)) from exc


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
