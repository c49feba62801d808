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


async def handshake(communicator, timeout: float = 5) -> tuple[bool, int | None]:
    """(True, None) for a socket let in; (False, close code) for a refusal, which the server
    accepts and closes at once so that clients read the code (docs/realtime.md)."""
    accepted, _subprotocol = await communicator.connect(timeout=timeout)
    if not accepted:
        return False, _subprotocol
    if await communicator.receive_nothing(timeout=0.2):
        return True, None
    frame = await communicator.receive_output(timeout=timeout)
    if frame["type"] == "websocket.close":
        return False, frame.get("code")
    # A first frame (hello, a catch-up): left to the test, in front of any that followed it.
    queue = communicator.output_queue
    later = [queue.get_nowait() for _ in range(queue.qsize())]
    for each in [frame, *later]:
        queue.put_nowait(each)
    return True, None
