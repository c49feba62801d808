"""Verifying a phone number: a 6-digit code sent by text message (core.sms), valid 10
minutes, 5 tries; 3 codes an hour at most. Only its hash is kept, in the cache."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import ratelimit, sms

CODE_TTL_S = 600
TRIES = 5
SENDS_PER_HOUR = 3


def _key(user) -> str:
    return f"phone-code:{user.pk}"


def _digest(code: str, phone: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{phone}:{code}".encode()).hexdigest()


def code_send(user, phone: str) -> bool:
    """Send a new code to `phone`; False when the hourly limit is reached."""
    if ratelimit.hit(f"phone-code-{user.pk}", 3600, fail_open=False) > SENDS_PER_HOUR:
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(_key(user), {"phone": phone, "digest": _digest(code, phone)}, CODE_TTL_S)
    cache.set(_tries_key(user), 0, CODE_TTL_S)
    sms.send(phone, _("Your Archipel code: %(code)s (valid 10 minutes).") % {"code": code})
    return True


def _tries_key(user) -> str:
    return f"phone-code-tries:{user.pk}"


def code_check(user, code: str) -> bool:
    pending = cache.get(_key(user))
    if pending is None:
        return False
    # Counted atomically before comparing: parallel guesses cannot share one try, and the
    # code keeps the expiry it was sent with.
    try:
        tries = cache.incr(_tries_key(user))
    except ValueError:  # the counter expired with the code
        return False
    if tries > TRIES:
        return False
    if not hmac.compare_digest(pending["digest"], _digest(code.strip(), pending["phone"])):
        return False
    cache.delete_many([_key(user), _tries_key(user)])
    user.phone, user.phone_verified_at = pending["phone"], timezone.now()
    user.save(update_fields=["phone", "phone_verified_at"])
    return True


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Mobile phone number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=gettext_lazy("We send it a code by text message. e.g. 06 12 34 56 78"),
    )

    def clean_phone(self):
        phone = sms.normalise_phone(self.cleaned_data["phone"])
        if phone is None:
            raise forms.ValidationError(_("This is not a mobile phone number."))
        return phone


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("Code received"),
        regex=r"^\s*\d{6}\s*$",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"invalid": gettext_lazy("The code has 6 digits.")},
    )


@login_required
def phone_verify(request):
    phone_form, code_form = PhoneForm(), CodeForm()
    status = 200
    if request.method == "POST" and "phone" in request.POST:
        phone_form = PhoneForm(request.POST)
        if phone_form.is_valid():
            if code_send(request.user, phone_form.cleaned_data["phone"]):
                messages.success(request, _("A code was sent by text message."))
                return redirect("phone_verify")
            phone_form.add_error(None, _("Too many codes sent: try again in an hour."))
        status = 400
    elif request.method == "POST":
        code_form = CodeForm(request.POST)
        if code_form.is_valid() and code_check(request.user, code_form.cleaned_data["code"]):
            messages.success(request, _("Your phone number is verified."))
            return redirect("my_reviews")
        if code_form.is_valid():
            code_form.add_error("code", _("Wrong or expired code."))
        status = 400
    return render(
        request,
        "trust/phone.html",
        {
            "phone_form": phone_form,
            "code_form": code_form,
            "waiting": cache.get(_key(request.user)) is not None,
        },
        status=status,
    )
