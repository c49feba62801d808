"""The live ledger: lines appended when a journey is recorded, with their explanation; caps
and budget read from the ledger; holds, releases, refusals and reversals; the last euros of a
budget under concurrent transactions; the registry's payload carrying the incentives."""

import threading
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Max, Sum
from django.utils import timezone
from django_tenants.utils import schema_context

from incentives.models import Campaign, CampaignEvent, Hold, Line
from incentives.selectors import ledger_total, registry_items
from incentives.services.accrual import journey_accrue
from incentives.services.decisions import hold_refuse, hold_release, journey_annul
from notifications.models import Delivery
from tests.factories import (
    ANDORRA_LA_VELLA,
    ENCAMP,
    person,
    registry_journey,
    tomorrow_at,
)
from trips.models import Booking, Confirmation, Journey, Offer
from trips.services.rides import offer_publish

from .conftest import at, campaign_of, carpool

ENCAMP_RULE = {
    "per_km": "0.10",
    "distance_min_km": 2,
    "distance_max_km": 40,
    "origin_areas": ["AD-03"],
    "destination_areas": ["AD-03"],
    "cap_month": "3.00",
}


def lines(journey):
    return list(Line.objects.filter(journey=journey).order_by("pk"))


def test_a_recorded_journey_earns_its_line_with_the_explanation(in_alpha, ride, people):
    campaign_of(in_alpha["admin"], ENCAMP_RULE, active=True)
    day = timezone.localdate() - timedelta(days=3)
    first = carpool(ride, people[0], people[1], at(day, 8), km=18)
    second = carpool(ride, people[2], people[1], at(day, 12), km=18)
    journey_accrue(first.pk)
    journey_accrue(second.pk)
    [one] = lines(first)
    assert (one.person, one.role, one.amount) == (people[1], "passenger", Decimal("1.80"))
    assert "0,10\u00a0€/km × 18\u00a0km = 1,80\u00a0€" in one.explanation
    [two] = lines(second)
    assert two.amount == Decimal("1.20")
    assert two.explanation.endswith("\u00a0; plafond mensuel atteint\u00a0: 1,20\u00a0€ versé")
    # Computing again adds nothing: the ledger already holds what is owed.
    assert journey_accrue(second.pk) == [] and len(lines(second)) == 1


def test_conditions_not_met_are_said(in_alpha, ride, people):
    campaign_of(in_alpha["admin"], ENCAMP_RULE, active=True)
    day = timezone.localdate() - timedelta(days=2)
    away = carpool(ride, people[0], people[1], at(day), km=18, destination="AD-07")
    journey_accrue(away.pk)
    [line] = lines(away)
    assert line.amount == 0
    assert line.explanation == "Non versé\u00a0: trajet hors des zones de la campagne."


def test_drafts_and_closed_campaigns_pay_nothing(in_alpha, ride, people):
    campaign_of(in_alpha["admin"], ENCAMP_RULE)  # a draft
    journey = carpool(ride, people[0], people[1], at(timezone.localdate()), km=18)
    assert journey_accrue(journey.pk) == []


def test_solidarity_trips_are_not_paid(in_alpha, ride, people):
    campaign_of(in_alpha["admin"], ENCAMP_RULE, active=True)
    journey = carpool(ride, people[0], people[1], at(timezone.localdate()), km=18)
    Journey.objects.filter(pk=journey.pk).update(kind=Journey.Kind.SOLIDARITY)
    assert journey_accrue(journey.pk) == []


def test_confirmations_lead_to_the_line_and_the_registry_carries_it(
    in_alpha, ride, django_capture_on_commit_callbacks
):
    campaign = campaign_of(in_alpha["admin"], {"per_journey": "1.50"}, paid="both", active=True)
    with django_capture_on_commit_callbacks(execute=True):
        booking = registry_journey(ride, in_alpha, {})
    journey = booking.journey
    assert Line.objects.filter(journey=journey).aggregate(s=Sum("amount"))["s"] == Decimal("3")
    items = registry_items(journey)
    assert items == [{"index": 0, "amount": 300, "siret": campaign.funder_siret}]
    from observatory.rpc import payload, validate

    body = payload(journey)
    assert body["incentives"] == items and validate(body) == []


