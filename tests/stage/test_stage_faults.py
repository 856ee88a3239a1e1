"""Fault tolerance: Range resume after a dropped connection, retries on 5xx/429 bursts (Hub and GCS), and content
that does not match its declared hash. These call the stager's Python API with a fast retry policy, so backoff
does not slow the suite; the CLI uses the same code with production waits."""

from __future__ import annotations

import hashlib
import logging

import pytest

from scripts.stage.errors import IntegrityError, StageError
from scripts.stage.gcs import CHUNK_SIZE
from scripts.stage.hub import HubClient
from scripts.stage.manifest import MANIFEST_NAME
from scripts.stage.retry import RetryPolicy
from scripts.stage.stager import StageRequest, StageResult, run
from scripts.stage.verified_stream import READ_SIZE
from tests.stage.conftest import Env
from tests.stage.gcs_proxy import GcsProxy
from tests.stage.hub_server import HubServer

MiB = 1024 * 1024
FAST = RetryPolicy(attempts=4, initial_wait=0.01, max_wait=0.05)


def weights(n: int, seed: bytes) -> bytes:
    block = hashlib.sha256(seed).digest()
    return (block * (n // len(block) + 1))[:n]


def stage(env: Env, hub: HubServer, gcs_proxy: GcsProxy, repo: str, token: str | None = None) -> StageResult:
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    client = storage.Client(
        project="test", credentials=AnonymousCredentials(), client_options=ClientOptions(api_endpoint=gcs_proxy.url)
    )
    request = StageRequest(repo_id=repo, revision="main", bucket=env.bucket, prefix="models", workers=2)
    return run(request, HubClient(hub.url, token, FAST), client=client)


def test_dropped_download_resumes_with_range_from_the_byte_reached(
    env: Env, hub: HubServer, gcs_proxy: GcsProxy
) -> None:
    big, small = weights(3 * READ_SIZE + 777, b"big"), b"x" * (READ_SIZE + 4321)
    commit = hub.add_repo("acme/drop", {"model.safetensors": big, "vocab.txt": small})
    hub.faults.drop("model.safetensors", 2 * READ_SIZE, 3 * READ_SIZE)  # dropped twice, after 2 then 3 reads
    hub.faults.drop("vocab.txt", READ_SIZE)  # a regular file served by the Hub origin itself

    result = stage(env, hub, gcs_proxy, "acme/drop")

    assert result.status == "staged"
    prefix = f"models/acme/drop/{commit}/"
    assert env.read(prefix + "model.safetensors") == big
    assert env.read(prefix + "vocab.txt") == small
    cdn = hub.requests("lfs", "model.safetensors")
    assert [s.range for s in cdn] == [None, f"bytes={2 * READ_SIZE}-", f"bytes={3 * READ_SIZE}-"]
    assert [s.range for s in hub.requests("resolve", "vocab.txt") if s.method == "GET"] == [None, f"bytes={READ_SIZE}-"]


def test_hub_5xx_and_429_bursts_are_retried(
    env: Env, hub: HubServer, gcs_proxy: GcsProxy, caplog: pytest.LogCaptureFixture
) -> None:
    data = weights(MiB, b"burst")
    commit = hub.add_repo("acme/burst", {"model.safetensors": data, "config.json": b"{}"})
    hub.faults.burst("revision", [503])
    hub.faults.burst("resolve", [429], path="model.safetensors")
    hub.faults.burst("lfs", [503, 500], path="model.safetensors")  # 3 failures in a row: attempt 4 succeeds
    hub.faults.burst("resolve", [504], path="config.json")

    with caplog.at_level(logging.WARNING, logger="hfkit.stage"):
        result = stage(env, hub, gcs_proxy, "acme/burst")

    assert result.status == "staged"
    assert env.read(f"models/acme/burst/{commit}/model.safetensors") == data
    assert len(hub.requests("revision")) == 2
    assert len(hub.requests("lfs", "model.safetensors")) == 3
    assert any("HTTP 429" in r.getMessage() and "retrying" in r.getMessage() for r in caplog.records)


def test_hub_errors_that_persist_give_up_after_bounded_attempts(env: Env, hub: HubServer, gcs_proxy: GcsProxy) -> None:
    commit = hub.add_repo("acme/down", {"model.safetensors": weights(1000, b"down")})
    hub.faults.burst("lfs", [503] * 10, path="model.safetensors")

    with pytest.raises(StageError) as caught:
        stage(env, hub, gcs_proxy, "acme/down")

    assert caught.value.message == (
        f"giving up on 'model.safetensors' from acme/down@{commit[:12]} after 4 attempts without progress: "
        "the Hub answered HTTP 503 for 'model.safetensors' (re-run to resume)"
    )
    assert len(hub.requests("lfs")) == 4
    assert env.blobs() == {}


def test_gcs_5xx_and_429_bursts_are_retried(env: Env, hub: HubServer, gcs_proxy: GcsProxy) -> None:
    data = weights(CHUNK_SIZE + MiB, b"gcs")  # more than one upload chunk
    commit = hub.add_repo("acme/gcs-burst", {"model.safetensors": data, "config.json": b"{}"})
    gcs_proxy.burst("POST", "uploadType=resumable", [503])  # session start
    gcs_proxy.burst("PUT", "upload_id", [503, 429])  # chunk uploads
    gcs_proxy.burst("GET", f"/b/{env.bucket}/o", [500])  # listing / metadata

    result = stage(env, hub, gcs_proxy, "acme/gcs-burst")

    assert result.status == "staged"
    assert env.read(f"models/acme/gcs-burst/{commit}/model.safetensors") == data
    assert sum(1 for _, _, status in gcs_proxy.seen if status in (429, 500, 503)) == 4


@pytest.mark.parametrize("bad_size", [2 * MiB, 2 * CHUNK_SIZE + MiB], ids=["one-request", "resumable-3-chunks"])
def test_wrong_content_leaves_no_object_and_no_manifest(
    env: Env, hub: HubServer, gcs_proxy: GcsProxy, bad_size: int
) -> None:
    good, bad = weights(9 * MiB, b"good"), weights(bad_size, b"bad")
    repo = f"acme/corrupt-{bad_size}"
    commit = hub.add_repo(repo, {"a.safetensors": good, "b.safetensors": bad, "config.json": b"{}"})
    hub.faults.corrupt.add("b.safetensors")

    with pytest.raises(IntegrityError) as caught:
        stage(env, hub, gcs_proxy, repo)

    expected = hashlib.sha256(bad).hexdigest()
    got = hashlib.sha256(bytes([bad[0] ^ 0xFF]) + bad[1:]).hexdigest()
    assert caught.value.message == (
        f"content of 'b.safetensors' from {repo}@{commit[:12]} does not match the Hub's sha256 (expected "
        f"{expected}, got {got}); nothing was written for it. Re-run to retry; if it persists the Hub or its CDN "
        "is serving bad bytes"
    )
    names = set(env.blobs())
    prefix = f"models/{repo}/{commit}/"
    assert prefix + "b.safetensors" not in names
    assert prefix + MANIFEST_NAME not in names
    if bad_size > CHUNK_SIZE:  # the first two chunks reached GCS; the last one, which would finalise, never did
        sessions = {path for path, (_, name, _) in gcs_proxy.sessions.items() if name == prefix + "b.safetensors"}
        assert [status for method, path, status in gcs_proxy.seen if method == "PUT" and path in sessions] == [308, 308]
    # Once the CDN serves the right bytes, a re-run completes the prefix.
    hub.faults.corrupt.clear()
    assert stage(env, hub, gcs_proxy, repo).status == "staged"
    assert env.read(prefix + "b.safetensors") == bad


def test_regular_file_with_wrong_content_is_caught_by_its_git_blob_id(
    env: Env, hub: HubServer, gcs_proxy: GcsProxy
) -> None:
    commit = hub.add_repo("acme/corrupt-git", {"config.json": b'{"a": 1}', "w.safetensors": b"w" * 10})
    hub.faults.corrupt.add("config.json")

    with pytest.raises(IntegrityError, match=r"does not match the Hub's git-sha1"):
        stage(env, hub, gcs_proxy, "acme/corrupt-git")

    assert f"models/acme/corrupt-git/{commit}/config.json" not in env.blobs()


@pytest.mark.parametrize("size", [2 * MiB, CHUNK_SIZE + MiB], ids=["one-request", "resumable"])
def test_crc32c_mismatch_reported_by_gcs_deletes_that_generation_and_restarts_the_file(
    env: Env, hub: HubServer, gcs_proxy: GcsProxy, size: int
) -> None:
    data = weights(size, b"crc")
    commit = hub.add_repo(f"acme/crc-{size}", {"model.safetensors": data, "config.json": b"{}"})
    name = f"models/acme/crc-{size}/{commit}/model.safetensors"
    gcs_proxy.corrupt_crc32c.add(name)

    result = stage(env, hub, gcs_proxy, f"acme/crc-{size}")

    assert result.status == "staged"
    assert env.read(name) == data
    deletes = [path for method, path, status in gcs_proxy.seen if method == "DELETE" and status < 300]
    assert len(deletes) == 1 and "ifGenerationMatch=" in deletes[0]  # exactly the corrupt generation, nothing newer
    assert len(hub.requests("lfs", "model.safetensors")) == 2  # the file was streamed again
