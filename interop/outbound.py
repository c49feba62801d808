"""Journeys of other platforms in this territory's search results (outbound interoperability).

The territory's admin registers providers (`Provider`: RDEX+ or standard covoiturage, base
URL, key, timeout). A search asks every enabled provider at once, in threads, and waits for
them within one budget (`BUDGET_S`): a provider that has not answered by then is left out of
this search. Each call also has the provider's own timeout. A circuit breaker per provider
and territory (in Redis, shared by every worker) stops calling a provider after
`FAILURES_TO_OPEN` failures in a row (error, timeout, unreadable answer) for `OPEN_S`
seconds; then one search (the one that takes the trial lock) tries it again: a success
closes the breaker, a failure opens it for another `OPEN_S` seconds. Calls go through
`core.egress` (no private or loopback address, https only in production, answers of 2 MB at
most): a refused call is a failure like any other.

What comes back is read defensively: a journey without an http(s) deep link, a driver alias or
a departure time is dropped; at most `PER_PROVIDER` journeys per provider are shown. Nothing
about our user is sent but the places and time of the search."""

from __future__ import annotations

import time as clock
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.db import connection

from core import egress
from core.presence import key_prefix, redis_client

from .models import Provider
from .selectors import providers_enabled

BUDGET_S = 2.0
FAILURES_TO_OPEN = 3
OPEN_S = 60
PER_PROVIDER = 10


@dataclass(frozen=True)
class ExternalJourney:
    provider: str
    driver: str
    departure_at: datetime
    pickup_at: datetime | None
    price: Decimal | None
    currency: str
    seats: int | None
    web_url: str


# --- circuit breaker -----------------------------------------------------------------------
def _breaker_key(provider: Provider) -> str:
    # The creation time too: a provider id used again (another database, a restored
    # territory) never inherits an old breaker.
    born = int(provider.created_at.timestamp() * 1000)
    return f"{key_prefix()}:breaker:{connection.schema_name}:{provider.pk}:{born}"


def breaker_reset(provider: Provider) -> None:
    key = _breaker_key(provider)
    redis_client().delete(key, f"{key}:trial")


def breaker_open_until(provider: Provider) -> float | None:
    """When the breaker lets a trial through again (UNIX seconds), if it is open now."""
    until = redis_client().hget(_breaker_key(provider), "open_until")
    return float(until) if until and float(until) > clock.time() else None


def _may_ask(provider: Provider) -> bool:
    """Closed: yes. Open: no. Open but its minute is over (half-open): one search only tries
    it — whoever takes the trial lock first."""
    key = _breaker_key(provider)
    until = redis_client().hget(key, "open_until")
    if until is None:
        return True
    if float(until) > clock.time():
        return False
    return bool(redis_client().set(f"{key}:trial", 1, nx=True, ex=OPEN_S))


def _failed(provider: Provider) -> None:
    key = _breaker_key(provider)
    client = redis_client()
    if client.hexists(key, "open_until"):  # a failed trial: open again for a minute
        client.hset(key, "open_until", clock.time() + OPEN_S)
        client.delete(f"{key}:trial")
    elif client.hincrby(key, "failures", 1) >= FAILURES_TO_OPEN:
        client.hset(key, "open_until", clock.time() + OPEN_S)
    client.expire(key, 24 * 3600)


def _succeeded(provider: Provider) -> None:
    breaker_reset(provider)


# --- reading the providers' answers --------------------------------------------------------
def _moment(value) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _price(value) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        amount = Decimal(str(value))
        return amount.quantize(Decimal("0.01")) if amount.is_finite() and amount >= 0 else None
    except InvalidOperation:  # not a number, or beyond any price (1e300)
        return None


def _link(value) -> str:
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else ""


