from django.core.exceptions import ValidationError

from core.errors import Conflict

__all__ = ["Conflict", "ValidationError"]
