"""Crash safety and concurrency with real processes: kill -9 mid-transfer then re-run, and two racing stagers."""

from __future__ import annotations

import hashlib
import json
import signal
import time
from typing import Any

import pytest

from scripts.stage.manifest import MANIFEST_NAME
from scripts.stage.pipeline import PART_SIZE
from tests.stage.conftest import Env, cli, cli_process
from tests.stage.gcs_proxy import GcsProxy
from tests.stage.hub_server import HubServer

MiB = 1024 * 1024


def weights(n: int, seed: bytes) -> bytes:
    block = hashlib.sha256(seed).digest()
    return (block * (n // len(block) + 1))[:n]


def staged_state(env: Env, prefix: str) -> tuple[dict[str, tuple[object, ...]], dict[str, object]]:
    """Objects under a commit prefix (content-level view) and the manifest with generations set aside."""
    objects = {}
    for name, blob in env.blobs(prefix).items():
        if not name.endswith(MANIFEST_NAME):  # its bytes hold generations, which differ between runs by nature
            objects[name[len(prefix) :]] = (blob.size, blob.crc32c, blob.md5_hash, blob.metadata)
    manifest = json.loads(env.read(prefix + MANIFEST_NAME))
    generations = {f["path"]: f.pop("generation") for f in manifest["files"]}
    live = env.blobs(prefix)
    assert generations == {p: live[prefix + p].generation for p in generations}  # the manifest names live objects
    return objects, manifest


def race(env: Env, hold: Any, *args: str) -> list[tuple[bytes, bytes]]:
    """Run two stagers that both park at `hold`, release them together; both must succeed. Their outputs."""
    procs = [cli_process(env, *args) for _ in range(2)]
    try:
        assert hold.reached.acquire(timeout=30) and hold.reached.acquire(timeout=30), "stagers did not overlap"
        hold.release.set()
        outputs = [p.communicate(timeout=60) for p in procs]
    finally:
        for p in procs:
            p.kill()
        hold.release.set()
    assert [p.returncode for p in procs] == [0, 0], [err.decode() for _, err in outputs]
    return outputs


def wait_for(condition: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


def test_kill_9_mid_transfer_then_rerun_equals_an_uninterrupted_run(
    env: Env, hub: HubServer, gcs_proxy: GcsProxy
) -> None:
    """The big file goes as a 3-part XML multipart upload; the run is killed with two parts at GCS and the third
    parked at the Hub: no object may appear, and a re-run must end exactly like a clean run."""
    files = {
        "model-00001-of-00002.safetensors": weights(2 * PART_SIZE + 3 * MiB, b"one"),  # parts of 8, 8 and 3 MiB
        "model-00002-of-00002.safetensors": weights(MiB, b"two"),
        "model.safetensors.index.json": b'{"weight_map": {}}',
        "config.json": b'{"hidden_size": 64}',
        "tokenizer.json": b'{"model": {}}' * 100,
    }
    commit = hub.add_repo("acme/crash", files)
    prefix = f"models/acme/crash/{commit}/"
    big = prefix + "model-00001-of-00002.safetensors"
    hold = hub.faults.hold("model-00001-of-00002.safetensors", 2 * PART_SIZE + MiB)  # park part 3

    proc = cli_process(env, "stage", "acme/crash", "--bucket", env.bucket)
    try:
        assert hold.reached.acquire(timeout=30), "the stager never reached the held byte"
        wait_for(lambda: prefix + "config.json" in env.blobs(prefix))  # some files are done, one is in flight
        wait_for(lambda: any(u.name == big and len(u.parts) == 2 for u in list(gcs_proxy.uploads.values())))
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        proc.kill()
        hold.release.set()

    after_kill = env.blobs(prefix)
    assert big not in after_kill  # two of its parts are at GCS, yet no object: parts are never objects
    assert prefix + MANIFEST_NAME not in after_kill  # not trusted yet
    hub.reset()

    rerun = cli(env, "stage", "acme/crash", "--bucket", env.bucket, "--json")
    clean = cli(env, "stage", "acme/crash", "--bucket", env.bucket, "--prefix", "clean", "--json")

    assert rerun.exit_code == 0 and clean.exit_code == 0, rerun.stderr + clean.stderr
    actions = {f["path"]: f["action"] for f in json.loads(rerun.stdout)["files"]}
    assert actions["model-00001-of-00002.safetensors"] == "uploaded"
    assert actions["config.json"] == "present"
    assert staged_state(env, prefix) == staged_state(env, f"clean/acme/crash/{commit}/")
    assert env.read(prefix + "model-00001-of-00002.safetensors") == files["model-00001-of-00002.safetensors"]


@pytest.mark.parametrize("gcs", ["gcs-semantics", "fake-gcs-direct"])
def test_two_concurrent_stagers_end_with_one_verified_copy(env: Env, hub: HubServer, fake_gcs: str, gcs: str) -> None:
    """Through the proxy, finalising enforces ifGenerationMatch=0 as GCS does: the loser gets 412 and adopts the
    winner's object. Straight against fake-gcs-server, which ignores that precondition on resumable uploads, both
    finalise (the second overwrites with identical verified bytes): content and manifest must still be right."""
    if gcs == "fake-gcs-direct":
        env.vars["STORAGE_EMULATOR_HOST"] = fake_gcs
    files = {
        "model.safetensors": weights(3 * MiB, b"race"),
        "extra.safetensors": weights(MiB, b"extra"),
        "config.json": b'{"hidden_size": 64}',
    }
    commit = hub.add_repo("acme/race", files)
    prefix = f"models/acme/race/{commit}/"
    hold = hub.faults.hold("model.safetensors", MiB)  # both stagers meet mid-file, then finalise one after the other

    outputs = race(env, hold, "stage", "acme/race", "--bucket", env.bucket, "--json")

    docs = [json.loads(out) for out, _ in outputs]
    assert {d["status"] for d in docs} == {"staged"}
    actions = sorted(next(f["action"] for f in d["files"] if f["path"] == "model.safetensors") for d in docs)
    if gcs == "gcs-semantics":
        assert actions == ["adopted", "uploaded"]  # the loser verified the winner's object and kept it
    for path, data in files.items():
        assert env.read(prefix + path) == data
    if gcs == "fake-gcs-direct":
        # Without the precondition the later finalise may replace a generation the manifest already recorded;
        # what must hold is that every manifest entry describes the live bytes.
        manifest = json.loads(env.read(prefix + MANIFEST_NAME))
        live = env.blobs(prefix)
        assert {(f["path"], f["size"], f["crc32c"]) for f in manifest["files"]} == {
            (p, live[prefix + p].size, live[prefix + p].crc32c) for p in files
        }
        return
    objects, manifest = staged_state(env, prefix)
    assert set(objects) == set(files)
    assert set(env.blobs(prefix)) == {prefix + p for p in [*files, MANIFEST_NAME]}
    assert [f["path"] for f in manifest["files"]] == sorted(files)


def test_two_concurrent_stagers_of_a_multipart_file_end_with_one_verified_copy_and_a_true_manifest(
    env: Env, hub: HubServer, gcs_proxy: GcsProxy
) -> None:
    """XML multipart completion takes no precondition (GCS multipart-uploads page, Considerations), so two stagers
    of the same 12 MiB file (3 parts of 5 MiB max) may both complete it. Whatever the interleaving: both runs succeed,
    the object holds the right bytes once, no upload is left in progress, and the manifest names the live generation
    of every file (a completion after the manifest was written makes the last completer repair it)."""
    files = {"model.safetensors": weights(12 * MiB, b"mp-race"), "config.json": b'{"hidden_size": 64}'}
    commit = hub.add_repo("acme/mp-race", files)
    prefix = f"models/acme/mp-race/{commit}/"
    hold = hub.faults.hold("model.safetensors", 11 * MiB)  # both runs park their last part here

    outputs = race(env, hold, "stage", "acme/mp-race", "--bucket", env.bucket, "--part-size", "5", "--json")

    actions = sorted(next(f["action"] for f in json.loads(out)["files"] if f["path"] == "model.safetensors")
                     for out, _ in outputs)  # fmt: skip
    assert actions in (["adopted", "uploaded"], ["uploaded", "uploaded"])
    assert gcs_proxy.uploads == {}  # every upload was completed or aborted: no part stays billed
    objects, _ = staged_state(env, prefix)  # asserts the manifest names the live generations
    assert set(objects) == set(files)
    for path, data in files.items():
        assert env.read(prefix + path) == data


def test_a_manifest_naming_a_replaced_generation_is_repaired_by_the_next_run(env: Env, hub: HubServer) -> None:
    """Simulates the late completer the test above may or may not produce: after the manifest was written, the
    object is replaced by an identical verified one (same bytes and hfkit metadata, new generation). The next run
    finds the prefix staged and rewrites the manifest, guarded by its generation, to name the live object."""
    files = {"model.safetensors": weights(2 * MiB, b"repair"), "config.json": b"{}"}
    commit = hub.add_repo("acme/repair", files)
    assert cli(env, "stage", "acme/repair", "--bucket", env.bucket).exit_code == 0
    prefix = f"models/acme/repair/{commit}/"
    bucket = env.client.bucket(env.bucket)
    old = bucket.get_blob(prefix + "model.safetensors")
    manifest_generation = bucket.get_blob(prefix + MANIFEST_NAME).generation
    replacement = bucket.blob(prefix + "model.safetensors")
    replacement.metadata = old.metadata
    replacement.upload_from_string(files["model.safetensors"], if_generation_match=old.generation)
    live = bucket.get_blob(prefix + "model.safetensors").generation
    assert live != old.generation

    rerun = cli(env, "stage", "acme/repair", "--bucket", env.bucket, "--json")

    assert rerun.exit_code == 0, rerun.stderr
    assert json.loads(rerun.stdout)["status"] == "already-staged"
    assert bucket.get_blob(prefix + MANIFEST_NAME).generation != manifest_generation
    entries = {f["path"]: f for f in json.loads(env.read(prefix + MANIFEST_NAME))["files"]}
    assert entries["model.safetensors"]["generation"] == live
    staged_state(env, prefix)  # every entry names a live generation
