"""One-line errors of `hfkit fit` and `hfkit serve`, each naming the value and the fix, with an exit code."""

from __future__ import annotations


class FitError(Exception):
    """Exit 2: the command line or environment asks for something impossible (unknown pool, bad MODEL)."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotStagedError(FitError):
    """Exit 3: the model (or the manifest named) is not staged in the bucket."""

    exit_code = 3


class DoesNotFitError(FitError):
    """Exit 1: the model does not fit the pool."""

    exit_code = 1
