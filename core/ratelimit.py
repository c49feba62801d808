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

import ipaddress
import logging

import redis

from .presence import key_prefix, redis_client

log = logging.getLogger(__name__)
IPV6_PREFIX = 64  # one household or phone holds a whole /64: count it as one address


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


def client_address(request) -> str:
    """Where a request comes from, for per-visitor limits (failed sign-ins: django-axes):
    REMOTE_ADDR, which uvicorn takes from a trusted proxy's X-Forwarded-For
    (FORWARDED_ALLOW_IPS); an IPv6 address is cut to its /64, as allauth's limits do."""
    address = request.META.get("REMOTE_ADDR", "")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped:  # ::ffff:a.b.c.d, an IPv4 client of a dual-stack socket
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False).network_address)
