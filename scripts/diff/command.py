"""`hfkit diff`: the working tree against a base git ref, synthesized offline; exit code says whether it changed."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scripts.cost.command import FORMAT_OPTION
from scripts.diff.git import GitError
from scripts.diff.synth import SynthError

#: Exit codes, like `git diff --exit-code`: 0 nothing changed, 1 something changed, 2 the diff could not be made.
NO_CHANGES, CHANGES, FAILED = 0, 1, 2


@click.command()
@click.option("--base", "base_ref", metavar="REF", help="Git ref to compare with (default: merge base with main).")
@click.option(
    "--config",
    "-c",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Environment file, taken from each tree at the same repo-relative path "
    "(default: $HFKIT_CONFIG, else hfkit.yaml at the repo root).",
)
@FORMAT_OPTION
def diff(base_ref: str | None, config: Path | None, fmt: str) -> None:
    """Resources created, updated, replaced and destroyed per stack, IAM changes and the cost delta.

    Exit code: 0 no changes, 1 changes, 2 error (git, synthesis or usage).
    """
    from scripts.diff.render import RENDERERS
    from scripts.diff.report import run_diff

    try:
        report = run_diff(Path.cwd(), base_ref, config)
    except (GitError, SynthError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(FAILED)
    click.echo(RENDERERS[fmt](report), nl=False)
    sys.exit(CHANGES if report.changed else NO_CHANGES)
