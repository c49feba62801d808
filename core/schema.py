"""The OpenAPI schema of the API (drf-spectacular): the error answers of every operation and
the session authentication with its CSRF token, so that the schema says what the API does."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny

from .api import ERRORS


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's, with the error answers every operation can give added from what the
    view is: any request can be refused as invalid (400); a view behind a session says 403,
    one that takes a key 401; a path with an id can be 404; a body 415; a throttled view 429.
    409 is the view's own to declare (`CONFLICT`)."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        for parameter in (operation or {}).get("parameters", []):
            # DRF reads `?day=` as "day not given" (an HTML form's empty field): say so.
            if parameter["in"] == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        return operation

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    ERRORS[code], str(code), direction=direction
                )
        return dict(sorted(responses.items()))

    def _error_codes(self) -> list[int]:
        codes = [400]
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            authenticators = self.view.get_authenticators()
            if any(a.authenticate_header(self.view.request) for a in authenticators):
                codes.append(401)
            codes.append(403)
        if "{" in self.path:
            codes.append(404)
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append(415)
        if self.view.get_throttles():
            codes.append(429)
        return codes

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        if str(status_code) == "429":
            headers["Retry-After"] = {
                "schema": {"type": "integer"},
                "description": "Seconds to wait before the next request.",
            }
        return headers


class SessionScheme(OpenApiAuthenticationExtension):
    """The signed-in browser's session cookie; the methods that change something also need
    the CSRF token, the `csrftoken` cookie's value sent back in the X-CSRFToken header."""

    target_class = SessionAuthentication
    name = ["cookieAuth", "csrfToken"]
    priority = 1  # over drf-spectacular's own (the session cookie alone)

    def get_security_requirement(self, auto_schema):
        if auto_schema.method in ("GET", "HEAD", "OPTIONS"):
            return {"cookieAuth": []}
        return {"cookieAuth": [], "csrfToken": []}

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "apiKey",
                "in": "cookie",
                "name": settings.SESSION_COOKIE_NAME,
                "description": "The session of a member signed in on this territory's site "
                "(/accounts/login/).",
            },
            {
                "type": "apiKey",
                "in": "header",
                "name": "X-CSRFToken",
                "description": "The value of the `csrftoken` cookie, for POST, PATCH and DELETE.",
            },
        ]
