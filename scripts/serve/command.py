"""The `hfkit serve` click command: check, then pin a deployment in the environment file (and optionally deploy).

Exit codes: 0 written (and deployed), 1 does not fit or deploy failed (the file is already written then), 2 usage,
3 not staged, 4 invalid environment file, 5 model cannot be sized (as `hfkit fit`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click

from modules.catalog.engines import ENGINES, tpu_image_problem
from modules.catalog.serving import MULTI_HOST_REASON
from modules.config import Environment, GpuPool, TpuPool
from modules.serving.memory import cache_fit_error, load_path
from scripts.config_commands import CONFIG_OPTION_HELP, load_or_exit
from scripts.fit.errors import DoesNotFitError, EnvironmentFileError, FitError
from scripts.stage.manifest import DEFAULT_PREFIX

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVING_STACK = "serving"
_REPLICAS = re.compile(r"^(\d+)(?::(\d+))?$")


def deploy_command(config: Path) -> tuple[list[str], dict[str, str]]:
    """`npx cdktf deploy serving` for this environment file (cdktf.json runs main.py, which reads HFKIT_CONFIG)."""
    return ["npx", "cdktf", "deploy", SERVING_STACK], {"HFKIT_CONFIG": str(config.resolve())}


def parse_replicas(value: str) -> tuple[int, int]:
    match = _REPLICAS.match(value)
    low, high = (int(match[1]), int(match[2] or match[1])) if match else (0, 0)
    if not match or not 1 <= low <= high:
        raise FitError(f"--replicas {value!r} is not MIN:MAX with 1 <= MIN <= MAX; allowed: e.g. 1:3 or 2")
    return low, high


def default_name(model: str) -> str:
    """A DNS-label deployment name from the repo name: meta-llama/Llama-3.1-8B -> llama-3-1-8b."""
    base = re.sub(r"[^a-z0-9]+", "-", model.rsplit("/", 1)[-1].lower()).strip("-")
    if not base[:1].isalpha():
        base = f"m-{base}"
    return base[:40].rstrip("-")


def check_pool(env: Environment, source: str, pool_name: str, engine: str) -> TpuPool | GpuPool:
    """Refuse, before any GCS read, a pool the engine cannot use."""
    pools = {p.name: p for p in env.pools}
    pool = pools.get(pool_name)
    if pool is None:
        names = ", ".join(pools) or "none (add tpu_pools or gpu_pools)"
        raise FitError(f"--pool {pool_name!r} is not a pool of {source}; allowed: {names}")
    if isinstance(pool, TpuPool) and "tpu" not in ENGINES[engine].accelerators:
        gpus = ", ".join(p.name for p in env.gpu_pools) or "none defined"
        raise FitError(
            f"--engine {engine} does not run on TPU pool {pool_name!r}; allowed: --engine vllm, or a GPU pool ({gpus})"
        )
    if isinstance(pool, TpuPool) and pool.multi_host:
        single = ", ".join(p.name for p in env.tpu_pools if not p.multi_host) or "none defined"
        raise FitError(
            f"--pool {pool_name!r} is a multi-host TPU slice ({pool.resolved_topology}) and {MULTI_HOST_REASON}; "
            f"allowed: a single-host TPU pool ({single}) or a GPU pool"
        )
    if isinstance(pool, TpuPool) and (problem := tpu_image_problem(pool.generation.name)):
        raise FitError(f"--pool {pool_name!r} runs TPU {pool.generation.name}: {problem}")
    return pool


def _gb(n: int) -> str:
    return f"{n / 1024**3:.2f} GiB"


@click.command("serve")
@click.argument("model", required=False)
@click.option("--pool", help="Name of a tpu_pools / gpu_pools entry of the environment.")
@click.option("--engine", type=click.Choice(sorted(ENGINES)), default="vllm", show_default=True)
@click.option("--name", help="Deployment (and namespace) name; default: from the repo name.")
@click.option("--replicas", default="1:1", show_default=True, help="MIN:MAX replicas for the autoscaler.")
@click.option("--max-model-len", type=click.IntRange(1), help="Context to serve (default: the largest that fits).")
@click.option("--prefix", default=DEFAULT_PREFIX, show_default=True, help="Folder the stager used in the bucket.")
@click.option("--remove", "remove", metavar="NAME", help="Remove the deployment NAME instead.")
@click.option("--deploy", is_flag=True, help=f"Then run `npx cdktf deploy {SERVING_STACK}`.")
@click.option("--config", "-c", type=click.Path(dir_okay=False), help=CONFIG_OPTION_HELP)
def serve(
    model: str | None,
    pool: str | None,
    engine: str,
    name: str | None,
    replicas: str,
    max_model_len: int | None,
    prefix: str,
    remove: str | None,
    deploy: bool,
    config: str | None,
) -> None:
    """Pin staged MODEL (ORG/NAME: latest staged commit; or gs://.../hfkit-manifest.json) on a pool.

    Checks the manifest exists and the model fits, then adds or updates a `deployments` entry in the environment
    file (comments and layout kept), pinning the commit, the GCS path, tensor-parallel size and context length.
    """
    from modules.config import config_path

    path = config_path(config)
    env = load_or_exit(config, exit_code=EnvironmentFileError.exit_code)
    try:
        if remove is not None:
            from scripts.serve.edit import remove_deployment

            left = remove_deployment(path, remove)
            click.echo(f"removed deployment {remove!r} from {path} ({left} left)")
            if deploy and not left:
                raise FitError(
                    f"--deploy: {path} has no deployments left, so there is no {SERVING_STACK} stack to deploy; "
                    f"allowed: run `npx cdktf destroy {SERVING_STACK}` before removing the last deployment"
                )
        else:
            _pin(env, path, model, pool, engine, name, replicas, max_model_len, prefix)
    except FitError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    if deploy:
        argv, extra = deploy_command(path)
        click.echo(f"running: HFKIT_CONFIG={extra['HFKIT_CONFIG']} {' '.join(argv)}")
        try:
            code = subprocess.run(argv, cwd=REPO_ROOT, env={**os.environ, **extra}).returncode
        except OSError as exc:  # npx missing: one line, not a traceback
            click.echo(f"Error: --deploy: cannot run {argv[0]}: {exc.strerror}; allowed: install Node.js", err=True)
            code = 1
        sys.exit(1 if code else 0)


def _pin(
    env: Environment,
    path: Path,
    model: str | None,
    pool_name: str | None,
    engine: str,
    name: str | None,
    replicas: str,
    max_model_len: int | None,
    prefix: str,
) -> None:
    from scripts.fit.command import check_fit
    from scripts.serve.edit import deployed_model, upsert_deployment

    if model is None or pool_name is None:
        raise FitError("MODEL and --pool are required; allowed: hfkit serve MODEL --pool NAME, or --remove NAME")
    low, high = parse_replicas(replicas)
    check_pool(env, str(path), pool_name, engine)
    check = check_fit(env, str(path), model, pool_name, engine, max_model_len, 1, prefix)
    staged, fit = check.staged, check.fit
    repo = staged.manifest.repo
    name = name or default_name(repo)
    existing = deployed_model(path, name)
    if existing is not None and existing != repo:
        raise FitError(
            f"--name {name!r} is already the deployment of {existing}; allowed: another --name, "
            f"or `hfkit serve --remove {name}` first"
        )
    if not fit.fits:
        where = check.alternative.describe() if check.alternative else "none in the catalog (quantize the model)"
        if check.fitting_pools:
            where += f"; pools of this environment that fit: {', '.join(check.fitting_pools)}"
        numbers = ""
        if fit.facts is not None:
            kv = f" + KV cache {_gb(fit.kv_bytes)} for {fit.max_model_len:,} tokens" if fit.kv_budget_bytes > 0 else ""
            numbers = (
                f"; per device: weights {_gb(fit.weight_bytes)} + start-up reservations "
                f"{_gb(fit.reservation.total)}{kv} vs {_gb(fit.usable_bytes)} usable"
            )
        raise DoesNotFitError(
            f"{repo} does not fit pool {pool_name!r}, {fit.shape.describe()}: {fit.problem}{numbers}; "
            f"smallest shape that fits: {where}"
        )
    accelerator = "tpu" if isinstance(env.pool(pool_name), TpuPool) else "gpu"
    staged_bytes = None
    if load_path(engine, accelerator) == "fuse-memory-cache":
        # The weights are cached in memory through GCS FUSE: the staged size must fit beside the server.
        staged_bytes = staged.manifest.total_size
        problem = cache_fit_error(engine, env.pool(pool_name).machine_type, pool_name, staged_bytes)
        if problem:
            raise DoesNotFitError(f"{repo}: {problem}")
    values = {
        "name": name,
        "model": repo,
        "commit": staged.manifest.commit,
        "path": staged.uri,
        "pool": pool_name,
        "engine": engine,
        "tensor_parallel_size": fit.tensor_parallel,
        # The context the engine accepts at start-up (modules/fit/memory.py: weights, the engine's start-up
        # reservations and the kit's safety margin are taken first); the serving stack passes it unchanged.
        "max_model_len": fit.max_model_len,
        "replicas": {"min": low, "max": high},
    }
    if staged_bytes is not None:
        values["staged_bytes"] = staged_bytes
    action = upsert_deployment(path, values)
    click.echo(
        f"{action} deployment {name!r} in {path}: {repo}@{staged.manifest.commit} on {pool_name} ({engine}, "
        f"tensor parallel {fit.tensor_parallel}, max model len {fit.max_model_len}, replicas {low}-{high})"
    )
    click.echo(f"review the change, then: npx cdktf deploy {SERVING_STACK}   (or hfkit serve ... --deploy)")
