"""E-mails in the territory's look: the text part exactly as written, and an HTML alternative
drawn from it by one template (`core/templates/email/base.html`): the territory's name on a
band of its primary colour, the paragraphs with French spacing, a link standing alone in its
paragraph shown as a button. Inline styles: the CSP does not apply to mail.

The look is the theme's, and themes stand above core: `mail_look` asks it (themes connects
the receiver), and without an answer (the public site) the mail wears Archipel's colours."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.utils import translation

log = logging.getLogger(__name__)

# Sent with no argument; a receiver returns {"site_name", "primary", "on_primary"} of the
# current territory, or None.
mail_look = Signal()
ARCHIPEL_LOOK = {"site_name": "Archipel", "primary": "#1f5f8b", "on_primary": "#ffffff"}
_URL_ALONE = re.compile(r"^https?://\S+$")
_NBSP, _NNBSP = "\u00a0", "\u202f"


def look() -> dict:
    for _receiver, answer in mail_look.send(sender=None):
        if answer:
            return answer
    return ARCHIPEL_LOOK


def french_spacing(text: str) -> str:
    """The no-break spaces of French typography: before a colon (a no-break space), before
    ; ! ? and inside « » (narrow ones); an existing space is replaced, none is added in a URL."""
    text = re.sub(r"[ \u00a0\u202f]+:(?=\s|$)", _NBSP + ":", text)
    text = re.sub(r"(?<=\w)[ \u00a0]*([;!?])(?=\s|$)", _NNBSP + r"\1", text)
    text = re.sub(r"«[ \u00a0]*", "«" + _NNBSP, text)
    return re.sub(r"[ \u00a0]*»", _NNBSP + "»", text)


def _blocks(text: str, french: bool) -> list[dict]:
    blocks = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        if _URL_ALONE.match(paragraph):
            blocks.append({"link": paragraph})
        else:
            spaced = french_spacing(paragraph) if french else paragraph
            blocks.append({"lines": spaced.split("\n")})
    return blocks


def html_from_text(subject: str, text: str) -> str:
    """The HTML part of a mail whose text part is `text`, in the current territory's look."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    french = language.startswith("fr")
    context = {
        "look": look(),
        "subject": french_spacing(subject) if french else subject,
        "blocks": _blocks(text, french),
        "language": language,
    }
    return render_to_string("email/base.html", context)


def with_html(message: EmailMultiAlternatives) -> EmailMultiAlternatives:
    """Add the HTML part to a text message (once). Drawing it must never cost the mail: on any
    failure the message leaves as text only."""
    if any(mimetype == "text/html" for _content, mimetype in message.alternatives):
        return message
    try:
        message.attach_alternative(html_from_text(message.subject, message.body), "text/html")
    except Exception:
        log.exception("mail: the HTML part could not be drawn; sent as text only")
    return message
