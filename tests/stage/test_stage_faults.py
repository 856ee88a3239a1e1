"""Fault tolerance: Range resume after a dropped connection (whole files and ranges of a file), an expired CDN URL,
retries on 5xx/429 bursts (Hub and GCS), a multipart part that keeps failing, an upload GCS forgot, content that
does not match its declared hash, and a stalled head part (the reorder window). These call the stager's Python API
with a fast retry policy, so backoff does not slow the suite; the CLI uses the same code with production waits.
Multipart files use 5 MiB parts (GCS's minimum for every part but the last), so a 12 MiB file travels as parts of 5,
5 and 2 MiB."""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter

import pytest

from scripts.stage import pipeline
from scripts.stage.errors import IntegrityError, StageError
from scripts.stage.gcs import connect
from scripts.stage.hub import HubClient
from scripts.stage.manifest import MANIFEST_NAME
from scripts.stage.retry import RetryPolicy
from scripts.stage.stager import StageRequest, StageResult, run
from tests.stage.conftest import Env
from tests.stage.gcs_proxy import GcsProxy
from tests.stage.hub_server import HubServer

MiB = 1024 * 1024
FAST = RetryPolicy(attempts=4, initial_wait=0.01, max_wait=0.05)
PART = 5 * MiB  # the smallest part GCS accepts (but for the last)
READ_SIZE = pipeline.MIN_READ


