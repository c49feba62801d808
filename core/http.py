"""Return addresses (`next`) taken from a request: only paths of the current site, never
another host (`//evil.example/`, `/\\evil.example`, `https://evil.example/`)."""

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default: str = "/") -> str:
    """The `next` of the form or query string if it stays on this host, else `default`
    (a path or a URL name)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)
