"""The notifications page: the feed (newest first; opening it marks everything read) and the
per-kind e-mail choices."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.permissions import role_required
from tenants.members.models import Role

from . import outbox, selectors, services
from .models import Delivery, Kind

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
    page = Paginator(selectors.notifications_of(request.user), SHOWN).get_page(
        request.GET.get("page")
    )
    notes = list(page)
    marked = services.notifications_mark_read(
        request.user, [n.pk for n in notes if n.read_at is None]
    )
    return render(
        request,
        "notifications/feed.html",
        {"notes": notes, "page": page, "form": form, "marked": marked, "unread_notifications": 0},
        status=400 if form.errors else 200,
    )


@role_required(Role.TERRITORY_ADMIN)
def deliveries(request):
    """The outbox seen by the territory's admin: what waits for a retry, what was given up
    (with the last error), and a button to send a given-up row again."""
    if request.method == "POST":
        wanted = request.POST.get("retry", "")
        row = get_object_or_404(Delivery, pk=int(wanted) if wanted.isdecimal() else 0)
        outbox.delivery_retry(row)
        messages.success(request, _("Sent again."))
        return redirect("deliveries")
    rows = [(row, outbox.kind_label(row.kind)) for row in selectors.deliveries_to_watch()]
    summary = selectors.deliveries_summary(timezone.now() - timedelta(days=1))
    return render(request, "notifications/deliveries.html", {"rows": rows, "summary": summary})
