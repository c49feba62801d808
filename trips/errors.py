from django.core.exceptions import ValidationError


class Conflict(Exception):
    """The request is valid but the state does not allow it (full ride, already decided…):
    HTTP 409 in the API, a form error on pages."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


__all__ = ["Conflict", "ValidationError"]
