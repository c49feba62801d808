"""The project package: settings, URL configurations, ASGI and Celery entry points. It wires
the apps together and is imported by none of them."""

from .celery import app as celery_app

__all__ = ["celery_app"]
