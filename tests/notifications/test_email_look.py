"""E-mails wear the territory's look: an HTML part drawn from the text part (which stays as it
was), with the territory's name on a band of its primary colour and the link as a button —
for the notifications through the outbox and for allauth's account mails alike."""

import re

from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django_tenants.utils import schema_context

from core.mail import mail_look, with_html
from notifications.services import email
from themes.selectors import theme_get


def _brand(cast, colour: str, name: str) -> None:
    with schema_context(cast.territory.schema_name):
        theme = theme_get()
        theme.primary_colour, theme.display_name = colour, name
        theme.save()


def _html(message) -> str:
    [html] = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    return html


def test_a_notification_mail_has_an_html_part_in_the_territorys_look(
    alpha, in_alpha, django_capture_on_commit_callbacks
):
    _brand(alpha, "#7a1f3d", "Escaldes en commun")
    mail.outbox.clear()
    lines = ["Camille demande une place : samedi à 9 h.", "Répondez-lui vite !"]
    with django_capture_on_commit_callbacks(execute=True):
        email(in_alpha["driver"], "Nouvelle demande", lines, "/my-trips/")
    [message] = mail.outbox
    link = "http://alpha.localhost/my-trips/"
    assert message.body == "\n\n".join([*lines, link])  # the text part as before
    html = _html(message)
    assert "Escaldes en commun" in html and "background:#7a1f3d" in html
    assert f'href="{link}"' in html and "Ouvrir sur Escaldes en commun" in html
    assert "place\u00a0: samedi" in html and "vite\u202f!" in html  # French spacing
    assert "<" not in message.body


def test_allauths_mails_have_the_html_part_too(alpha):
    _brand(alpha, "#1d6b3a", "Encamp Mobilité")
    client = Client(HTTP_HOST=alpha.host)
    mail.outbox.clear()
    client.post("/accounts/password/reset/", {"email": alpha.email("citizen")})
    [message] = mail.outbox
    link = re.search(r"http://alpha\.localhost/accounts/password/reset/key/[^\s]+/", message.body)
    assert link and "<" not in message.body  # the text part: allauth's own, with its link
    html = _html(message)
    assert "Encamp Mobilité" in html and "background:#1d6b3a" in html
    assert f'href="{link.group(0)}"' in html


def test_the_html_part_never_costs_the_mail(alpha, in_alpha):
    def broken(**kwargs):
        raise RuntimeError("the theme cannot be read")

    mail_look.connect(broken, dispatch_uid="tests.broken_look")
    try:
        message = with_html(EmailMultiAlternatives("Objet", "Texte", None, ["a@b.c"]))
    finally:
        mail_look.disconnect(dispatch_uid="tests.broken_look")
    assert message.alternatives == [] and message.body == "Texte"


def test_on_the_public_site_mails_wear_archipels_look(archipel, db):
    message = with_html(EmailMultiAlternatives("Objet", "Texte", None, ["a@b.c"]))
    html = _html(message)
    assert "Archipel" in html and "background:#1f5f8b" in html
