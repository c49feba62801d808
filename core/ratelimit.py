"""Fixed-window counters in Redis for per-person limits (messages, …).

INCR and EXPIRE … NX run in one MULTI/EXEC: the count and its expiry are set together, so a
key can never be left without expiry (which would lock the person out for good), whatever
expires in between. Needs Redis ≥ 7.0 (Debian 12 ships 7.0)."""

from __future__ import annotations

from .presence import key_prefix, redis_client


def hit(key: str, window_s: int) -> int:
    """Count one more event in the current window of `key`; returns the count so far."""
    key = f"{key_prefix()}:rate:{key}"
    with redis_client().pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, window_s, nx=True)
        count, _expiry_set = pipe.execute()
    return int(count)