@pytest.fixture(autouse=True)
def fixed_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reads adapt their size to the stream's speed; fixed here so a connection dropped at a byte that ends a read
    resumes exactly there (a read cut short is discarded and asked again)."""
    monkeypatch.setattr(pipeline, "MAX_READ", pipeline.MIN_READ)


def weights(n: int, seed: bytes) -> bytes:
    block = hashlib.sha256(seed).digest()
    return (block * (n // len(block) + 1))[:n]


def stage(env: Env, hub: HubServer, gcs_proxy: GcsProxy, repo: str, token: str | None = None) -> StageResult:
    request = StageRequest(repo_id=repo, revision="main", bucket=env.bucket, prefix="models", part_size=PART)
    return run(request, HubClient(hub.url, token, FAST), gcs=connect(gcs_proxy.url))


def seen_here(env: Env, gcs_proxy: GcsProxy) -> list[tuple[str, str, int]]:
    """The requests the proxy saw on this test's bucket. A stager that cuts an upload off mid-body returns without
    waiting for the proxy to read the short body, so a previous test's cut-off request may be recorded (status 0)
    after this test began: every test has its own bucket, which every request path names."""
    with gcs_proxy.lock:
        return [seen for seen in gcs_proxy.seen if f"/{env.bucket}/" in seen[1]]


def part_puts(env: Env, gcs_proxy: GcsProxy, number: int) -> list[int]:
    """Statuses GCS answered to PUTs of multipart part `number` (0: cut off mid-body, nothing answered)."""
    return [status for method, path, status in seen_here(env, gcs_proxy)
            if method == "PUT" and f"partNumber={number}&" in path]  # fmt: skip


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
    data = weights(12 * MiB, b"gcs")  # a multipart upload of 3 parts
    commit = hub.add_repo("acme/gcs-burst", {"model.safetensors": data, "config.json": b"{}"})
    gcs_proxy.burst("POST", "?uploads", [503])  # initiating the multipart upload
    gcs_proxy.burst("PUT", "partNumber=2&", [503, 429])  # one part, twice
    gcs_proxy.burst("POST", "uploadType=multipart", [503])  # the one-request upload of config.json
    gcs_proxy.burst("GET", f"/b/{env.bucket}/o", [500])  # listing / metadata

    result = stage(env, hub, gcs_proxy, "acme/gcs-burst")

    assert result.status == "staged"
    assert env.read(f"models/acme/gcs-burst/{commit}/model.safetensors") == data
    assert sum(1 for _, _, status in seen_here(env, gcs_proxy) if status in (429, 500, 503)) == 5
    assert part_puts(env, gcs_proxy, 2) == [503, 429, 200]
    assert len(gcs_proxy.completed) == 1 and gcs_proxy.uploads == {}


def test_a_part_that_keeps_failing_restarts_the_file_with_a_new_upload(
    env: Env, hub: HubServer, gcs_proxy: GcsProxy, caplog: pytest.LogCaptureFixture
) -> None:
    """Part 2 fails as often as the retry policy allows (4 attempts): that upload is aborted (its parts must not stay
    billed), the file starts over with a new upload, and the run still ends staged."""
    data = weights(12 * MiB, b"part")
    commit = hub.add_repo("acme/bad-part", {"model.safetensors": data, "config.json": b"{}"})
    gcs_proxy.burst("PUT", "partNumber=2&", [503] * 4)

    with caplog.at_level(logging.WARNING, logger="hfkit.stage"):
        result = stage(env, hub, gcs_proxy, "acme/bad-part")

    assert result.status == "staged"
    assert env.read(f"models/acme/bad-part/{commit}/model.safetensors") == data
    assert part_puts(env, gcs_proxy, 2) == [503, 503, 503, 503, 200]
    assert len(gcs_proxy.aborted) == 1 and len(gcs_proxy.completed) == 1 and gcs_proxy.uploads == {}
    assert gcs_proxy.aborted != gcs_proxy.completed
    assert any("restarting the file" in r.getMessage() for r in caplog.records)
    assert len(hub.requests("lfs", "model.safetensors")) == 6  # 3 ranges, twice


def test_an_upload_gcs_no_longer_knows_restarts_the_file(env: Env, hub: HubServer, gcs_proxy: GcsProxy) -> None:
    """Someone aborted our multipart upload while it ran (e.g. a cleanup): GCS answers 404 NoSuchUpload to the next
    part, and the file starts over with a new upload."""
    data = weights(12 * MiB, b"gone")
    commit = hub.add_repo("acme/gone", {"model.safetensors": data, "config.json": b"{}"})
    hold = hub.faults.hold("model.safetensors", 11 * MiB)  # park part 3 until the upload is gone

    import threading

    def abort_behind_its_back() -> None:
        assert hold.reached.acquire(timeout=30)
        deadline = time.monotonic() + 30  # the Hub writes ahead: the upload may not be initiated yet
        while not gcs_proxy.uploads and time.monotonic() < deadline:
            time.sleep(0.005)
        for upload_id in list(gcs_proxy.uploads):
            gcs_proxy.uploads.pop(upload_id)
        hold.release.set()
        hub.faults.holds.clear()

    thread = threading.Thread(target=abort_behind_its_back)
    thread.start()
    result = stage(env, hub, gcs_proxy, "acme/gone")
    thread.join()

    assert result.status == "staged"
    assert env.read(f"models/acme/gone/{commit}/model.safetensors") == data
    # The 404 meets whichever part's PUT reaches GCS first after the abort: part 3 once it is released, or part 1 or 2
    # when their PUTs were still in flight (then part 3 is cut off mid-body as the file restarts).
    assert 404 in [status for number in (1, 2, 3) for status in part_puts(env, gcs_proxy, number)]
    assert len(gcs_proxy.completed) == 1 and gcs_proxy.uploads == {}


def test_a_stalled_head_part_keeps_the_parts_behind_it_unhashed_and_the_object_invisible(
    env: Env, hub: HubServer, gcs_proxy: GcsProxy
) -> None:
    """Part 1's connection stalls at 1 MiB while parts 2 and 3 arrive and reach GCS: they wait in the reorder window
    (the sha256 is of the whole file, in order), nothing is completed, and once part 1 goes on the file is hashed in
    order, verified and completed from all three parts."""
    import threading

    data = weights(12 * MiB, b"reorder")
    commit = hub.add_repo("acme/reorder", {"model.safetensors": data, "config.json": b"{}"})
    name = f"models/acme/reorder/{commit}/model.safetensors"
    hold = hub.faults.hold("model.safetensors", MiB)  # in part 1 (bytes 0-5 MiB) only
    while_held: dict[str, object] = {}

    def release_once_the_rest_is_at_gcs() -> None:
        assert hold.reached.acquire(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with gcs_proxy.lock:
                parts = [set(u.parts) for u in gcs_proxy.uploads.values() if u.name == name]
            if parts and parts[0] >= {2, 3}:
                break
            time.sleep(0.005)
        while_held.update(parts=parts, completed=list(gcs_proxy.completed), visible=name in env.blobs())
        hold.release.set()

    thread = threading.Thread(target=release_once_the_rest_is_at_gcs)
    thread.start()
    try:
        result = stage(env, hub, gcs_proxy, "acme/reorder")
    finally:
        hold.release.set()
        thread.join()

    assert while_held == {"parts": [{2, 3}], "completed": [], "visible": False}
    assert result.status == "staged"
    assert env.read(name) == data
    assert len(gcs_proxy.completed) == 1 and gcs_proxy.uploads == {}
    assert part_puts(env, gcs_proxy, 1) == [200]  # the stalled part was sent once, not restarted


def test_a_dropped_range_resumes_within_its_part(env: Env, hub: HubServer, gcs_proxy: GcsProxy) -> None:
    data = weights(12 * MiB, b"ranges")
    commit = hub.add_repo("acme/drop-range", {"model.safetensors": data, "config.json": b"{}"})
    hub.faults.drop("model.safetensors", 7 * MiB)  # in part 2 (bytes 5-10 MiB)

    result = stage(env, hub, gcs_proxy, "acme/drop-range")

    assert result.status == "staged"
    assert env.read(f"models/acme/drop-range/{commit}/model.safetensors") == data
    ranges = sorted(s.range or "" for s in hub.requests("lfs", "model.safetensors"))
    assert ranges == [
        f"bytes=0-{PART - 1}",
        f"bytes={2 * PART}-",  # the last part runs to the end of the file
        f"bytes={PART}-{2 * PART - 1}",
        f"bytes={7 * MiB}-{2 * PART - 1}",  # resumed from the byte reached, still ending where part 2 ends
    ]
    assert part_puts(env, gcs_proxy, 2) == [200]  # the upload of part 2 never noticed


def test_an_expired_cdn_url_is_resolved_again_and_the_range_continues(
    env: Env, hub: HubServer, gcs_proxy: GcsProxy
) -> None:
    """The Hub's CDN URLs are signed and expire; a 403 from the CDN sends the stager back to the Hub (with the token,
    which judges access) for a fresh URL, never the token to the CDN, and the range goes on from where it was."""
    data = weights(12 * MiB, b"expire")
    commit = hub.add_repo("acme/expire", {"model.safetensors": data, "config.json": b"{}"}, gated=True)
    hub.grant("hf_expire_token", "acme/expire")
    hub.faults.expire("model.safetensors", after=1)  # the first range is served, then its URL is refused

    result = stage(env, hub, gcs_proxy, "acme/expire", token="hf_expire_token")

    assert result.status == "staged"
    assert env.read(f"models/acme/expire/{commit}/model.safetensors") == data
    heads = [s for s in hub.requests("resolve", "model.safetensors") if s.method == "HEAD"]
    assert len(heads) == 2 and all(s.authorization == "Bearer hf_expire_token" for s in heads)
    cdn = hub.requests("lfs", "model.safetensors")
    assert all(s.authorization is None for s in cdn)
    # Three ranges over three connections, in any order. Whichever reaches the CDN first is served; the next one is
    # refused (its URL expired); the last is refused too only when it was sent before the fresh URL arrived, which
    # depends on thread timing. A refused range received nothing, so it is asked again whole, and only once.
    asked = Counter(s.range for s in cdn)
    assert set(asked) == {f"bytes=0-{PART - 1}", f"bytes={PART}-{2 * PART - 1}", f"bytes={2 * PART}-"}
    assert sorted(asked.values()) in ([1, 1, 2], [1, 2, 2])


@pytest.mark.parametrize(
    ("bad_size", "flip_at"),
    [(2 * MiB, 0), (12 * MiB, 7 * MiB + 3)],
    ids=["one-request", "multipart-byte-in-the-middle"],
)
def test_wrong_content_leaves_no_object_and_no_manifest(
    env: Env, hub: HubServer, gcs_proxy: GcsProxy, bad_size: int, flip_at: int
) -> None:
    """One wrong byte: in a one-request upload the request never completes (its last bytes are withheld); in a file
    fetched in ranges over several connections (the byte is in part 2 of 3) every part may reach GCS, yet the upload
    is aborted instead of completed, so no part ever becomes an object."""
    good, bad = weights(9 * MiB, b"good"), weights(bad_size, b"bad")
    repo = f"acme/corrupt-{bad_size}"
    commit = hub.add_repo(repo, {"a.safetensors": good, "b.safetensors": bad, "config.json": b"{}"})
    hub.faults.flip("b.safetensors", flip_at)

    with pytest.raises(IntegrityError) as caught:
        stage(env, hub, gcs_proxy, repo)

    expected = hashlib.sha256(bad).hexdigest()
    got = hashlib.sha256(bad[:flip_at] + bytes([bad[flip_at] ^ 0xFF]) + bad[flip_at + 1 :]).hexdigest()
    assert caught.value.message == (
        f"content of 'b.safetensors' from {repo}@{commit[:12]} does not match the Hub's sha256 (expected "
        f"{expected}, got {got}); nothing was written for it. Re-run to retry; if it persists the Hub or its CDN "
        "is serving bad bytes"
    )
    names = set(env.blobs())
    prefix = f"models/{repo}/{commit}/"
    assert prefix + "b.safetensors" not in names
    assert prefix + MANIFEST_NAME not in names
    if bad_size > PART:
        assert [u.name for u in gcs_proxy.uploads.values()] == []  # aborted: no parts left behind
        # b's upload was initiated with its first part and ended in an abort, never a completion (a.safetensors,
        # cancelled by b's failure or finished before it, may have either).
        uploads_of_b = {i for i, name in gcs_proxy.names.items() if name == prefix + "b.safetensors"}
        assert len(uploads_of_b) == 1
        assert uploads_of_b <= set(gcs_proxy.aborted) and not uploads_of_b & set(gcs_proxy.completed)
    else:  # the one request that would have created the object was cut off before its end
        # 0: the proxy saw the body end early and forwarded nothing (recorded by its handler thread, maybe after the
        # stager has already raised)
        assert gcs_proxy.wait_seen(lambda seen: f"/b/{env.bucket}/o?uploadType=multipart" in seen[1] and seen[2] == 0)
    # Once the CDN serves the right bytes, a re-run completes the prefix.
    hub.faults.corrupt_at.clear()
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


@pytest.mark.parametrize(("size", "ranges"), [(2 * MiB, 1), (12 * MiB, 3)], ids=["one-request", "multipart"])
def test_crc32c_mismatch_reported_by_gcs_deletes_that_generation_and_restarts_the_file(
    env: Env, hub: HubServer, gcs_proxy: GcsProxy, size: int, ranges: int
) -> None:
    """GCS reports the stored object's crc32c; for a multipart upload the stager composes it from the crc32c of each
    part it sent. A mismatch means the bytes GCS stored are not the ones sent: that generation is deleted and the
    file sent again."""
    data = weights(size, b"crc")
    commit = hub.add_repo(f"acme/crc-{size}", {"model.safetensors": data, "config.json": b"{}"})
    name = f"models/acme/crc-{size}/{commit}/model.safetensors"
    gcs_proxy.corrupt_crc32c.add(name)

    result = stage(env, hub, gcs_proxy, f"acme/crc-{size}")

    assert result.status == "staged"
    assert env.read(name) == data
    deletes = [path for method, path, status in seen_here(env, gcs_proxy) if method == "DELETE" and status < 300]
    deletes = [path for path in deletes if "uploadId=" not in path]
    assert len(deletes) == 1 and "ifGenerationMatch=" in deletes[0]  # exactly the corrupt generation, nothing newer
    assert len(hub.requests("lfs", "model.safetensors")) == 2 * ranges  # the file was streamed again


@pytest.mark.parametrize("appears", ["verified-copy", "foreign-object"])
def test_the_object_is_checked_before_a_multipart_upload_completes(
    env: Env, hub: HubServer, gcs_proxy: GcsProxy, appears: str
) -> None:
    """Completing an XML multipart upload replaces whatever has the name, with no precondition, so the stager looks
    first: a verified copy that appeared meanwhile (another stager's) is kept and our upload aborted; an object
    without this file's verified metadata is never overwritten."""
    import threading

    data = weights(12 * MiB, b"look")
    commit = hub.add_repo(f"acme/look-{appears}", {"model.safetensors": data, "config.json": b"{}"})
    name = f"models/acme/look-{appears}/{commit}/model.safetensors"
    hold = hub.faults.hold("model.safetensors", 11 * MiB)

    def write_behind_its_back() -> None:
        assert hold.reached.acquire(timeout=30)
        blob = env.client.bucket(env.bucket).blob(name)
        if appears == "verified-copy":
            blob.metadata = {
                "hfkit-repo": f"acme/look-{appears}",
                "hfkit-commit": commit,
                "hfkit-path": "model.safetensors",
                "hfkit-hash": "sha256:" + hashlib.sha256(data).hexdigest(),
            }
        blob.upload_from_string(data if appears == "verified-copy" else b"someone else's", if_generation_match=0)
        hold.release.set()

    thread = threading.Thread(target=write_behind_its_back)
    thread.start()
    try:
        if appears == "verified-copy":
            result = stage(env, hub, gcs_proxy, f"acme/look-{appears}")
            assert {f.path: f.action for f in result.files}["model.safetensors"] == "adopted"
        else:
            with pytest.raises(StageError) as caught:
                stage(env, hub, gcs_proxy, f"acme/look-{appears}")
            assert caught.value.message == (
                f"another writer replaced gs://{env.bucket}/models/acme/look-{appears}/{commit}/model.safetensors "
                f"with an object whose size or hash metadata does not match sha256:{hashlib.sha256(data).hexdigest()}"
                f"; check who else writes under gs://{env.bucket}/models/acme/look-{appears}/{commit}/, delete the "
                "object and re-run"
            )
    finally:
        thread.join()
    assert len(gcs_proxy.aborted) == 1 and gcs_proxy.completed == [] and gcs_proxy.uploads == {}
    expected = data if appears == "verified-copy" else b"someone else's"
    assert env.read(name) == expected  # the object that was there is the one that stays


def test_an_unreachable_gcs_is_one_line_after_bounded_retries(env: Env, hub: HubServer) -> None:
    """Connection refused is transient (retried, 4 attempts with the fast policy), then one line names the bucket
    and what to check."""
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    hub.add_repo("acme/nogcs", {"config.json": b"{}"})
    request = StageRequest(repo_id="acme/nogcs", revision="main", bucket=env.bucket, prefix="models")

    with pytest.raises(StageError) as caught:
        run(request, HubClient(hub.url, None, FAST), gcs=connect(closed))

    assert caught.value.message == (
        f"GCS did not answer when listing objects on bucket '{env.bucket}' (ConnectionError after retries); check "
        "the network (or STORAGE_EMULATOR_HOST) and re-run"
    )
