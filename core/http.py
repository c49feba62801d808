"""What a request's path and parameters say about how to answer it: the API paths (whose
errors are JSON), and return addresses (`next`) — only paths of the current site, never
another host (`//evil.example/`, `/\\evil.example`, `https://evil.example/`)."""

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

API_PREFIX = "/api/"  # the territory's own API: JSON in and out
JSON_PREFIXES = (API_PREFIX, "/interop/")  # and the partners' standard APIs: JSON errors


RDEX_PREFIX = "/interop/rdexplus/"  # RDEX+ has its own error body (interop.partners.error)


def answers_json(request) -> bool:
    """Errors on this path are JSON bodies, not pages."""
    return request.path.startswith(JSON_PREFIXES)


def bad_request_body(request, message: str) -> dict:
    """The body of a 400 answered before any view, in the shape the path's API documents:
    RDEX+'s {"errorCode", "errorMessage"}, else {"error", "status"}."""
    if request.path.startswith(RDEX_PREFIX):
        return {"errorCode": "invalid_input", "errorMessage": message}
    return {"error": message, "status": 400}


def safe_next(request, default: str = "/") -> str:
    """The `next` of the form or query string if it stays on this host, else `default`
    (a path or a URL name)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)
