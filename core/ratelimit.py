"""Fixed-window counters in Redis for per-person limits (messages, …).

INCR and EXPIRE … NX run in one MULTI/EXEC: the count and its expiry are set together, so a
key can never be left without expiry (which would lock the person out for good), whatever
expires in between. Needs Redis ≥ 7.0 (Debian 12 ships 7.0).

With Redis unreachable a limit fails in the direction its caller chose and says so in the log:
open (counted as the first of its window: messages, partners' calls and searches keep working
during the outage) or closed (counted as over any limit: phone codes, which cost an SMS and
could not be kept without Redis anyway). Sign-in keeps its own lockout in PostgreSQL
(docs/operations.md)."""

from __future__ import annotations

import logging

import redis

from .presence import key_prefix, redis_client

log = logging.getLogger(__name__)


FAILED_CLOSED = 2**31  # over every limit


def hit(key: str, window_s: int, *, fail_open: bool = True) -> int:
    """Count one more event in the current window of `key`; returns the count so far."""
    key = f"{key_prefix()}:rate:{key}"
    try:
        with redis_client().pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, window_s, nx=True)
            count, _expiry_set = pipe.execute()
    except redis.RedisError:
        log.warning("rate limit %s: Redis unreachable, failing %s", key,
                    "open" if fail_open else "closed")  # fmt: skip
        return 1 if fail_open else FAILED_CLOSED
    return int(count)
