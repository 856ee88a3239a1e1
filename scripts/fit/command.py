"""The `hfkit fit` click command and the check `hfkit serve` shares with it.

Exit codes: 0 fits, 1 does not fit, 2 usage (unknown pool, bad MODEL, bad option), 3 not staged, 4 invalid
environment file, 5 the model cannot be sized. With `--json`, stdout always holds exactly one JSON document: the fit,
or `{"error": ..., "exit_code": ...}` on any failure."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any, NoReturn

import click
from google.api_core.exceptions import GoogleAPICallError

from modules.catalog.engines import ENGINES
from modules.config import ConfigError, Environment
from modules.fit.memory import Fit, PoolShape, fit, pool_shape, smallest_fitting_shape
from scripts.config_commands import CONFIG_OPTION_HELP, config_error_block
from scripts.fit.errors import EnvironmentFileError, FitError, NotStagedError
from scripts.fit.source import StagedModel, StagedProfile
from scripts.stage.errors import StageError
from scripts.stage.manifest import DEFAULT_PREFIX


def gcs_error(exc: GoogleAPICallError, bucket: str, source: str) -> FitError:
    """The GCS failures a user can fix, as one line; anything else keeps its own message."""
    if exc.code == 404:
        return NotStagedError(
            f"bucket '{bucket}' does not exist; allowed: the weights bucket of {source} "
            "(deploy the storage stack) or a gs:// path in an existing bucket"
        )
    if exc.code in (401, 403):
        return FitError(
            f"permission denied on bucket '{bucket}' (HTTP {exc.code}); allowed: an identity with "
            "roles/storage.objectViewer on the bucket (e.g. the stager or serving service account)"
        )
    return FitError(f"GCS request failed on bucket '{bucket}': {exc.message}")


def load_environment_file(config: str | None) -> Environment:
    """The environment, or EnvironmentFileError (exit 4, not 1: 1 means "does not fit") with every problem."""
    from modules.config import load_environment

    try:
        env = load_environment(config)
    except ConfigError as exc:
        raise EnvironmentFileError(exc.source, tuple(exc.errors)) from None
    for line in env.warnings():
        click.echo(f"  warning: {line}", err=True)
    return env


@dataclass(frozen=True)
class FitCheck:
    staged: StagedModel
    sized: StagedProfile
    pool: str
    fit: Fit
    alternative: PoolShape | None
    """Smallest catalog shape that fits, when the pool does not."""
    fitting_pools: tuple[str, ...] = ()
    """Other pools of the environment that fit, when the pool does not."""


def find_pool(env: Environment, name: str, source: str) -> PoolShape:
    for pool in env.pools:
        if pool.name == name:
            return pool_shape(pool)
    names = ", ".join(p.name for p in env.pools) or "none (add tpu_pools or gpu_pools)"
    raise FitError(f"--pool {name!r} is not a pool of {source}; allowed: {names}")


def check_fit(
    env: Environment,
    source: str,
    model: str,
    pool: str,
    engine: str = "vllm",
    max_model_len: int | None = None,
    max_num_seqs: int = 1,
    prefix: str = DEFAULT_PREFIX,
) -> FitCheck:
    """Resolve MODEL in the environment's weights bucket, profile it from headers, fit it on the pool."""
    from scripts.fit.source import profile_staged, resolve_model
    from scripts.stage.gcs import make_client

    shape = find_pool(env, pool, source)
    bucket = env.weights_bucket.name
    try:
        client = make_client()
        staged = resolve_model(client, model, bucket, prefix)
        sized = profile_staged(client, staged)
    except StageError as exc:  # no credentials
        raise FitError(exc.message) from None
    except GoogleAPICallError as exc:
        raise gcs_error(exc, bucket if not model.startswith("gs://") else model.split("/")[2], source) from None
    profile = sized.profile
    result = fit(profile, shape, ENGINES[engine], max_model_len, max_num_seqs)
    if result.fits:
        return FitCheck(staged, sized, pool, result, None)
    alternative = smallest_fitting_shape(profile, ENGINES[engine], max_model_len, max_num_seqs)
    others = tuple(
        p.name
        for p in env.pools
        if p.name != pool and fit(profile, pool_shape(p), ENGINES[engine], max_model_len, max_num_seqs).fits
    )
    return FitCheck(staged, sized, pool, result, alternative, others)


