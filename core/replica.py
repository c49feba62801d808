"""Reads that may lag go to the streaming replica (settings.DATABASE_REPLICA_URL, the cluster's
HAProxy read port): the observatory's aggregates, exports, open data. Everything else — and
every write — stays on `default`, the leader.

A view opts in with `@replica_reads`; inside it the router sends reads to `replica`. That
connection must look at the request's territory, never `public` or another territory:
django-tenants sets the schema on `default` only, so its set-tenant hook
(EXTRA_SET_TENANT_METHOD_PATH = follow_tenant) gives the replica the same tenant each time
`default` gets one."""

from __future__ import annotations

import functools
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_reading_replica: ContextVar[bool] = ContextVar("reading_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def follow_tenant(connection, tenant) -> None:
    """django-tenants' hook: `default` was given `tenant`; the replica follows."""
    if connection.alias != DEFAULT_DB_ALIAS or not replica_configured():
        return
    replica = connections[REPLICA]
    if getattr(replica, "tenant", None) is not tenant:
        replica.set_tenant(tenant, connection.include_public_schema)


def replica_reads(view):
    """Reads in `view` (a function view or a DRF/Django view's method) go to the replica."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        token = _reading_replica.set(True)
        try:
            return view(*args, **kwargs)
        finally:
            _reading_replica.reset(token)

    return wrapped


def reading_connection():
    """The connection a raw SQL read should use: the replica inside `replica_reads` (the
    router only sees the ORM's queries), `default` otherwise."""
    if _reading_replica.get() and replica_configured():
        return connections[REPLICA]
    return connections[DEFAULT_DB_ALIAS]


class ReplicaRouter:
    """Reads inside `replica_reads` to the replica; no opinion otherwise (writes, and reads
    elsewhere, go to `default`)."""

    def db_for_read(self, model, **hints):
        if _reading_replica.get():
            return REPLICA
        return None

    def allow_migrate(self, db, app_label, **hints):
        if db == REPLICA:
            return False  # a replica is read-only: the leader's migrations reach it by WAL
        return None
