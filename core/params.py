"""Reading identifiers from query strings and forms without ever failing on bad input."""

MAX_ID_DIGITS = 18  # a bigint


def object_id(value) -> int | None:
    """A positive database id written in ASCII digits, else None ("²", "1e5", 5,000 digits…)."""
    if not isinstance(value, str) or not value.isascii() or not value.isdecimal():
        return None
    if len(value) > MAX_ID_DIGITS or int(value) == 0:
        return None
    return int(value)
