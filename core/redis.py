"""The Redis client for the project's own keys (presence, rate limits, readiness): the
master Sentinel names when REDIS_SENTINELS is set (the cluster, docs/operations.md), REDIS_URL
otherwise. The cache, channel layer and Celery have their own Sentinel settings."""

from __future__ import annotations

from functools import cache

import redis
from django.conf import settings
from redis.sentinel import Sentinel


@cache
def client() -> redis.Redis:
    timeout = settings.REDIS_TIMEOUT_S
    options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
    if settings.REDIS_SENTINELS:
        sentinel = Sentinel(settings.REDIS_SENTINELS, sentinel_kwargs=options, **options)
        return sentinel.master_for(settings.REDIS_SENTINEL_MASTER, db=settings.REDIS_DB)
    return redis.Redis.from_url(settings.PRESENCE_REDIS_URL, **options)
