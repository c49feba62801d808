"""The figures of a live campaign: spent and left, the pace, the day the budget runs out at
that pace, the cost per vehicle-km and per car trip avoided (from the ledger)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from trips.models import Journey

from .models import Campaign, Line
from .selectors import burn, spent


@dataclass(frozen=True)
class Burn:
    spent: Decimal
    left: Decimal
    percent: int
    per_day: Decimal | None
    runs_out_on: date | None
    vehicle_km: float
    per_vkm: Decimal | None
    car_trips: int
    per_car_trip: Decimal | None
    days: list[tuple[date, Decimal]]


def campaign_burn(campaign: Campaign, today: date | None = None) -> Burn:
    today = today or timezone.localdate()
    total = spent(campaign)
    left = campaign.budget - total
    since = timezone.localdate(campaign.activated_at) if campaign.activated_at else today
    elapsed = max((min(today, campaign.ends_on) - since).days + 1, 1)
    per_day = (total / elapsed).quantize(Decimal("0.01")) if total > 0 else None
    runs_out = None
    if per_day and left > 0:
        runs_out = today + timedelta(days=int(left / per_day))
        if runs_out > campaign.ends_on:
            runs_out = None  # the budget outlasts the campaign at this pace
    elif per_day and left <= 0:
        runs_out = today
    paid = (
        Line.objects.filter(campaign=campaign)
        .values("journey_id")
        .annotate(s=Sum("amount"))
        .filter(s__gt=0)
        .values_list("journey_id", flat=True)
    )
    journeys = Journey.objects.filter(pk__in=paid).values_list("distance_m", "seats")
    vkm = sum(d * s for d, s in journeys) / 1000
    trips = sum(s for _d, s in journeys)
    return Burn(
        spent=total,
        left=left,
        percent=int(total * 100 / campaign.budget) if campaign.budget else 0,
        per_day=per_day,
        runs_out_on=runs_out,
        vehicle_km=round(vkm, 1),
        per_vkm=(total / Decimal(vkm)).quantize(Decimal("0.001")) if vkm else None,
        car_trips=trips,
        per_car_trip=(total / trips).quantize(Decimal("0.01")) if trips else None,
        days=burn(campaign),
    )
