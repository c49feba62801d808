"""Where input enters: text that PostgreSQL cannot store (NUL characters, lone surrogates) and
JSON too deep to walk are refused at the door with a 400, once for every page and API, instead
of failing later as a 500 in whatever query meets them."""

from __future__ import annotations

import json

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

MAX_JSON_DEPTH = 32
# In English, as every error body of the partner APIs that share this reader.
UNSTORABLE = "The body contains characters that cannot be stored (NUL, lone surrogates)."


class BadInput(ValueError):
    """The message is user-facing."""


def storable(text: str) -> bool:
    """Text PostgreSQL can store: no NUL, valid UTF-8 (no lone surrogate)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def json_loads(raw: bytes | str):
    """JSON as the APIs accept it: valid, at most MAX_JSON_DEPTH levels deep, every string
    (keys included) storable. Raises BadInput."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadInput("The body is not valid JSON.") from None
    stack = [(data, 1)]
    while stack:  # iterative: the check itself never recurses
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise BadInput(f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.")
        if isinstance(value, dict):
            for key, item in value.items():
                if not storable(key):
                    raise BadInput(UNSTORABLE)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and not storable(value):
            raise BadInput(UNSTORABLE)
    return data


class InputMiddleware:
    """Query strings and form fields with characters that cannot be stored get a 400 (JSON on
    the API paths) before any view sees them."""

    API_PREFIXES = ("/api/", "/interop/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        fields = list(request.GET.lists())
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            fields += list(request.POST.lists())
        for key, values in fields:
            if not all(storable(text) for text in (key, *values)):
                return self._refused(request, key)
        return self.get_response(request)

    def _refused(self, request, field: str):
        message = _("The field %(field)s contains characters that cannot be stored.") % {
            "field": field if storable(field) else "?"
        }
        if request.path.startswith(self.API_PREFIXES):
            return JsonResponse({"error": message, "status": 400}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