def test_annulment_reverses_and_the_sums_reconcile(in_alpha, ride, people):
    campaign_of(in_alpha["admin"], {"per_journey": "2"}, paid="both", active=True)
    journey = carpool(ride, people[0], people[1], at(timezone.localdate()))
    journey_accrue(journey.pk)
    reversed_ = journey_annul(journey, moderator=in_alpha["admin"], reason="Faux trajet")
    assert sorted(line.amount for line in reversed_) == [Decimal("-2"), Decimal("-2")]
    assert all(line.kind == "reversal" for line in reversed_)
    assert Line.objects.filter(journey=journey).aggregate(s=Sum("amount"))["s"] == 0
    assert journey_accrue(journey.pk) == []  # an annulled journey is never paid again
    campaign = Campaign.objects.get()
    assert campaign.spent == ledger_total(campaign) == 0


def test_flagged_journeys_are_held_until_a_moderator_decides(in_alpha, ride, people):
    rules = {"per_journey": "1", "registry_anomalies": True}
    campaign_of(in_alpha["admin"], rules, active=True)
    day = timezone.localdate() - timedelta(days=1)
    first = carpool(ride, people[0], people[1], at(day, 8))
    close = carpool(ride, people[2], people[1], at(day, 8, 30))  # 10 minutes after
    journey_accrue(first.pk)
    assert journey_accrue(close.pk) == []
    hold = Hold.objects.get(journey=close)
    assert hold.status == "held" and lines(close) == []
    hold_release(hold, moderator=in_alpha["admin"], reason="Deux trajets réels")
    assert [line.amount for line in lines(close)] == [Decimal("1")]
    third = carpool(ride, people[3], people[1], at(day, 8, 50))
    journey_accrue(third.pk)
    hold_refuse(Hold.objects.get(journey=third), moderator=in_alpha["admin"], reason="Doublon")
    assert journey_accrue(third.pk) == [] and lines(third) == []


def test_budget_thresholds_warn_the_admins(in_alpha, ride, people):
    from notifications.models import Notification

    campaign_of(in_alpha["admin"], {"per_journey": "4"}, budget="5", active=True)
    day = timezone.localdate()
    for i in range(2):
        journey_accrue(carpool(ride, people[i], people[i + 2], at(day, 8 + i)).pk)
    said = Notification.objects.filter(user=in_alpha["admin"], kind="incentive")
    assert [n.params["percent"] for n in said.order_by("pk")] == [80, 100]
    page = in_alpha.client("admin").get("/my-incentives/").content.decode()
    assert "a épuisé son budget\u00a0: elle ne paie plus les nouveaux trajets" in page
    campaign = Campaign.objects.get()
    assert campaign.spent == ledger_total(campaign) == Decimal("5")
    last = Line.objects.order_by("pk").last()
    assert last.amount == Decimal("1")
    assert last.explanation.endswith(
        "\u00a0; budget de la campagne épuisé\u00a0: 1,00\u00a0€ versé"
    )


def _in_thread(function, *args):
    """Run on a connection of its own, outside the test's transaction: what it writes is
    committed and seen by the other threads."""
    out, errors = [], []

    def run():
        try:
            out.append(function(*args))
        except Exception as exc:  # noqa: BLE001 - raised below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    if errors:
        raise errors[0]
    return out[0]


