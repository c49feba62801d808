"""The search page (home): rides from → to around a time, with links to book one and to save
the search as an alert."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from core.errors import Conflict
from core.forms import add_errors
from matching.network import Place
from tenants.selectors import site_url

from ..forms import SearchForm
from ..selectors import offers_matching
from ..services.searches import search_logged


def _place_params(prefix: str, place: Place) -> dict:
    return {f"{prefix}_0": place.label, f"{prefix}_1": place.lon, f"{prefix}_2": place.lat}


@require_GET
def home(request):
    form = SearchForm(request.GET or None)
    matches, searched = [], False
    if form.is_bound and form.is_valid():
        searched = True
        start, end = form.window_bounds()
        try:
            matches = offers_matching(
                pickup=form.cleaned_data["origin"],
                dropoff=form.cleaned_data["destination"],
                window_start=start,
                window_end=end,
                seats=form.cleaned_data["seats"],
                federated=True,
                viewer=request.user,
            )
            search_logged(form.cleaned_data["origin"], form.cleaned_data["destination"], matches)
        except ValidationError as exc:
            add_errors(form, exc)
            searched = False
        except Conflict as exc:
            messages.error(request, exc.message)
            searched = False
    book_query = alert_query = ""
    if searched:
        start, end = form.window_bounds()
        alert_query = urlencode(
            {
                **_place_params("origin", form.cleaned_data["origin"]),
                **_place_params("destination", form.cleaned_data["destination"]),
                "day": timezone.localtime(start).weekday(),
                "earliest": f"{timezone.localtime(start):%H:%M}",
                "latest": f"{timezone.localtime(end):%H:%M}",
                "seats": form.cleaned_data["seats"],
            }
        )
        book_query = urlencode(
            {
                **_place_params("pickup", form.cleaned_data["origin"]),
                **_place_params("dropoff", form.cleaned_data["destination"]),
                "seats": form.cleaned_data["seats"],
            }
        )
    return render(
        request,
        "trips/home.html",
        {
            "form": form,
            "matches": matches,
            "results": [(m, _ride_link(request, m, book_query)) for m in matches],
            # The sites of the neighbours' rides, each badge in that site's colours.
            "neighbours": list(
                {m.elsewhere.slug: m.elsewhere for m in matches if m.elsewhere}.values()
            ),
            "searched": searched,
            "pickup_label": form.cleaned_data["origin"].label if searched else "",
            "dropoff_label": form.cleaned_data["destination"].label if searched else "",
            "book_query": book_query,
            "alert_query": alert_query,
        },
        status=400 if form.errors else 200,
    )


def _ride_link(request, match, query: str) -> str:
    """The ride's page: here, or on the site of the territory that publishes it."""
    path = f"{reverse('offer_detail', args=[match.offer.pk])}?{query}"
    if match.elsewhere is None:
        return path
    return site_url(request, match.elsewhere.host).rstrip("/") + path
