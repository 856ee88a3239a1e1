"""`hfkit serve` and the weights cache: where the weights come through GCS FUSE (vLLM on TPU, TGI) it pins the staged
size that sizes the in-memory cache, and refuses a model whose cache cannot fit the node, before writing anything.
Against a model staged by the real stager into a real fake-gcs-server."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from scripts.stage.manifest import MANIFEST_NAME
from tests.fit.staged import environment_file, stage_model
from tests.fit.test_fit_gcs import TINY
from tests.stage.conftest import Env, cli
from tests.stage.hub_server import HubServer

GIB = 1024**3


def manifest_blob(env: Env, repo: str, commit: str) -> object:
    return env.client.bucket(env.bucket).blob(f"models/{repo}/{commit}/{MANIFEST_NAME}")  # type: ignore[attr-defined]


def test_serve_pins_the_staged_size_where_the_weights_are_cached(env: Env, hub: HubServer, tmp_path: Path) -> None:
    staged = stage_model(env, hub, "acme/Tiny-Chat", {**TINY, "vocab_size": 512})
    config = environment_file(tmp_path, env.bucket)
    manifest = json.loads(manifest_blob(env, "acme/Tiny-Chat", staged["commit"]).download_as_bytes())  # type: ignore[attr-defined]
    total = sum(f["size"] for f in manifest["files"])

    on_tpu = cli(env, "serve", "acme/Tiny-Chat", "--pool", "v5e-2x4", "--name", "tpu", "-c", str(config))
    on_gpu = cli(env, "serve", "acme/Tiny-Chat", "--pool", "l4-x1", "--name", "gpu", "-c", str(config))
    with_tgi = cli(
        env, "serve", "acme/Tiny-Chat", "--pool", "l4-x1", "--engine", "tgi", "--name", "tgi", "-c", str(config)
    )

    assert (on_tpu.exit_code, on_gpu.exit_code) == (0, 0), (on_tpu.stderr, on_gpu.stderr)
    # l4-x1 has one node (node_count 1): a second deployment there does not fit beside `gpu`.
    assert with_tgi.exit_code == 2
    assert "deployments[2].replicas.max: 1 does not fit pool 'l4-x1'" in with_tgi.stderr
    entries = {e["name"]: e for e in yaml.safe_load(config.read_text())["deployments"]}
    assert entries["tpu"]["staged_bytes"] == total == manifest["total_size"]
    assert "staged_bytes" not in entries["gpu"]  # vLLM on GPUs streams from GCS: no cache to size


def test_serve_refuses_a_model_whose_cache_does_not_fit(env: Env, hub: HubServer, tmp_path: Path) -> None:
    """The staged commit also holds a 20 GiB file (say, original consolidated weights): everything under the pinned
    folder can be read through the mount, so the cache must hold it. On g2-standard-8 the cache may take 9054 MiB
    (tests/test_serving_errors.py works it out), so TGI there is refused, exit 1, with the file untouched."""
    staged = stage_model(env, hub, "acme/Big-Repo", {**TINY, "vocab_size": 512})
    blob = manifest_blob(env, "acme/Big-Repo", staged["commit"])
    manifest = json.loads(blob.download_as_bytes())  # type: ignore[attr-defined]
    extra = {"path": "original/consolidated.00.pth", "size": 20 * GIB, "hash": "sha256:" + "0" * 64}
    manifest["files"].append({**extra, "generation": 1, "crc32c": "AAAAAA=="})
    manifest["total_size"] += 20 * GIB
    blob.upload_from_string(json.dumps(manifest))  # type: ignore[attr-defined]
    total = manifest["total_size"]
    config = environment_file(tmp_path, env.bucket)
    before = config.read_text()

    result = cli(env, "serve", "acme/Big-Repo", "--pool", "l4-x1", "--engine", "tgi", "-c", str(config))

    assert (result.exit_code, result.stderr.strip()) == (
        1,
        f"Error: acme/Big-Repo: {total} bytes ({total / GIB:.1f} GiB) do not fit the in-memory GCS FUSE file cache "
        "on pool 'l4-x1' (g2-standard-8: 28.3 GiB allocatable, 16 GiB requested by the server, 1.5 GiB for GCS "
        "FUSE, 2 GiB for system pods); allowed: at most 9493807104 bytes (8.8 GiB) on g2-standard-8, else a machine "
        "type with more memory, or engine vllm on a GPU pool (it streams from GCS without a cache)",
    )
    assert config.read_text() == before