def _seats(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _standard_journey(provider: Provider, item: dict) -> ExternalJourney | None:
    price = _dict(item.get("price"))
    return _journey(
        provider,
        driver=_dict(item.get("driver")).get("alias"),
        departure=item.get("driverDepartureDate"),
        pickup=item.get("passengerPickupDate"),
        amount=price.get("amount") if price.get("type") != "FREE" else 0,
        currency=price.get("currency") or "EUR",
        seats=item.get("availableSeats"),
        link=item.get("webUrl"),
    )


def _rdex_journey(provider: Provider, item: dict) -> ExternalJourney | None:
    if item.get("carpoolerType", "driver") not in ("driver", "both"):
        return None
    price = _dict(item.get("price"))
    return _journey(
        provider,
        driver=_dict(item.get("user")).get("alias"),
        departure=_dict(item.get("outward")).get("departureDate"),
        pickup=None,
        amount=price.get("amount") if price.get("type") != "free" else 0,
        currency=price.get("currency") or "EUR",
        seats=item.get("availableSeats"),
        link=item.get("webUrl"),
    )


def _journey(provider, *, driver, departure, pickup, amount, currency, seats, link):
    departure_at, web_url = _moment(departure), _link(link)
    if not (isinstance(driver, str) and driver.strip() and departure_at and web_url):
        return None
    return ExternalJourney(
        provider=provider.name,
        driver=driver.strip()[:80],
        departure_at=departure_at,
        pickup_at=_moment(pickup),
        price=_price(amount),
        currency=currency[:3] if isinstance(currency, str) else "EUR",
        seats=_seats(seats),
        web_url=web_url[:2000],
    )


def _fetch(provider: Provider, query: dict, timeout_s: float) -> list[ExternalJourney]:
    base = provider.base_url.rstrip("/")
    if provider.protocol == Provider.Protocol.RDEX:
        url, headers = f"{base}/journeys", {"api_key": provider.api_key}
        params = {**query, "carpoolerType": "driver", "frequency": "punctual"}
    else:
        url, headers = f"{base}/driver_journeys", {"X-API-Key": provider.api_key}
        params = query
    # core/egress.py: never to a private address, answer at most EGRESS_MAX_RESPONSE_BYTES.
    response = egress.request("GET", url, params=params, headers=headers, timeout=timeout_s)
    response.raise_for_status()
    data = response.json()  # a ValueError when it is not JSON: a failure
    if provider.protocol == Provider.Protocol.RDEX:
        items = _dict(data).get("journeys")
        read = _rdex_journey
    else:
        items, read = data, _standard_journey
    if not isinstance(items, list):
        raise ValueError("not a list of journeys")
    found = (read(provider, item) for item in items if isinstance(item, dict))
    return [journey for journey in found if journey][:PER_PROVIDER]


# --- the search ----------------------------------------------------------------------------
@dataclass
class Outcome:
    journeys: list[ExternalJourney]
    asked: list[str]  # providers asked this time
    unavailable: list[str]  # providers that failed, were too slow, or are switched off a while


def external_journeys(
    pickup, dropoff, window_start: datetime, window_end: datetime, budget_s: float = BUDGET_S
) -> Outcome:
    """Driver journeys of every enabled provider for the search, within `budget_s` in all."""
    providers = list(providers_enabled())
    outcome = Outcome([], [], [])
    if not providers:
        return outcome
    centre = window_start + (window_end - window_start) / 2
    query = {
        "departureLat": pickup.lat,
        "departureLng": pickup.lon,
        "arrivalLat": dropoff.lat,
        "arrivalLng": dropoff.lon,
        "departureDate": int(centre.timestamp()),
        "timeDelta": int((window_end - window_start).total_seconds() / 2),
        "count": PER_PROVIDER,
    }
    calls = {}
    pool = ThreadPoolExecutor(max_workers=len(providers), thread_name_prefix="provider")
    try:
        for provider in providers:
            if not _may_ask(provider):
                outcome.unavailable.append(provider.name)
                continue
            timeout = min(provider.timeout_ms / 1000, budget_s)
            calls[pool.submit(_fetch, provider, query, timeout)] = provider
            outcome.asked.append(provider.name)
        done, _late = wait(calls, timeout=budget_s)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # never wait for a late provider
    for future, provider in calls.items():
        error = future.exception() if future in done else TimeoutError()
        if error is None:
            _succeeded(provider)
            outcome.journeys.extend(future.result())
        else:
            _failed(provider)
            outcome.unavailable.append(provider.name)
    outcome.journeys.sort(key=lambda j: abs((j.pickup_at or j.departure_at) - centre))
    return outcome
