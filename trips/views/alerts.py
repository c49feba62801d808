"""A passenger's alerts (saved searches): the list, saving one, deleting one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.forms import add_errors

from ..alerts import alert_cancel, alert_create, alerts_page_rows
from ..forms import AlertForm
from ..models import Alert


@login_required
def alert_list(request):
    """The person's alerts and the form to save one (filled from a search's link)."""
    if request.method == "POST":
        form = AlertForm(request.POST)
        if form.is_valid():
            try:
                alert_create(passenger=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, _("Alert saved: you will be told when a matching ride is published.")
                )
                return redirect("alerts")
    else:
        form = AlertForm.from_search(request.GET)
    return render(
        request,
        "trips/alerts.html",
        {"form": form, "alerts": alerts_page_rows(request.user)},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def alert_delete(request, pk: int):
    alert = get_object_or_404(Alert, pk=pk, passenger=request.user, cancelled_at__isnull=True)
    alert_cancel(alert, by=request.user)
    messages.success(request, _("Alert deleted."))
    return redirect("alerts")
