"""Text messages (phone verification codes). The backend is a setting, as for e-mail:
`SMS_BACKEND` = "core.sms.FileBackend" (development: appended to `SMS_FILE_PATH`, nothing
leaves the machine), "core.sms.MemoryBackend" (tests: `core.sms.outbox`), or a gateway's
class with a `send(phone, text)` method for production."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

outbox: list[tuple[str, str]] = []


class MemoryBackend:
    def send(self, phone: str, text: str) -> None:
        outbox.append((phone, text))


class FileBackend:
    def send(self, phone: str, text: str) -> None:
        path = Path(getattr(settings, "SMS_FILE_PATH", settings.BASE_DIR / "var" / "sms.log"))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(f"{timezone.now().isoformat()} {phone} {text}\n")


def send(phone: str, text: str) -> None:
    import_string(getattr(settings, "SMS_BACKEND", "core.sms.FileBackend"))().send(phone, text)


def normalise_phone(raw: str) -> str | None:
    """A French or international mobile number in E.164 (+33612345678), or None."""
    digits = re.sub(r"[\s.\-()]", "", raw or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if re.fullmatch(r"0[67]\d{8}", digits):
        digits = "+33" + digits[1:]
    return digits if re.fullmatch(r"\+[1-9]\d{7,14}", digits) else None
