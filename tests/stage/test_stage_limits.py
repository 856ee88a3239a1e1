"""What the transfer design promises about its own costs (docs/staging.md, Transfer design): a run imports none of
the heavy libraries it replaced, and its buffers are bounded by the streams, not by the number or size of files."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest

from scripts.stage import pipeline
from scripts.stage.gcs import connect
from scripts.stage.hub import HubClient
from scripts.stage.retry import RetryPolicy
from scripts.stage.stager import StageRequest, run
from tests.stage.conftest import REPO_ROOT, Env
from tests.stage.gcs_proxy import GcsProxy
from tests.stage.hub_server import HubServer

MiB = 1024 * 1024

# scripts/stage/__init__.py: "Nothing here imports cdktf, huggingface_hub or google-cloud-storage"; scripts/cli.py: a
# subcommand does not pay for the pydantic config models; command.py: rich only draws on a terminal.
HEAVY = ("huggingface_hub", "google.cloud.storage", "cdktf", "constructs", "pydantic", "rich")

_RUN_AND_REPORT = """
import json, sys
from scripts.cli import main
main(sys.argv[1:], prog_name="hfkit", standalone_mode=False)
io = dict(line.split(": ") for line in open("/proc/self/io").read().splitlines())
print(json.dumps({"modules": sorted(sys.modules), "disk": int(io["write_bytes"])}), file=sys.stderr)
"""


def weights(n: int, seed: bytes) -> bytes:
    block = hashlib.sha256(seed).digest()
    return (block * (n // len(block) + 1))[:n]


@pytest.mark.skipif(not os.path.exists("/proc/self/io"), reason="Linux only: reads the process's I/O accounting")
def test_a_stage_run_imports_no_heavy_library_and_writes_nothing_to_disk(
    env: Env, hub: HubServer, gcs_proxy: GcsProxy
) -> None:
    """A whole run, in a fresh interpreter, over both upload paths (a 12 MiB file as an XML multipart upload of
    5 MiB parts, small files in one request each): its imports are the CLI's fixed cost before the first byte, and
    it writes no byte to local storage (`write_bytes` of /proc/PID/io, as bench/stage.py measures it; -B keeps the
    interpreter from writing bytecode caches)."""
    files = {"model.safetensors": weights(12 * MiB, b"imports"), "config.json": b"{}", "tokenizer.json": b"[]"}
    commit = hub.add_repo("acme/imports", files)
    variables = {**os.environ, **env.vars, "PYTHONPATH": str(REPO_ROOT)}
    variables.pop("HF_TOKEN", None)
    args = ["stage", "acme/imports", "--bucket", env.bucket, "--part-size", "5", "--json"]

    proc = subprocess.run(
        [sys.executable, "-B", "-c", _RUN_AND_REPORT, *args],
        cwd=REPO_ROOT,
        env=variables,
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout)["status"] == "staged"
    assert env.read(f"models/acme/imports/{commit}/model.safetensors") == files["model.safetensors"]
    assert len(gcs_proxy.completed) == 1  # the multipart path ran
    report = json.loads(proc.stderr.decode().splitlines()[-1])
    assert [m for m in report["modules"] if any(m == h or m.startswith(h + ".") for h in HEAVY)] == []
    assert report["disk"] == 0


class CountingPool(pipeline.BufferPool):
    """The pipeline's buffer pool, counting the buffers it creates and the most lent out at once."""

    pools: list[CountingPool] = []

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.lent = self.most_lent = 0
        self.buffers: set[int] = set()  # ids of the buffers lent: the pool keeps every one alive, so ids are unique
        CountingPool.pools.append(self)

    @property
    def created(self) -> int:
        return len(self.buffers)

    def take(self):  # type: ignore[no-untyped-def]
        buffer = super().take()
        with self._lock:
            self.buffers.add(id(buffer))
            self.lent += 1
            self.most_lent = max(self.most_lent, self.lent)
        return buffer

    def give(self, buffer) -> None:  # type: ignore[no-untyped-def]
        with self._lock:
            self.lent -= 1
        super().give(buffer)


def test_many_small_files_do_not_multiply_buffers(
    env: Env, hub: HubServer, gcs_proxy: GcsProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """200 small files (LFS and regular) beside a 12 MiB file of three 5 MiB parts, over 4 streams: every buffer
    comes from one pool of parts of 5 MiB, which never lends more than 4 + 1 (streams plus a quarter, at least one
    spare: Pipeline._buffers_for) and gets every one back. Peak memory follows from that count (bench figures in
    docs/staging.md: 1,000 x 1 MiB and 4 x 2 GiB), whatever the number of files."""
    monkeypatch.setattr(pipeline, "BufferPool", CountingPool)
    CountingPool.pools.clear()
    files = {f"shard-{i:03d}.safetensors": weights(1000 + 37 * i, b"s%d" % i) for i in range(100)}
    files |= {f"vocab/part-{i:03d}.txt": weights(500 + 11 * i, b"v%d" % i) for i in range(100)}
    files["model.safetensors"] = weights(12 * MiB, b"big")
    commit = hub.add_repo("acme/many-small", files)
    request = StageRequest(repo_id="acme/many-small", revision="main", bucket=env.bucket, prefix="models",
                           max_streams=4, part_size=5 * MiB)  # fmt: skip

    result = run(request, HubClient(hub.url, None, RetryPolicy(attempts=4, initial_wait=0.01, max_wait=0.05)),
                 gcs=connect(gcs_proxy.url))  # fmt: skip

    assert result.status == "staged" and len(result.files) == 201
    assert env.read(f"models/acme/many-small/{commit}/model.safetensors") == files["model.safetensors"]
    [pool] = CountingPool.pools
    assert pool.size == 5 * MiB
    assert 1 <= pool.most_lent <= 5 and pool.created <= 5
    assert pool.lent == 0
