"""Helpers of the websocket tests, whose consumers use their own database connections: the
scenario runs on its own event loop, the checks on the committed data outside the test."""

import asyncio
import threading

from django_tenants.utils import schema_context


def run(scenario):
    """Run an async scenario on its own event loop in its own thread: the browser tests keep an
    event loop in the main thread for the whole session."""
    outcome = {}

    def target():
        try:
            outcome["value"] = asyncio.run(scenario())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def in_db(django_db_blocker, schema, check):
    with django_db_blocker.unblock(), schema_context(schema):
        return check()
