"""The authority's dashboard and downloads (data officers and territory admins), and the access
log (territory admins). Nothing here shows a name, a phone or an address."""

import json
from dataclasses import replace
from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.permissions import role_required
from core.replica import replica_reads
from tenants.members.models import Role

from .aggregates import ReportPeriod, flows, indicators
from .charts import hours_chart, timeline_chart
from .datasets import (
    DATASETS,
    archive,
    areas_geojson,
    dataset,
    file_stem,
    formats_of,
    to_geojson,
)
from .forms import PeriodForm, report_period
from .models import AccessLog
from .selectors import (
    access_log_entries,
    api_token_find,
    api_tokens,
    journey_exists,
    last_journey_before,
    rpc_submission_counts,
)
from .services import access_log_record, token_create, token_revoke

# (label, how it is computed) for each figure, in the order of the dashboard.
FIGURES = {
    "car_trips_avoided": (
        _("Car trips avoided"),
        _("Passengers carried: each would otherwise have made the trip in their own car."),
    ),
    "vehicle_km_avoided": (
        _("Vehicle-km avoided"),
        _("For each passenger, the road distance from pickup to drop-off, added up."),
    ),
    "co2_kg_avoided": (
        _("CO2 avoided (kg)"),
        _("Vehicle-km avoided × the CO2 of an average car set in the territory's settings."),
    ),
    "occupancy": (
        _("Average occupancy of cars with passengers"),
        _("People on board (driver and passengers) per car that carried someone."),
    ),
    "journeys": (
        _("Journeys"),
        _("Driver–passenger couples that travelled, confirmed by both (or solidarity trips)."),
    ),
    "drivers": (_("Distinct drivers"), _("People who drove at least one journey.")),
    "passengers": (_("Distinct passengers"), _("People carried at least once.")),
    "rides_offered": (_("Rides offered"), _("Departures published and not cancelled.")),
    "searches": (_("Searches"), _("Searches for a ride made on the site or through the API.")),
    "searches_without_result": (
        _("Searches without any result"),
        _("Searches that found no ride: demand the offer does not meet yet."),
    ),
    "seats_offered": (_("Seats offered"), _("Seats of those departures.")),
    "bookings": (_("Bookings"), _("Seat requests made in the period, whatever their outcome.")),
    "newcomers": (_("Newcomers"), _("People who joined the territory in the period.")),
    "solidarity_requests": (
        _("Solidarity requests"),
        _("Requests for a trip in the period, registered by a structure or online."),
    ),
    "solidarity_served": (_("Solidarity trips driven"), _("Requests done or closed.")),
    "solidarity_unmet": (_("Unmet solidarity requests"), _("Requests closed without a solution.")),
    "volunteer_km": (_("Volunteer km"), _("Kilometres recorded by the volunteers.")),
    "volunteer_hours": (_("Volunteer hours"), _("Time recorded by the volunteers.")),
    "indemnities": (
        _("Indemnities (€)"),
        _("Mileage indemnities, at the territory's rate within the legal cap."),
    ),
}


def _period_form(request) -> PeriodForm:
    return PeriodForm(request.GET or {"kind": "month", "level": "commune"})


def default_period(today: date | None = None) -> tuple[dict, str]:
    """The period a first visit opens on, as the form's data, and how the page names it: the
    last complete month with journeys, else the last complete week if it has some, else the
    current month (docs/observatory.md)."""
    today = today or timezone.localdate()
    month = report_period("month", today)
    last = last_journey_before(month.start)
    if last is not None:
        shown = report_period("month", timezone.localdate(last))
        name = date_format(shown.first, "F Y")
        if shown.last == month.first - timedelta(days=1):
            said = _("%(month)s, the last complete month") % {"month": name}
        else:
            said = _("%(month)s, the last complete month with journeys") % {"month": name}
        return {"kind": "month", "day": shown.first.isoformat(), "level": "commune"}, said
    sunday = today - timedelta(days=today.weekday() + 1)
    week = ReportPeriod(sunday - timedelta(days=6), sunday)
    if journey_exists(week.start, week.end):
        said = _("the week of %(first)s to %(last)s, the last complete week") % {
            "first": date_format(week.first, "j F"),
            "last": date_format(week.last, "j F Y"),
        }
        data = {"kind": "custom", "first": week.first.isoformat(), "last": week.last.isoformat()}
        return data | {"level": "commune"}, said
    said = _("%(month)s, the current month (no journey before)") % {
        "month": date_format(month.first, "F Y")
    }
    return {"kind": "month", "day": today.isoformat(), "level": "commune"}, said


