"""E-mails handed to a directory (`EMAIL_FILE_PATH`: the demo's and the tests' mail sink, or a
spool a relay reads), one file per message, named by its Message-ID and created at once and
whole: a message handed over again is recognised and not written twice.

A message is handed over again when the process that sent it died, or lost its database, after
writing it and before the outbox recorded it as sent (notifications.outbox: the row stays
pending and is delivered again with the same key, which is the Message-ID). Django's file
backend appends every message to a file of its own and cannot tell; this one writes the message
to a temporary name, then links it to its final name — the link fails if that name is taken.

Over SMTP (production) the relay cannot be asked whether it already has a message: the same
retry can reach it twice, with the same Message-ID, which mail clients collapse
(docs/operations.md)."""

from __future__ import annotations

import logging
import os
import re
import uuid

from django.core.mail.backends import filebased

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+=-]")


def file_name(message_id: str) -> str:
    """The file a Message-ID is kept in: its characters outside a safe set replaced, so that
    no header can name a path outside the directory."""
    return _UNSAFE.sub("_", message_id.strip().strip("<>"))[:200] + ".log"


class EmailBackend(filebased.EmailBackend):
    def send_messages(self, email_messages) -> int:
        handed = 0
        for email_message in email_messages:
            if not email_message.recipients():
                continue
            message = email_message.message()  # adds a Message-ID when the sender gave none
            path = os.path.join(self.file_path, file_name(message["Message-ID"]))
            temporary = f"{path}.{uuid.uuid4().hex}.part"
            with open(temporary, "wb") as stream:
                stream.write(message.as_bytes() + b"\n")
                stream.flush()
                os.fsync(stream.fileno())
            try:
                os.link(temporary, path)
            except FileExistsError:
                log.warning("mail: %s was already handed over, not written again", path)
            finally:
                os.unlink(temporary)
            handed += 1
        return handed
