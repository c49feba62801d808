"""The page of a person the structure registered and who can use the site: they ask for trips
themself, and see their requests."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import selectors
from ..forms import RequestForm
from .common import enabled, request_from_form


@login_required
@enabled
def my_requests(request):
    """A person registered by a structure who can use the site asks for trips themself."""
    person = selectors.beneficiary_of_user(request.user)
    if person is None:
        raise Http404
    form = RequestForm(request.POST or None, beneficiary=person)
    if request_from_form(request, form, person):
        messages.success(request, _("Your request is sent: the structure will call you."))
        return redirect("solidarity_my_requests")
    status = 400 if form.errors else 200
    return render(
        request,
        "solidarity/my_requests.html",
        {"person": person, "form": form, "requests": selectors.requests_of_beneficiary(person)},
        status=status,
    )
