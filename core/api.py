"""Shared API helpers: every error is JSON naming the problem, never an HTML page or a 500
for bad input."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import Conflict
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
        response.data = {"error": _("Invalid input."), "fields": response.data, "status": 400}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"error": response.data["detail"], "status": response.status_code}
    return response


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser through the one JSON reader of the project (core.inputs): depth and
    unstorable characters are a 400 naming the problem, never a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return json_loads(stream.read() if stream is not None else b"")
        except BadInput as exc:
            raise exceptions.ParseError(str(exc)) from exc
