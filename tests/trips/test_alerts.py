"""Alerts (saved searches): they fire once per matching ride when it is published (same
engine as the search, after commit, in Celery when many), expire, are deleted by their owner
only, refuse bad input with field errors, and count as unmet demand."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from archipel.celery import app
from notifications.models import Kind, Notification
from observatory.aggregates import ReportPeriod
from observatory.datasets import dataset
from tests.factories import ANDORRA_LA_VELLA, ENCAMP, ESCALDES, tomorrow_at
from trips import alerts
from trips.models import Alert, AlertMatch
from trips.services.regular import regular_ride_publish
from trips.services.rides import offer_publish

pytestmark = pytest.mark.django_db


def save_alert(person, days=None, earliest="07:30", latest="09:00", **extra):
    from datetime import time

    values = {
        "passenger": person,
        "origin": ESCALDES,
        "destination": ANDORRA_LA_VELLA,
        "days": days if days is not None else [tomorrow_at(8).weekday()],
        "earliest": time.fromisoformat(earliest),
        "latest": time.fromisoformat(latest),
        "expires_on": timezone.localdate() + timedelta(days=30),
    }
    return alerts.alert_create(**{**values, **extra})


def publish(driver, at, origin=ENCAMP, destination=ANDORRA_LA_VELLA):
    return offer_publish(driver=driver, origin=origin, destination=destination, departure_at=at)


def fired(person):
    return list(Notification.objects.filter(user=person, kind=Kind.ALERT_MATCH))


def test_alert_fires_once_when_a_matching_ride_is_published(
    in_alpha, django_capture_on_commit_callbacks
):
    citizen, driver = in_alpha["citizen"], in_alpha["driver"]
    alert = save_alert(citizen)
    assert (alert.origin_area, alert.destination_area) == ("AD-08", "AD-07")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ride = publish(driver, tomorrow_at(8))
    [note] = fired(citizen)
    assert (
        note.link == f"/rides/{ride.pk}/" and "Escaldes-Engordany → Andorra la Vella" in note.text
    )
    match = AlertMatch.objects.get(alert=alert)
    local = timezone.localtime(match.pickup_at).time()
    assert match.offer == ride and alert.earliest <= local <= alert.latest
    assert [m.to for m in mail.outbox] == [[citizen.email]]
    alerts.alerts_match_offers([ride.pk])  # run again: never twice for one ride
    assert len(fired(citizen)) == 1


def test_alert_ignores_rides_that_do_not_serve_it(in_alpha, django_capture_on_commit_callbacks):
    citizen, driver = in_alpha["citizen"], in_alpha["driver"]
    save_alert(citizen)
    save_alert(driver)  # the driver's own alert never fires on their ride
    with django_capture_on_commit_callbacks(execute=True):
        publish(driver, tomorrow_at(14))  # outside the time window
        publish(driver, tomorrow_at(8) + timedelta(days=1))  # another weekday
        publish(driver, tomorrow_at(8), origin=ANDORRA_LA_VELLA, destination=ENCAMP)  # reverse
    assert fired(citizen) == [] and fired(driver) == []


def test_expired_and_deleted_alerts_stay_silent(in_alpha, django_capture_on_commit_callbacks):
    citizen, driver = in_alpha["citizen"], in_alpha["driver"]
    deleted = save_alert(citizen)
    alerts.alert_cancel(deleted, by=citizen)
    short = save_alert(citizen, expires_on=timezone.localdate())  # ends before tomorrow
    with django_capture_on_commit_callbacks(execute=True):
        publish(driver, tomorrow_at(8))
    assert fired(citizen) == [] and not AlertMatch.objects.filter(alert=short).exists()


def test_regular_ride_fires_on_the_chosen_weekday_only(
    in_alpha, django_capture_on_commit_callbacks
):
    citizen, driver = in_alpha["citizen"], in_alpha["driver"]
    start = tomorrow_at(8).date()
    save_alert(citizen, days=[start.weekday()])
    with django_capture_on_commit_callbacks(execute=True):
        regular_ride_publish(
            driver=driver,
            origin=ENCAMP,
            destination=ANDORRA_LA_VELLA,
            departure_times=[tomorrow_at(8).time()] * 7,
            valid_from=start,
            valid_until=start + timedelta(days=13),
        )
    days = {timezone.localtime(m.offer.departure_at).weekday() for m in AlertMatch.objects.all()}
    assert AlertMatch.objects.count() == 2 and days == {start.weekday()}
    assert len(fired(citizen)) == 2


def test_many_alerts_are_matched_by_the_worker(
    in_alpha, django_capture_on_commit_callbacks, monkeypatch
):
    """Beyond INLINE_MAX active alerts the matching is an outbox row for the worker; the task
    runs in the schema of the territory that queued it (eager here, so that it sees the test's
    transaction)."""
    from celery.signals import task_prerun

    citizen, driver = in_alpha["citizen"], in_alpha["driver"]
    save_alert(citizen)
    monkeypatch.setattr(alerts, "INLINE_MAX", 0)
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    ran = []

    def record(sender=None, **kwargs):
        ran.append(sender.name)

    task_prerun.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            publish(driver, tomorrow_at(8))
    finally:
        task_prerun.disconnect(record)
    assert ran == ["notifications.deliver"]  # the outbox row, handed to the worker
    assert len(fired(citizen)) == 1


def test_bad_alerts_are_refused_with_field_errors(alpha):
    citizen = alpha.client("citizen")
    good = {
        "origin": {"lon": ESCALDES.lon, "lat": ESCALDES.lat, "label": "Escaldes"},
        "destination": {"lon": ANDORRA_LA_VELLA.lon, "lat": ANDORRA_LA_VELLA.lat},
        "days": ["mon", "fri"],
        "earliest": "07:00",
        "latest": "08:00",
        "expires_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
    }
    cases = {
        "days": {"days": []},
        "latest": {"latest": "06:00"},
        "expires_on": {"expires_on": (timezone.localdate() - timedelta(days=1)).isoformat()},
        "destination": {"destination": {"lon": 2.35, "lat": 48.85}},  # Paris: off the network
    }
    for field, change in cases.items():
        response = citizen.post(
            "/api/v1/alerts/", {**good, **change}, content_type="application/json"
        )
        assert response.status_code == 400, (field, response.content)
        assert field in response.json()["fields"], (field, response.json())
    too_long = {"expires_on": (timezone.localdate() + timedelta(days=400)).isoformat()}
    response = citizen.post(
        "/api/v1/alerts/", {**good, **too_long}, content_type="application/json"
    )
    assert response.status_code == 400
    with schema_context(alpha.territory.schema_name):
        assert not Alert.objects.exists()  # nothing half-saved
    created = citizen.post("/api/v1/alerts/", good, content_type="application/json")
    assert created.status_code == 201 and created.json()["days"] == ["mon", "fri"]


def test_alerts_are_their_owners_only(alpha, beta):
    good = {
        "origin": {"lon": ESCALDES.lon, "lat": ESCALDES.lat},
        "destination": {"lon": ANDORRA_LA_VELLA.lon, "lat": ANDORRA_LA_VELLA.lat},
        "days": ["tue"],
        "earliest": "07:00",
        "latest": "08:00",
        "expires_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
    }
    owner = alpha.client("citizen")
    pk = owner.post("/api/v1/alerts/", good, content_type="application/json").json()["id"]
    other = alpha.client("driver")
    assert other.get("/api/v1/alerts/").json() == []
    assert other.get(f"/api/v1/alerts/{pk}/").status_code == 404
    assert other.delete(f"/api/v1/alerts/{pk}/").status_code == 404
    assert other.post(f"/alerts/{pk}/delete/").status_code == 404
    assert beta.client("citizen").get(f"/api/v1/alerts/{pk}/").status_code == 404
    assert owner.get(f"/api/v1/alerts/{pk}/").status_code == 200
    assert owner.delete(f"/api/v1/alerts/{pk}/").status_code == 204
    assert owner.get("/api/v1/alerts/").json() == []


def test_alert_page_from_a_search_without_result(alpha):
    citizen = alpha.client("citizen")
    day = tomorrow_at(8)
    home = citizen.get(
        "/",
        {
            "origin_0": "Escaldes", "origin_1": ESCALDES.lon, "origin_2": ESCALDES.lat,
            "destination_0": "Andorra la Vella", "destination_1": ANDORRA_LA_VELLA.lon,
            "destination_2": ANDORRA_LA_VELLA.lat, "date": day.date().isoformat(),
            "time": "08:00", "window": 60, "seats": 1,
        },
    ).content.decode()  # fmt: skip
    assert "/alerts/?" in home
    link = home.split('href="/alerts/?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    page = citizen.get("/alerts/?" + link).content.decode()
    assert 'value="Escaldes"' in page and 'value="07:30"' in page and 'value="08:30"' in page
    assert f'value="{day.weekday()}" id="id_days_{day.weekday()}" checked' in page
    form = {
        "origin_0": "Escaldes", "origin_1": ESCALDES.lon, "origin_2": ESCALDES.lat,
        "destination_0": "ALV", "destination_1": ANDORRA_LA_VELLA.lon,
        "destination_2": ANDORRA_LA_VELLA.lat, "days": [day.weekday()], "earliest": "07:30",
        "latest": "08:30", "seats": 1,
        "expires_on": (timezone.localdate() + timedelta(days=5)).isoformat(),
    }  # fmt: skip
    bad = citizen.post("/alerts/", {**form, "days": []})
    assert bad.status_code == 400 and "Choisissez au moins un jour" in bad.content.decode()
    assert citizen.post("/alerts/", form).status_code == 302
    listing = citizen.get("/alerts/").content.decode()
    assert "Escaldes → ALV" in listing
    with schema_context(alpha.territory.schema_name):
        pk = Alert.objects.get().pk
    assert citizen.post(f"/alerts/{pk}/delete/").status_code == 302
    assert "Escaldes → ALV" not in citizen.get("/alerts/").content.decode()


def test_people_with_alerts_count_as_unmet_demand_above_k(in_alpha, alpha):
    save_alert(in_alpha["citizen"])
    save_alert(in_alpha["citizen"], days=[0, 1])  # the same person twice counts once
    save_alert(in_alpha["driver"])
    save_alert(in_alpha["operator"], origin=ENCAMP)
    today = timezone.localdate()
    table = dataset("unmet_demand", ReportPeriod(today, today), k=2)
    rows = {(r["origin"], r["destination"]): r for r in table.rows}
    assert rows[("AD-08", "AD-07")]["people_with_alert"] == 2
    assert rows[("AD-03", "AD-07")]["people_with_alert"] is None  # one person: suppressed
    assert rows[("AD-03", "AD-07")]["suppressed"] == 1
    assert table.totals["people_with_alert"] == 2
