"""The consent screen: someone with an account elsewhere in the archipel joins this territory
by accepting its charter — unless they are banned here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.http import safe_next
from tenants.members.services import membership_join

from .selectors import ban_in_force, charter_text


@login_required
@require_http_methods(["GET", "POST"])
def join(request):
    """Consent screen for someone who already has an account elsewhere in the archipel."""
    if request.membership is not None:
        return redirect(safe_next(request))
    if ban_in_force(request.user):
        return render(request, "trust/cannot_join.html", status=403)
    error = ""
    if request.method == "POST":
        if request.POST.get("decision") == "accept":
            if request.POST.get("charter") == "on":
                membership_join(request.user)
                messages.success(request, _("Welcome! You are now a member of this territory."))
                return redirect(safe_next(request))
            error = _("To join, accept the charter.")
        else:  # she goes on browsing as a visitor; joining is asked again when she acts
            messages.info(
                request,
                _(
                    "You did not join this territory. You can still look for rides here; "
                    "joining will be offered again when you book or publish."
                ),
            )
            return redirect("/")
    return render(
        request,
        "trust/join.html",
        {
            "next": safe_next(request),
            # Sent here by an action (booking, publishing…), not by signing in on the home page.
            "to_act": safe_next(request) not in ("", "/"),
            "charter": charter_text(),
            "error": error,
        },
        status=400 if error else 200,
    )
