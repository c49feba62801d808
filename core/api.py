"""Shared API helpers: every error is JSON naming the problem, never an HTML page or a 500
for bad input, in one shape (`ErrorSerializer`, the schema's `Error` component; core/schema.py
adds it to every operation for the status codes it can answer)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, parsers, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .error_pages import in_territory
from .errors import Conflict
from .http import API_PREFIX
from .inputs import BadInput, json_loads


def exception_handler(exc, context):
    if isinstance(exc, Conflict):
        body = {"error": exc.message, "status": 409}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        fields = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return Response(
            {"error": _("Invalid input."), "fields": fields, "status": 400},
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = (
            response.data
            if isinstance(response.data, dict)
            else {"non_field_errors": response.data}
        )
        response.data = {"error": _("Invalid input."), "fields": fields, "status": 400}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"error": response.data["detail"], "status": response.status_code}
    return response


@in_territory
def page_not_found(request, exception):
    """Django's 404 page in the request's territory (core.error_pages), or under /api/ the
    API's error body (an id that no route takes, such as /api/v1/offers/abc/)."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"error": _("Not found."), "status": 404}, status=404)
    return defaults.page_not_found(request, exception)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser through the one JSON reader of the project (core.inputs): depth and
    unstorable characters are a 400 naming the problem, never a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return json_loads(stream.read() if stream is not None else b"")
        except BadInput as exc:
            raise exceptions.ParseError(str(exc)) from exc


# --- The schema.


class ErrorSerializer(serializers.Serializer):
    """Every error of the API: a message, the status, and for invalid input the fields."""

    error = serializers.CharField(help_text="What went wrong, in the request's language.")
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    field = serializers.CharField(
        required=False, help_text="409 only: the field the conflict is about, if any."
    )
    fields = serializers.DictField(
        required=False,
        help_text="400 only: per field at fault, its messages (nested for nested objects).",
    )


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


ERRORS = {
    400: error(
        "Invalid input: a parameter or a field of the body (named in `fields`), a body that "
        "is not JSON, or characters that cannot be stored."
    ),
    401: error("No key, or an unknown or revoked key (`Authorization: Bearer <key>`)."),
    403: error(
        "Not signed in, not a member of this territory, without the role this needs, or "
        "(methods that change something) without the CSRF token."
    ),
    404: error("No such object here, or not one you may see."),
    409: error(
        "The request is valid but what it asks is not possible now (the ride is full or "
        "has left, the booking is already cancelled…); `field` names the field at stake."
    ),
    415: error("The body must be JSON (Content-Type: application/json)."),
    429: error("Too many requests: wait as the Retry-After header says."),
}
CONFLICT = {409: ERRORS[409]}  # for `extend_schema(responses=…)` of the operations that have it
