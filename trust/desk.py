"""Pages of the moderation desk (territory admins and moderators): the queue of reports, the
signals and the measures in force; a decision on a report or directly on a person; lifting a
measure; the audit log."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.forms import add_errors
from core.permissions import role_required
from tenants.members.models import Role

from . import moderation, rules, selectors
from .models import Report, Sanction

MODERATORS = (Role.TERRITORY_ADMIN, Role.MODERATOR)

# The service of each decision posted on the desk.
DECISIONS = {
    moderation.Action.DISMISS: moderation.report_dismiss,
    moderation.Action.WARN: moderation.member_warn,
    moderation.Action.HIDE_RIDE: moderation.ride_hide,
    moderation.Action.SUSPEND: moderation.member_suspend,
    moderation.Action.BAN: moderation.member_ban,
}


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=moderation.Action.CHOICES, widget=forms.RadioSelect
    )
    days = forms.IntegerField(
        label=gettext_lazy("Days of suspension"),
        required=False,
        min_value=1,
        max_value=moderation.MAX_SUSPENSION_DAYS,
        initial=30,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (told to the person, kept in the log)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, about_ride: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (value, label)
            for value, label in moderation.Action.CHOICES
            if about_ride or value != moderation.Action.HIDE_RIDE
        ]
        self.fields["action"].choices = choices


def _decide(request, form, **target) -> bool:
    if not form.is_valid():
        return False
    action = form.cleaned_data["action"]
    if action == moderation.Action.SUSPEND:
        target["days"] = form.cleaned_data.get("days")
    try:
        DECISIONS[action](request.user, reason=form.cleaned_data["reason"], **target)
    except ValidationError as exc:
        add_errors(form, exc)
        return False
    except Conflict as exc:
        form.add_error(None, exc.message)
        return False
    messages.success(request, _("Decision recorded; the people concerned are told."))
    return True


def _decision_page(request, template: str, form, about, **context):
    """A decision's page: its form, and what the desk knows of the person (signals, earlier
    measures); 400 when the decision posted was refused."""
    context.update(
        form=form,
        person_signals=rules.patterns_of(about.pk),
        sanctions=selectors.sanctions_of(about),
    )
    return render(request, template, context, status=400 if form.errors else 200)


@role_required(*MODERATORS)
def desk(request):
    open_reports = Paginator(selectors.reports_open(), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "trust/desk.html",
        {
            "open_reports": open_reports,
            "page": open_reports,
            "decided": selectors.reports_decided(),
            "signals": rules.patterns_found(),
            "sanctions": selectors.sanctions_in_force(),
        },
    )


@role_required(*MODERATORS)
def moderation_report(request, pk: int):
    report = get_object_or_404(
        Report.objects.select_related("reporter", "reported", "offer", "message"), pk=pk
    )
    form = DecisionForm(request.POST or None, about_ride=report.offer_id is not None)
    if request.method == "POST" and _decide(request, form, report=report):
        return redirect("moderation_desk")
    history = selectors.reports_earlier(report)
    return _decision_page(
        request,
        "trust/moderation_report.html",
        form,
        report.reported,
        report=report,
        history=history,
    )


@role_required(*MODERATORS)
def moderation_person(request, pk: int):
    """Act on a person directly (from a signal), without a report."""
    person = selectors.person_known_here(pk)
    if person is None:  # not a member here: as unknown as an id that does not exist
        raise Http404
    form = DecisionForm(request.POST or None, about_ride=False)
    form.fields["action"].choices = [
        c for c in form.fields["action"].choices if c[0] != moderation.Action.DISMISS
    ]
    if request.method == "POST" and _decide(request, form, user=person):
        return redirect("moderation_desk")
    return _decision_page(request, "trust/moderation_person.html", form, person, person=person)


@require_POST
@role_required(*MODERATORS)
def sanction_lift(request, pk: int):
    sanction = get_object_or_404(Sanction, pk=pk)
    try:
        moderation.sanction_lift(request.user, sanction, request.POST.get("reason", ""))
    except (ValidationError, Conflict) as exc:
        text = exc.message if isinstance(exc, Conflict) else " ".join(exc.messages)
        messages.error(request, text)
    else:
        messages.success(request, _("The measure is lifted."))
    return redirect("moderation_desk")


@role_required(*MODERATORS)
def audit_log(request):
    page = Paginator(selectors.audit_entries(), 50).get_page(request.GET.get("page"))
    return render(request, "trust/audit_log.html", {"entries": page, "page": page})
