"""Pages of reviews: leave a review after a journey, the reviews about me (answer once, export
them signed), and the territory's public keys that verify the export."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.errors import Conflict
from core.forms import add_errors
from trips.models import Journey

from . import reputation, selectors, services
from .models import Review

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
    subject = selectors.journey_other_side(journey, request.user)
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
    return render(
        request,
        "trust/my_reviews.html",
        {
            "reviews": selectors.reviews_about(request.user),
            "written": selectors.reviews_by(request.user),
            "to_review": selectors.journeys_to_review(request.user),
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
