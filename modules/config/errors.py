"""Config errors as one line each: `<field path>: <value> <what is wrong>; allowed: <what is allowed>`.

pydantic reports a location tuple and a message; validators that check several fields at once raise `FieldError`
so the line still names the exact field instead of the pool or bucket that holds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError


class FieldError(ValueError):
    """A rule broken by one field of the model being validated (`field` may be dotted: `autoscaling.min_nodes`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class ConfigError(Exception):
    """The environment file is invalid: `errors` holds every problem, one line each."""

    def __init__(self, source: str, errors: Sequence[str]) -> None:
        self.source = source
        self.errors = list(errors)
        super().__init__(f"{source}: " + "; ".join(self.errors))


def field_path(loc: Sequence[str | int]) -> str:
    """('tpu_pools', 0, 'topology') -> 'tpu_pools[0].topology'."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _describe(error: Any) -> str:
    loc = list(error["loc"])
    ctx = error.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, FieldError):
        parts = [int(p) if p.isdigit() else p for p in cause.field.split(".")]
        return f"{field_path([*loc, *parts])}: {cause.message}"
    if isinstance(cause, ValueError):
        return f"{field_path(loc) or 'config'}: {cause}"
    if error["type"] == "extra_forbidden":
        return f"{field_path(loc)}: unknown field; check the spelling against the config reference in README.md"
    if error["type"] == "missing":
        return f"{field_path(loc)}: required field is missing"
    message = error["msg"]
    return f"{field_path(loc) or 'config'}: {error['input']!r} is not allowed; {message[:1].lower()}{message[1:]}"


def describe_validation_error(exc: ValidationError) -> list[str]:
    """Every pydantic error as one line that names the field, the value received and what is allowed."""
    return [_describe(error) for error in exc.errors()]