def fail(exc: FitError, as_json: bool, **context: Any) -> NoReturn:
    """Report a failure on stderr once (an invalid environment file as `hfkit validate` does: a header and one line
    per problem) and, with --json, as the one JSON document on stdout; exit with its code."""
    if isinstance(exc, EnvironmentFileError):
        for line in config_error_block(exc.source, exc.errors):
            click.echo(line, err=True)
    else:
        click.echo(f"Error: {exc.message}", err=True)
    if as_json:
        doc: dict[str, Any] = {"error": exc.message, "exit_code": exc.exit_code, **context}
        if isinstance(exc, EnvironmentFileError):
            doc["errors"] = list(exc.errors)
        click.echo(json.dumps(doc, indent=2))
    sys.exit(exc.exit_code)


class JsonErrorsCommand(click.Command):
    """A command whose command-line errors also honour `--json` (click reports them before the callback runs)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        wants_json = "--json" in args
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            if not wants_json:
                raise
            fail(FitError(exc.format_message()), True)


@click.command("fit", cls=JsonErrorsCommand)
@click.argument("model")
@click.option("--pool", required=True, help="Name of a tpu_pools / gpu_pools entry of the environment.")
@click.option("--engine", type=click.Choice(sorted(ENGINES)), default="vllm", show_default=True)
@click.option("--max-model-len", type=click.IntRange(1), help="Context to fit (default: the largest that fits).")
@click.option("--max-num-seqs", type=click.IntRange(1), default=1, show_default=True, help="Sequences at full context.")
@click.option("--prefix", default=DEFAULT_PREFIX, show_default=True, help="Folder the stager used in the bucket.")
@click.option("--config", "-c", type=click.Path(dir_okay=False), help=CONFIG_OPTION_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout (also on errors).")
def fit_command(
    model: str,
    pool: str,
    engine: str,
    max_model_len: int | None,
    max_num_seqs: int,
    prefix: str,
    config: str | None,
    as_json: bool,
) -> None:
    """Size staged MODEL (ORG/NAME: its latest staged commit; or gs://.../hfkit-manifest.json) on a pool.

    Reads only the manifest, config.json, the safetensors index and the headers of the shards the engine loads;
    shows weights, start-up reservations, KV cache and headroom per device, the tensor-parallel size and the
    largest context the engine accepts. Exit 0 fits, 1 does not fit, 2 usage, 3 not staged, 4 invalid environment
    file, 5 model cannot be sized.
    """
    from modules.config import config_path
    from scripts.fit.report import fit_document, fit_lines, profile_lines

    try:
        env = load_environment_file(config)
        check = check_fit(env, str(config_path(config)), model, pool, engine, max_model_len, max_num_seqs, prefix)
    except FitError as exc:
        fail(exc, as_json, model=model, pool=pool)
    staged, result = check.staged, check.fit
    if as_json:
        doc = fit_document(staged.uri, staged.manifest.commit, pool, result, check.alternative, check.sized)
        doc["fitting_pools"] = list(check.fitting_pools)
        click.echo(json.dumps(doc, indent=2))
    else:
        click.echo(f"staged     {staged.manifest.repo} @ {staged.manifest.commit} ({staged.uri})")
        for line in [*profile_lines(result.profile, check.sized), *fit_lines(result, pool, check.alternative)]:
            click.echo(line)
        if check.fitting_pools:
            click.echo(f"pools of this environment that fit: {', '.join(check.fitting_pools)}")
    sys.exit(0 if result.fits else 1)
