"""allauth's words that our pages show and that read badly in French, reworded in our own
catalogue (Django reads the project's catalogue before the apps'): the e-mail field of the
sign-in and sign-up forms was « Courriel » where every other page says « adresse e-mail »."""

from django.utils.translation import gettext_noop

REWORDED = (
    gettext_noop("Email"),  # allauth's e-mail field
)
