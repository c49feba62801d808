"""`partner_platforms` in every template: whether the territory shows other platforms' journeys
under its search results (loaded after the page). A callable, so the query runs only on the
pages that ask (the search page)."""

from .models import Provider


def _any_enabled() -> bool:
    return Provider.objects.filter(enabled=True).exists()


def partner_platforms(request) -> dict:
    return {"partner_platforms": _any_enabled}