def test_two_journeys_at_once_never_both_take_the_last_euros(archipel, django_db_blocker, alpha):
    """Two journeys accrued in two real transactions at the same moment, 3 € left for two
    2 € lines: one gets 2 €, the other 1 €."""
    schema = alpha.territory.schema_name

    def setup():
        with schema_context(schema):
            before = Delivery.objects.aggregate(m=Max("pk"))["m"] or 0
            ride = offer_publish(
                driver=alpha["driver"],
                origin=ENCAMP,
                destination=ANDORRA_LA_VELLA,
                departure_at=tomorrow_at(8),
            )
            campaign = campaign_of(
                alpha["admin"], {"per_journey": "2"}, budget="3", active=True, thresholds=[]
            )
            riders = [person(40 + i) for i in range(4)]
            day = timezone.localdate()
            journeys = [carpool(ride, riders[i], riders[i + 2], at(day, 8 + i)) for i in range(2)]
            made = ride.pk, campaign.pk, [j.pk for j in journeys], [r.pk for r in riders]
            return made, before

    def amounts(campaign_id):
        with schema_context(schema):
            assert Campaign.objects.get(pk=campaign_id).spent == Decimal("3")
            return sorted(
                Line.objects.filter(campaign_id=campaign_id).values_list("amount", flat=True)
            )

    def cleanup(made, before):
        ride_id, campaign_id, journey_ids, rider_ids = made
        with schema_context(schema):
            Delivery.objects.filter(pk__gt=before).delete()  # the ride's alert matching
            Line.objects.filter(campaign_id=campaign_id).delete()
            Journey.objects.filter(pk__in=journey_ids).delete()
            Confirmation.objects.filter(booking__offer_id=ride_id).delete()
            Booking.objects.filter(offer_id=ride_id).delete()
            Campaign.objects.filter(pk=campaign_id).delete()
            Offer.objects.filter(pk=ride_id).delete()
            CampaignEvent.objects.filter(campaign_id=campaign_id).delete()
            get_user_model().objects.filter(pk__in=rider_ids).delete()

    with django_db_blocker.unblock():
        made, before = _in_thread(setup)
        _ride_id, campaign_id, journey_ids, _riders = made
        try:
            barrier = threading.Barrier(2)

            def accrue(journey_id):
                with schema_context(schema):
                    barrier.wait(timeout=20)
                    return journey_accrue(journey_id)

            threads, errors = [], []
            for journey_id in journey_ids:

                def run(j=journey_id):
                    try:
                        accrue(j)
                    except Exception as exc:  # noqa: BLE001 - asserted below
                        errors.append(exc)
                    finally:
                        connection.close()

                threads.append(threading.Thread(target=run))
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            assert errors == []
            assert _in_thread(amounts, campaign_id) == [Decimal("1"), Decimal("2")]
        finally:
            _in_thread(cleanup, made, before)


def test_proof_class_read_from_the_confirmations(in_alpha, ride, people):
    campaign_of(in_alpha["admin"], {"per_journey": "1", "min_class": "C"}, active=True)
    day = timezone.localdate() - timedelta(days=1)
    c = carpool(ride, people[0], people[1], at(day, 7), proof=2)
    b = carpool(ride, people[0], people[2], at(day, 9), proof=1)
    for journey in (c, b):
        journey_accrue(journey.pk)
    assert [line.amount for line in lines(c)] == [Decimal("1")]
    assert lines(b)[0].explanation == "Non versé\u00a0: classe de preuve insuffisante."


def test_the_simulation_pays_what_the_live_ledger_paid(in_alpha, ride, people):
    """The same journeys, recorded in time order, through both paths: same amounts."""
    from incentives.services.campaigns import simulate

    rules = {
        "per_km": "0.10",
        "cap_month": "4",
        "cap_day_trips": 2,
        "cooldown_minutes": 60,
        "milestones": [{"trip": 2, "amount": "1"}],
    }
    campaign = campaign_of(in_alpha["admin"], rules, paid="both", budget="9", active=True)
    day = timezone.localdate() - timedelta(days=5)
    journeys = [
        carpool(
            ride,
            people[i % 2],
            people[2 + i % 3],
            at(day + timedelta(days=i // 3), 7 + 2 * (i % 3)),
            km=12 + i,
        )
        for i in range(9)
    ]
    for journey in journeys:
        journey_accrue(journey.pk)
    live = ledger_total(campaign)
    run = simulate(campaign, day, timezone.localdate())
    assert Decimal(run.result["total"]["cents"]) / 100 == live == Decimal("9")


def test_accrual_works_under_the_debug_cursor_and_counts_its_queries(in_alpha, ride, people):
    """DEBUG (and captured queries) wrap the cursor: the journeys' binary COPY still runs."""
    from django.test.utils import CaptureQueriesContext

    campaign_of(in_alpha["admin"], {"per_journey": "1"}, paid="both", active=True)
    journey = carpool(ride, people[0], people[1], at(timezone.localdate()))
    with CaptureQueriesContext(connection) as queries:
        assert len(journey_accrue(journey.pk)) == 2
    assert len(queries.captured_queries) < 40
