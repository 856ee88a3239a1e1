"""Errors that end a staging run with a one-line message and a documented exit code.

Every message is written for the person at the terminal: it names the thing, the value and the fix. The command
prints it as `Error: <message>` and exits with `exit_code` (see docs/staging.md for the table).
"""

from __future__ import annotations


class StageError(Exception):
    """A permanent failure: retrying the same command unchanged will not help (or already did not)."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(StageError):
    """The command line asks for something impossible (e.g. patterns that select no file)."""

    exit_code = 2


class NotFoundError(StageError):
    """A named thing does not exist: repository, revision, file, bucket or secret."""

    exit_code = 3


class AccessError(StageError):
    """The thing exists but the caller may not read or write it: gated repo, bad token, bucket or secret IAM."""

    exit_code = 4


class IntegrityError(StageError):
    """Bytes did not match the hash or size the Hub declared; nothing was written for the file."""

    exit_code = 5
