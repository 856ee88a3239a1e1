"""One-line errors of `hfkit fit` and `hfkit serve`, each naming the value and the fix, with an exit code.

Exit codes: 0 fits, 1 does not fit, 2 usage, 3 not staged, 4 invalid environment file, 5 model cannot be sized."""

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


class EnvironmentFileError(FitError):
    """Exit 4: the environment file is invalid (`hfkit validate` lists the same errors)."""

    exit_code = 4

    def __init__(self, source: str, errors: tuple[str, ...]) -> None:
        super().__init__(f"{source}: {len(errors)} error(s): {'; '.join(errors)}")
        self.source = source
        self.errors = errors


class ModelError(FitError):
    """Exit 5: the staged model cannot be sized (config or header malformed, or an architecture not modelled)."""

    exit_code = 5
