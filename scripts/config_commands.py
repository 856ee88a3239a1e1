"""`hfkit validate` and `hfkit schema`: check an environment file, publish its JSON Schema for editors."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

import click

from modules.config import ConfigError, Environment, config_path, load_environment

CONFIG_OPTION_HELP = "Environment file (default: $HFKIT_CONFIG, else hfkit.yaml at the repo root)."


def config_error_block(source: str, errors: Sequence[str]) -> list[str]:
    """How every command reports an invalid environment file on stderr: a header, then one line per problem."""
    return [f"{source}: {len(errors)} error(s)", *(f"  error: {line}" for line in errors)]


def load_or_exit(config: str | None, exit_code: int = 1) -> Environment:
    """Load the environment; on errors print each one on its own line to stderr and exit `exit_code` (commands whose
    exit 1 means something else, like `hfkit serve`'s "does not fit", pass their own)."""
    try:
        env = load_environment(config)
    except ConfigError as exc:
        for line in config_error_block(exc.source, exc.errors):
            click.echo(line, err=True)
        sys.exit(exit_code)
    for line in env.warnings():
        click.echo(f"  warning: {line}", err=True)
    return env


@click.command()
@click.option("--config", "-c", type=click.Path(dir_okay=False), help=CONFIG_OPTION_HELP)
def validate(config: str | None) -> None:
    """Check an environment file against the cloud facts; print every error (exit 1) or a one-line summary."""
    env = load_or_exit(config)
    click.echo(
        f"ok: {config_path(config)}: environment {env.environment!r} in {env.project}/{env.region}, "
        f"{len(env.tpu_pools)} TPU pool(s), {len(env.gpu_pools)} GPU pool(s)"
    )


def environment_schema() -> dict[str, object]:
    schema = Environment.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "hfkit environment"
    return schema


@click.command()
def schema() -> None:
    """Print the environment file's JSON Schema (also shipped as hfkit.schema.json for editors)."""
    click.echo(json.dumps(environment_schema(), indent=2, sort_keys=True))
