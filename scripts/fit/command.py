"""The `hfkit fit` click command and the check `hfkit serve` shares with it.

Exit codes: 0 fits, 1 does not fit, 2 usage (unknown pool, bad MODEL), 3 not staged."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

import click
from google.api_core.exceptions import GoogleAPICallError

from modules.catalog.engines import ENGINES
from modules.config import Environment
from modules.fit.memory import Fit, PoolShape, fit, pool_shape, smallest_fitting_shape
from scripts.config_commands import CONFIG_OPTION_HELP, load_or_exit
from scripts.fit.errors import FitError, NotStagedError
from scripts.fit.source import StagedModel
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


@dataclass(frozen=True)
class FitCheck:
    staged: StagedModel
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
        profile = profile_staged(client, staged)
    except StageError as exc:  # no credentials
        raise FitError(exc.message) from None
    except GoogleAPICallError as exc:
        raise gcs_error(exc, bucket if not model.startswith("gs://") else model.split("/")[2], source) from None
    result = fit(profile, shape, ENGINES[engine], max_model_len, max_num_seqs)
    if result.fits:
        return FitCheck(staged, pool, result, None)
    alternative = smallest_fitting_shape(profile, ENGINES[engine], max_model_len, max_num_seqs)
    others = tuple(
        p.name
        for p in env.pools
        if p.name != pool and fit(profile, pool_shape(p), ENGINES[engine], max_model_len, max_num_seqs).fits
    )
    return FitCheck(staged, pool, result, alternative, others)


@click.command("fit")
@click.argument("model")
@click.option("--pool", required=True, help="Name of a tpu_pools / gpu_pools entry of the environment.")
@click.option("--engine", type=click.Choice(sorted(ENGINES)), default="vllm", show_default=True)
@click.option("--max-model-len", type=click.IntRange(1), help="Context to fit (default: the largest that fits).")
@click.option("--max-num-seqs", type=click.IntRange(1), default=1, show_default=True, help="Sequences at full context.")
@click.option("--prefix", default=DEFAULT_PREFIX, show_default=True, help="Folder the stager used in the bucket.")
@click.option("--config", "-c", type=click.Path(dir_okay=False), help=CONFIG_OPTION_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
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

    Reads only the manifest, config.json and the safetensors headers; shows weights, KV cache and headroom per
    device, the tensor-parallel size and the largest context that fits. Exit 0 fits, 1 does not fit.
    """
    from modules.config import config_path
    from scripts.fit.report import fit_document, fit_lines, profile_lines

    env = load_or_exit(config)
    try:
        check = check_fit(env, str(config_path(config)), model, pool, engine, max_model_len, max_num_seqs, prefix)
    except FitError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    staged, result = check.staged, check.fit
    if as_json:
        doc = fit_document(staged.uri, staged.manifest.commit, pool, result, check.alternative)
        doc["fitting_pools"] = list(check.fitting_pools)
        click.echo(json.dumps(doc, indent=2))
    else:
        click.echo(f"staged     {staged.manifest.repo} @ {staged.manifest.commit} ({staged.uri})")
        for line in [*profile_lines(result.profile), *fit_lines(result, pool, check.alternative)]:
            click.echo(line)
        if check.fitting_pools:
            click.echo(f"pools of this environment that fit: {', '.join(check.fitting_pools)}")
    sys.exit(0 if result.fits else 1)
