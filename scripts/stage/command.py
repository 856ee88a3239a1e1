"""The `hfkit stage` click command: parse, wire the real clients from the environment, print one result."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING

import click

from scripts.stage.errors import StageError, UsageError
from scripts.stage.manifest import DEFAULT_PREFIX
from scripts.stage.pipeline import DEFAULT_MAX_STREAMS, DEFAULT_STREAMS_PER_FILE, MIN_PART_SIZE, PART_SIZE
from scripts.stage.stager import StageRequest, StageResult

if TYPE_CHECKING:
    from scripts.stage.progress import Reporter

_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$")


class _Redact(logging.Filter):
    """Belt and braces: no log record may carry the token, whatever library formatted it."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "***"), None
        return True


def _human_size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def _print_human(result: StageResult) -> None:
    where = f"{result.repo}@{result.commit}"
    if result.status == "dry-run":
        for f in result.files:
            click.echo(f"{_human_size(f.size):>11}  {f.path}")
        click.echo(f"{len(result.files)} files, {_human_size(result.total_size)} from {where} -> {result.destination}")
        click.echo("dry run: nothing was written")
        return
    if result.status == "already-staged":
        click.echo(f"already staged: {where} at {result.destination} ({len(result.files)} files, nothing downloaded)")
    else:
        counts = {a: sum(1 for f in result.files if f.action == a) for a in ("uploaded", "present", "adopted")}
        rate = result.bytes_transferred / max(result.seconds, 1e-9) / 2**20
        click.echo(
            f"staged {where} at {result.destination}: {len(result.files)} files, {_human_size(result.total_size)} "
            f"({counts['uploaded']} uploaded, {counts['present']} already present, {counts['adopted']} from a "
            f"concurrent run) in {result.seconds:.1f}s, {rate:.1f} MiB/s"
        )
    click.echo(f"manifest: {result.manifest}")


def _reporter() -> Reporter:
    """The live display only on a terminal; rich (~50 ms of imports) is not even loaded otherwise."""
    from scripts.stage.progress import QuietReporter

    if not sys.stderr.isatty():
        return QuietReporter()
    from rich.console import Console

    from scripts.stage.progress import make_reporter

    return make_reporter(Console(stderr=True))


def _result_doc(result: StageResult) -> dict[str, object]:
    doc = asdict(result)
    doc["total_size"] = result.total_size
    doc["notes"] = list(result.notes)
    return doc


@click.command("stage")
@click.argument("repo_id")
@click.option("--revision", default="main", show_default=True, help="Branch, tag or commit; pinned to its commit.")
@click.option("--bucket", required=True, help="Destination GCS bucket name (no gs://).")
@click.option("--prefix", default=DEFAULT_PREFIX, show_default=True, help="Folder inside the bucket.")
@click.option("--include", multiple=True, metavar="GLOB", help="Stage only matching paths (replaces the defaults).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Never stage matching paths (wins over --include).")
@click.option(
    "--max-streams",
    type=click.IntRange(1, 64),
    default=DEFAULT_MAX_STREAMS,
    show_default=True,
    help="Most parts moving at once (each a Hub GET feeding a GCS PUT); grown up to this while throughput grows.",
)
@click.option(
    "--streams-per-file",
    type=click.IntRange(1, 64),
    default=DEFAULT_STREAMS_PER_FILE,
    show_default=True,
    help="Most parts of one file moving at once.",
)
@click.option(
    "--part-size",
    type=click.IntRange(MIN_PART_SIZE >> 20, 512),
    default=PART_SIZE >> 20,
    show_default=True,
    metavar="MiB",
    help="Size of each part (GCS takes parts of 5 MiB or more); buffers are about 1.25 x max-streams x part-size.",
)
@click.option("--token-secret", metavar="projects/P/secrets/S", help="Read the HF token from Secret Manager.")
@click.option("--dry-run", is_flag=True, help="List what would be staged; touch nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON result document on stdout.")
def stage(
    repo_id: str,
    revision: str,
    bucket: str,
    prefix: str,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    max_streams: int,
    streams_per_file: int,
    part_size: int,
    token_secret: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Stream REPO_ID from the Hugging Face Hub into gs://BUCKET/PREFIX/ORG/MODEL/COMMIT/, verified.

    Honours HF_ENDPOINT, HF_TOKEN and STORAGE_EMULATOR_HOST. See docs/staging.md.
    """
    from scripts.stage.credentials import resolve_token
    from scripts.stage.hub import DEFAULT_ENDPOINT, HubClient
    from scripts.stage.retry import RetryPolicy
    from scripts.stage.stager import run

    logger = logging.getLogger("hfkit.stage")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("hfkit: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    token: str | None = None
    try:
        if not _BUCKET_RE.match(bucket):
            raise UsageError(
                f"--bucket '{bucket}' is not a GCS bucket name (lowercase letters, digits, - _ .; no gs://)"
            )
        token = resolve_token(token_secret)
        if token:
            handler.addFilter(_Redact(token))
        request = StageRequest(
            repo_id=repo_id,
            revision=revision,
            bucket=bucket,
            prefix=prefix.strip("/"),
            include=include,
            exclude=exclude,
            max_streams=max_streams,
            streams_per_file=streams_per_file,
            part_size=part_size << 20,
            dry_run=dry_run,
        )
        hub = HubClient(os.environ.get("HF_ENDPOINT", DEFAULT_ENDPOINT), token, RetryPolicy())
        result = run(request, hub, reporter=_reporter())
    except StageError as exc:
        message = exc.message.replace(token, "***") if token else exc.message
        click.echo(f"Error: {message}", err=True)
        if as_json:
            click.echo(json.dumps({"status": "error", "error": message, "exit_code": exc.exit_code}))
        sys.exit(exc.exit_code)
    finally:
        logger.removeHandler(handler)
    if as_json:
        click.echo(json.dumps(_result_doc(result), indent=2))
    else:
        _print_human(result)
