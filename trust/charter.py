"""Pages of the charter: the territory's rules as members read them, and as moderators edit
them (empty: the default text)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core.permissions import role_required
from themes.selectors import settings_get

from . import moderation
from .desk import MODERATORS
from .selectors import DEFAULT_CHARTER, charter_text


@require_GET
def charter(request):
    return render(request, "trust/charter.html", {"charter": charter_text()})


class CharterForm(forms.Form):
    charter = forms.CharField(
        label=gettext_lazy("Charter"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=gettext_lazy("Empty: the default charter. Members accept it when they join."),
    )


@role_required(*MODERATORS)
def charter_edit(request):
    current = settings_get()
    form = CharterForm(request.POST or None, initial={"charter": current.charter})
    if request.method == "POST" and form.is_valid():
        moderation.charter_update(request.user, form.cleaned_data["charter"])
        messages.success(request, _("Charter saved."))
        return redirect("charter")
    return render(
        request,
        "trust/charter_edit.html",
        {"form": form, "default": DEFAULT_CHARTER},
        status=400 if form.errors else 200,
    )