@role_required(Role.DATA_OFFICER, Role.TERRITORY_ADMIN)
@replica_reads  # aggregates may lag the leader by the replica's delay
def dashboard(request):
    chosen = ""
    if request.GET:
        form = _period_form(request)
        query = request.GET.urlencode()
    else:
        data, chosen = default_period()
        form, query = PeriodForm(data), urlencode(data)
    context = {"form": form, "chosen": chosen}
    status = 200
    if form.is_valid():
        period = form.period()
        now, before = indicators(period), indicators(period.previous())
        context.update(
            period=period,
            previous=period.previous(),
            rows=[(label, how, now[name], before[name]) for name, (label, how) in FIGURES.items()],
            unmet_reasons=now.unmet_reasons,
            k=now.k,
            flows=flows(period, form.cleaned_data["level"]),
            unmet=dataset("unmet_demand", period, form.cleaned_data["level"]),
            hours=hours_chart(dataset("by_time", period)),
            timeline=timeline_chart(dataset("by_period", period), period),
            registry=rpc_submission_counts(),
            query=query,
            downloads=[(label, name, formats_of(name)) for name, label in DATASETS.items()],
        )
        access_log_record(
            user=request.user, action=AccessLog.Action.VIEW, what="dashboard", period=period
        )
    else:
        status = 400
    return render(request, "observatory/dashboard.html", context, status=status)


@role_required(Role.DATA_OFFICER, Role.TERRITORY_ADMIN)
@replica_reads  # aggregates may lag the leader by the replica's delay
def flows_map(request):
    """The flows shown and their areas, for the dashboard's map (GeoJSON)."""
    form = _period_form(request)
    if not form.is_valid():
        return JsonResponse({"error": form.errors.get_json_data()}, status=400)
    table = dataset("flows", form.period(), form.cleaned_data["level"])
    shown = replace(table, rows=[r for r in table.rows if not r["suppressed"]])
    return JsonResponse(
        {
            "flows": json.loads(to_geojson(shown)),
            "areas": json.loads(areas_geojson(shown)),
        }
    )


@role_required(Role.DATA_OFFICER, Role.TERRITORY_ADMIN)
@replica_reads  # aggregates may lag the leader by the replica's delay
def download(request, name: str, fmt: str):
    """A dataset in a format, zipped with its metadata file."""
    if name not in DATASETS or fmt not in formats_of(name):
        raise Http404
    form = _period_form(request)
    if not form.is_valid():
        return render(request, "observatory/dashboard.html", {"form": form}, status=400)
    period, level = form.period(), form.cleaned_data["level"]
    table = dataset(name, period, level)
    access_log_record(
        user=request.user,
        action=AccessLog.Action.DOWNLOAD,
        what=name,
        period=period,
        detail=f"{fmt}, {level}",
    )
    response = HttpResponse(archive(table, fmt), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{file_stem(table)}-{fmt}.zip"'
    return response


@role_required(Role.TERRITORY_ADMIN)
def access_log(request):
    return render(request, "observatory/access_log.html", {"entries": access_log_entries()})


@role_required(Role.TERRITORY_ADMIN)
def api_keys(request):
    """Keys for the authority's BI tools: created (shown once) and revoked by the admin."""
    new_key = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            pk = request.POST.get("token", "")
            token = api_token_find(int(pk) if pk.isdigit() else 0)
            if token is None:
                raise Http404
            token_revoke(token)
            messages.success(request, _("The key is revoked."))
            return redirect("observatory_keys")
        _token, new_key = token_create(name=request.POST.get("name", ""), by=request.user)
    return render(
        request,
        "observatory/keys.html",
        {"tokens": api_tokens(), "new_key": new_key},
    )
