"""Cost sharing: the territory's public €/km × the passenger's road distance, no fee."""

from decimal import ROUND_HALF_UP, Decimal

TEN_CENTS = Decimal("0.1")  # exponent -1: quantize rounds to the tenth of a euro
CENTS = Decimal("0.01")


def share(distance_m: float, cost_per_km: Decimal, seats: int = 1) -> Decimal:
    """Price for `seats` seats, each rounded to the nearest 10 cents (half up), so that the
    amount stays within a few cents of the real cost and is easy to pay in cash."""
    per_seat = (Decimal(str(distance_m)) / 1000 * cost_per_km).quantize(TEN_CENTS, ROUND_HALF_UP)
    return (per_seat * seats).quantize(CENTS)
