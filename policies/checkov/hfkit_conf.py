"""Reading checkov's parsed resource configuration.

checkov parses terraform_json as it parses HCL: every attribute value and every nested block arrives wrapped in a list
(`{"logging": [{"log_bucket": ["x"]}]}`). The checks walk that shape through `first` instead of indexing by hand, so a
missing block reads as None rather than raising inside checkov (which would log the error and drop the check).
"""

from __future__ import annotations

from typing import Any


def first(conf: Any, *path: str) -> Any:
    """The value at `path`, unwrapping the one-item list around each step; None when any step is missing."""
    value = conf
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
    return value


def is_true(value: Any) -> bool:
    """A literal true: checkov keeps JSON booleans but may leave "true" as a string."""
    return value is True or (isinstance(value, str) and value.lower() == "true")
