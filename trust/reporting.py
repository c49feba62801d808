"""Pages of reports: report a person (from their profile), a ride or a message, and follow
one's reports."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import Conflict
from core.forms import add_errors
from core.params import object_id

from . import moderation, selectors
from .models import ReportReason


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"), choices=ReportReason.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=gettext_lazy("What happened"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _reported_things(request):
    """The person, ride and message a report is about, from the query (or the form)."""
    source = request.POST if request.method == "POST" else request.GET
    found = selectors.report_subject(
        request.user,
        person_id=object_id(source.get("person")),
        offer_id=object_id(source.get("offer")),
        message_id=object_id(source.get("message")),
    )
    if found is None:
        raise Http404
    return found


@login_required
def report_new(request):
    person, offer, message = _reported_things(request)
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                moderation.report_make(
                    request.user,
                    reported=person,
                    reason=form.cleaned_data["reason"],
                    text=form.cleaned_data["text"],
                    offer=offer,
                    message=message,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "Thank you. The territory's moderators will examine your "
                        "report; you will be told what they decide."
                    ),
                )
                return redirect("my_reports")
        status = 400
    return render(
        request,
        "trust/report_form.html",
        {"form": form, "person": person, "offer": offer, "message": message},
        status=status,
    )


@login_required
def my_reports(request):
    return render(request, "trust/my_reports.html", {"reports": selectors.reports_by(request.user)})
