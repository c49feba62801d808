#!/usr/bin/env bash
# Starts a Celery worker (with its beat: periodic tasks such as departure reminders) in the
# background and the ASGI server (HTTP and websockets) in the
# foreground; stopping the server (Ctrl-C) stops the worker too.
set -euo pipefail
host="${1:-0.0.0.0}"; port="${2:-8000}"
mkdir -p var/log
export SITE_PORT="${SITE_PORT:-$port}"
# Development: partners and providers a developer runs on this machine may be called, over
# plain http (core/egress.py refuses both in production).
export EGRESS_ALLOW_LOOPBACK="${EGRESS_ALLOW_LOOPBACK:-1}" EGRESS_HTTPS_ONLY="${EGRESS_HTTPS_ONLY:-0}"
.venv/bin/celery -A archipel worker --beat --schedule=var/celerybeat-schedule --loglevel=warning \
  --concurrency=2 >var/log/celery.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo "Celery worker started (log: var/log/celery.log)."
echo "Serving on http://localhost:${port}/ — Ctrl-C to stop."
# Two server processes (one per core of the development machine): a single process cannot
# keep up with 100 websocket messages per second (see bench/realtime.py and the README).
# No per-message compression on websockets: frames are a few hundred bytes, and compressing
# each one cost a third of the messages a process can deliver (bench/realtime.py).
.venv/bin/uvicorn archipel.asgi:application --host "$host" --port "$port" --log-level warning \
  --workers "${WEB_WORKERS:-2}" --ws-per-message-deflate false
