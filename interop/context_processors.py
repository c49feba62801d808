"""`partner_platforms` in every template: whether the territory shows other platforms' journeys
under its search results (loaded after the page). A callable, so the query runs only on the
pages that ask (the search page)."""

from .selectors import providers_enabled


def _any_enabled() -> bool:
    return providers_enabled().exists()


def partner_platforms(request) -> dict:
    return {"partner_platforms": _any_enabled}
