"""Errors shared by services: field problems are Django's ValidationError (HTTP 400), a valid
request that the current state does not allow is a Conflict (HTTP 409)."""


class Conflict(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = str(message)
        self.field = field
