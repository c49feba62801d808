"""The notifications page: the feed (newest first; opening it marks everything read) and the
per-kind e-mail choices."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors, services
from .models import Kind

SHOWN = 100


class EmailChoicesForm(forms.Form):
    by_email = forms.MultipleChoiceField(
        label=gettext_lazy("Also send me an e-mail when…"),
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


@login_required
def feed(request):
    if request.method == "POST":
        form = EmailChoicesForm(request.POST)
        if form.is_valid():
            services.email_choices_set(request.user, set(form.cleaned_data["by_email"]))
            messages.success(request, _("Your e-mail choices are saved."))
            return redirect("notifications")
    else:
        chosen = selectors.email_choices(request.user)
        form = EmailChoicesForm(initial={"by_email": [k for k, on in chosen.items() if on]})
    notes = list(selectors.notifications_of(request.user, SHOWN))
    services.notifications_mark_read(request.user, [n.pk for n in notes if n.read_at is None])
    return render(
        request,
        "notifications/feed.html",
        {"notes": notes, "form": form, "unread_notifications": 0},
        status=400 if form.errors else 200,
    )
