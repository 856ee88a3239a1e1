"""Stage a synthetic model with the real stager, and write an environment file that points at its bucket."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import yaml

from tests.fit.models import decoder_headers
from tests.stage.conftest import REPO_ROOT, Env, cli
from tests.stage.hub_server import HubServer

DTYPE_BYTES = {"BF16": 2, "F32": 4}


def safetensors(tensors: dict[str, Any]) -> tuple[bytes, int]:
    """A real safetensors file (header with data offsets, then zeroed data) and its header length."""
    header: dict[str, Any] = {}
    offset = 0
    for name, tensor in tensors.items():
        if name == "__metadata__":
            header[name] = tensor
            continue
        size = math.prod(tensor["shape"]) * DTYPE_BYTES[tensor["dtype"]]
        header[name] = {"dtype": tensor["dtype"], "shape": tensor["shape"], "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    return len(raw).to_bytes(8, "little") + raw + bytes(offset), len(raw)


def stage_files(env: Env, hub: HubServer, repo_id: str, files: dict[str, bytes], *stage_args: str) -> str:
    """Put a repo on the Hub server and stage it with `hfkit stage` (extra arguments passed on); returns the commit."""
    commit = hub.add_repo(repo_id, files)
    result = cli(env, "stage", repo_id, "--bucket", env.bucket, *stage_args)
    assert result.exit_code == 0, result.stderr
    return commit


def stage_model(env: Env, hub: HubServer, repo_id: str, config: dict[str, Any], shards: int = 2) -> dict[str, Any]:
    """Put a model on the Hub server and stage it into the test bucket; returns what the test checks against."""
    files: dict[str, bytes] = {"config.json": json.dumps(config).encode(), "README.md": b"# synthetic\n"}
    header_lengths = {}
    for index, tensors in enumerate(decoder_headers(config, shards=shards)):
        name = f"model-{index + 1:05d}-of-{shards:05d}.safetensors"
        files[name], header_lengths[name] = safetensors(tensors)
    commit = stage_files(env, hub, repo_id, files)
    return {"commit": commit, "files": files, "header_lengths": header_lengths}


def environment_file(tmp_path: Path, bucket: str, **extra: Any) -> Path:
    """The example environment with the test bucket and a pool of each kind the tests need."""
    data = yaml.safe_load((REPO_ROOT / "hfkit.yaml").read_text())
    data["weights_bucket"] = {"name": bucket}
    data["tpu_pools"] = [
        {"name": "v5e-2x4", "machine_type": "ct5lp-hightpu-8t"},
        {"name": "v5e-4x8", "machine_type": "ct5lp-hightpu-4t", "topology": "4x8"},
    ]
    data["gpu_pools"] = [{"name": "l4-x1", "machine_type": "g2-standard-8"}]
    data.update(extra)
    path = tmp_path / "env.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path
