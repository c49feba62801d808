"""Pages of trust: leave a review after a journey, the reviews about me (answer once, export
them signed), a person's profile (verified facts and reviews), the territory's public keys;
blocks; reports; the moderation desk (queue, decisions, signals, audit log)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core import blocks
from core.errors import Conflict
from core.forms import add_errors
from core.models import Block
from core.params import object_id
from core.permissions import role_required
from tenants.members.models import Membership, Role
from trips.models import Journey

from . import moderation, reputation, rules, services
from .models import AuditEntry, Report, ReportReason, Review, Sanction

YES_NO = [("", gettext_lazy("Not said")), ("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


def _fact(label):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


class ReviewForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your review"),
        max_length=Review.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("A few words for the people who will travel with them."),
    )
    on_time = _fact(gettext_lazy("On time"))
    as_described = _fact(gettext_lazy("As described"))
    safe_driving = _fact(gettext_lazy("Safe driving"))

    def __init__(self, *args, about_driver: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not about_driver:
            del self.fields["safe_driving"]


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Your answer (once)"),
        max_length=Review.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@login_required
def review_new(request, pk: int):
    journey = get_object_or_404(Journey.objects.select_related("driver", "passenger"), pk=pk)
    subject = services.other_side(journey, request.user)
    if subject is None:
        raise Http404  # a journey one did not take does not exist for them
    about_driver = subject.pk == journey.driver_id
    form = ReviewForm(request.POST or None, about_driver=about_driver)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.review_write(
                    journey,
                    request.user,
                    text=data["text"],
                    facts={name: data.get(name) for name in services.FACTS},
                )
            except ValidationError as exc:
                add_errors(form, exc)
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect("my_reviews")
            else:
                messages.success(request, _("Thank you: your review is published."))
                return redirect("my_reviews")
        status = 400
    return render(
        request,
        "trust/review_form.html",
        {"form": form, "journey": journey, "subject": subject},
        status=status,
    )


@login_required
def my_reviews(request):
    about_me = Review.objects.filter(subject=request.user, hidden_at__isnull=True).select_related(
        "author", "journey"
    )
    return render(
        request,
        "trust/my_reviews.html",
        {
            "reviews": about_me,
            "written": Review.objects.filter(author=request.user).select_related(
                "subject", "journey"
            ),
            "to_review": services.to_review(request.user),
            "answer_form": AnswerForm(),
        },
    )


@require_POST
@login_required
def review_answer(request, pk: int):
    review = get_object_or_404(Review, pk=pk, subject=request.user)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.review_answer(review, request.user, form.cleaned_data["answer"])
        except (Conflict, ValidationError) as exc:
            text = exc.message if isinstance(exc, Conflict) else " ".join(exc.messages)
            messages.error(request, text)
        else:
            messages.success(request, _("Your answer is published."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("my_reviews")


def issuer(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_GET
@login_required
def reputation_export(request):
    document = reputation.reputation_document(request.user, issuer(request))
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="reputation.json"'
    return response


@require_GET
def jwks(request):
    response = JsonResponse(reputation.jwks())
    response["Access-Control-Allow-Origin"] = "*"  # public keys, for any verifier
    return response


@login_required
def profile(request, pk: int):
    """A member of this territory as others see them: verified facts and reviews."""
    if not Membership.objects.filter(user_id=pk).exists():
        raise Http404
    person = get_object_or_404(get_user_model(), pk=pk, deleted_at__isnull=True)
    return render(
        request,
        "trust/profile.html",
        {
            "person": person,
            "facts": services.verified_facts(person),
            "blocked": blocks.between(request.user, person),
            "reviews": Review.objects.filter(subject=person, hidden_at__isnull=True).select_related(
                "journey"
            ),
        },
    )


# --- blocks --------------------------------------------------------------------------------
@require_POST
@login_required
def block_person(request, pk: int):
    other = get_object_or_404(get_user_model(), pk=pk)
    if not Membership.objects.filter(user=other).exists():
        raise Http404  # only the members of this territory are found from here
    try:
        blocks.block(request.user, other)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("my_blocks")
    messages.success(
        request,
        _(
            "%(name)s is blocked: in every territory of the archipel you no longer "
            "see each other's rides, book them or write to each other."
        )
        % {"name": other.display_name},
    )
    return redirect("my_blocks")


@login_required
def my_blocks(request):
    if request.method == "POST":
        person = object_id(request.POST.get("person"))
        if person and blocks.unblock(request.user, person):
            messages.success(request, _("Unblocked."))
        return redirect("my_blocks")
    blocked = Block.objects.filter(blocker=request.user).select_related("blocked")
    return render(request, "trust/blocks.html", {"blocked": blocked})


# --- reports -------------------------------------------------------------------------------
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
    found = moderation.report_subject(
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
    return render(
        request,
        "trust/my_reports.html",
        {"reports": Report.objects.filter(reporter=request.user).select_related("reported")},
    )


# --- the moderation desk -------------------------------------------------------------------
MODERATORS = (Role.TERRITORY_ADMIN, Role.MODERATOR)


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
    try:
        moderation.decide(
            request.user,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
            days=form.cleaned_data.get("days"),
            **target,
        )
    except ValidationError as exc:
        add_errors(form, exc)
        return False
    except Conflict as exc:
        form.add_error(None, exc.message)
        return False
    messages.success(request, _("Decision recorded; the people concerned are told."))
    return True


@role_required(*MODERATORS)
def desk(request):
    return render(
        request,
        "trust/desk.html",
        {
            "open_reports": Report.objects.filter(status=Report.Status.OPEN).select_related(
                "reporter", "reported", "offer"
            ),
            "decided": Report.objects.exclude(status=Report.Status.OPEN).select_related("reported")[
                :20
            ],
            "signals": rules.signals(),
            "sanctions": Sanction.objects.filter(lifted_at__isnull=True)
            .filter(Q(kind=Sanction.Kind.BAN) | Q(kind=Sanction.Kind.SUSPENSION, until__gt=now()))
            .select_related("user"),
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
    return render(
        request,
        "trust/moderation_report.html",
        {
            "report": report,
            "form": form,
            "history": Report.objects.filter(reported=report.reported).exclude(pk=report.pk)[:10],
            "sanctions": Sanction.objects.filter(user=report.reported),
            "person_signals": [s for s in rules.signals() if s.user_id == report.reported_id],
        },
        status=400 if form.errors else 200,
    )


@role_required(*MODERATORS)
def moderation_person(request, pk: int):
    """Act on a person directly (from a signal), without a report."""
    person = get_object_or_404(get_user_model(), pk=pk)
    form = DecisionForm(request.POST or None, about_ride=False)
    form.fields["action"].choices = [
        c for c in form.fields["action"].choices if c[0] != moderation.Action.DISMISS
    ]
    if request.method == "POST" and _decide(request, form, user=person):
        return redirect("moderation_desk")
    return render(
        request,
        "trust/moderation_person.html",
        {
            "person": person,
            "form": form,
            "person_signals": [s for s in rules.signals() if s.user_id == person.pk],
            "sanctions": Sanction.objects.filter(user=person),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(*MODERATORS)
def sanction_lift(request, pk: int):
    sanction = get_object_or_404(Sanction, pk=pk)
    try:
        moderation.lift(request.user, sanction, request.POST.get("reason", ""))
    except (ValidationError, Conflict) as exc:
        text = exc.message if isinstance(exc, Conflict) else " ".join(exc.messages)
        messages.error(request, text)
    else:
        messages.success(request, _("The measure is lifted."))
    return redirect("moderation_desk")


@role_required(*MODERATORS)
def audit_log(request):
    entries = AuditEntry.objects.select_related("actor", "target_user")[:500]
    return render(request, "trust/audit_log.html", {"entries": entries})


# --- the charter ---------------------------------------------------------------------------
DEFAULT_CHARTER = gettext_lazy(
    "Carpooling here is sharing costs, not earning money: the price per kilometre is the "
    "territory's, with no commission.\n\n"
    "Be on time, or tell the other side as early as you can; cancel only when you must.\n\n"
    "Respect the people you travel with: no insult, harassment or discrimination. Drive "
    "safely and within the law.\n\n"
    "Publish only the rides you really drive, with true information.\n\n"
    "Report what goes wrong: the territory's moderators examine every report and may warn, "
    "suspend or ban a member; every decision has a reason, written in a log."
)


def charter_text() -> str:
    from themes.services import settings_get

    return settings_get().charter.strip() or str(DEFAULT_CHARTER)


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
    from themes.services import settings_get

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
