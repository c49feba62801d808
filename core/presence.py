"""Who has a page open: a Redis set per person and territory holding the channel names of
their open pages' sockets (added when the presence socket is accepted, removed when it
closes). Used to decide whether a new message is seen live or must be e-mailed.

A crashed server cannot remove its sockets: every set expires `TTL` seconds after the last
page opened, so a stale "online" never lasts longer than that. With Redis away nobody is
online (no socket can be open without the channel layer either): messages are e-mailed."""

from __future__ import annotations

import logging

import redis
from django.conf import settings

from .redis import client as redis_client

TTL = 2 * 3600


log = logging.getLogger(__name__)


def key_prefix() -> str:
    """The deployment's prefix for its own Redis keys (the channel layer's)."""
    return settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix", "archipel")


def _key(schema: str, user_id: int) -> str:
    return f"{key_prefix()}:presence:{schema}:{user_id}"


def arrive(schema: str, user_id: int, channel: str) -> None:
    key = _key(schema, user_id)
    with redis_client().pipeline() as pipe:
        pipe.sadd(key, channel)
        pipe.expire(key, TTL)
        pipe.execute()


def leave(schema: str, user_id: int, channel: str) -> None:
    redis_client().srem(_key(schema, user_id), channel)


def is_online(schema: str, user_id: int) -> bool:
    try:
        return bool(redis_client().scard(_key(schema, user_id)))
    except redis.RedisError:
        log.warning("presence: Redis unreachable, person %s counted away", user_id)
        return False
