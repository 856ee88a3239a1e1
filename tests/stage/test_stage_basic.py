"""Staging end to end against fake-gcs-server and the local Hub: layout, metadata, manifest, selection, re-runs."""

from __future__ import annotations

import base64
import hashlib
import json
import os

import google_crc32c
import pytest

from scripts.stage.manifest import MANIFEST_NAME, Manifest
from tests.stage.conftest import Env, cli
from tests.stage.hub_server import HubServer

MiB = 1024 * 1024


def model_files(seed: str = "m") -> dict[str, bytes]:
    rnd = hashlib.sha256(seed.encode()).digest()
    blob = (rnd * (3 * MiB // len(rnd) + 1))[: 3 * MiB]
    return {
        "config.json": b'{"model_type": "llama", "hidden_size": 64}',
        "generation_config.json": b'{"do_sample": false}',
        "tokenizer.json": b'{"version": "1.0", "model": {"vocab": {}}}' * 50,
        "tokenizer_config.json": b"{}",
        "model-00001-of-00002.safetensors": blob,
        "model-00002-of-00002.safetensors": blob[: 2 * MiB + 12345],
        "model.safetensors.index.json": b'{"weight_map": {}}',
        "pytorch_model.bin": os.urandom(4096),
        "original/consolidated.00.pth": os.urandom(2048),
        "onnx/model.onnx": os.urandom(1024),
        ".gitattributes": b"*.safetensors filter=lfs diff=lfs merge=lfs -text\n",
        "README.md": b"# model card\n",
        "empty.txt": b"",
    }


STAGED = {
    "config.json",
    "generation_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "model-00001-of-00002.safetensors",
    "model-00002-of-00002.safetensors",
    "model.safetensors.index.json",
    "README.md",
    "empty.txt",
}


def crc32c_b64(data: bytes) -> str:
    return base64.b64encode(google_crc32c.value(data).to_bytes(4, "big")).decode()


def test_stage_streams_verified_objects_and_writes_manifest_last(env: Env, hub: HubServer) -> None:
    files = model_files()
    commit = hub.add_repo("acme/tiny-llama", files)
    hub.grant("hf_secret_value_123", "acme/tiny-llama")

    result = cli(env, "stage", "acme/tiny-llama", "--bucket", env.bucket, "--json", token="hf_secret_value_123")

    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)  # exactly one JSON document on stdout
    prefix = f"models/acme/tiny-llama/{commit}/"
    assert doc["status"] == "staged"
    assert doc["commit"] == commit
    assert doc["destination"] == f"gs://{env.bucket}/{prefix}"
    assert doc["manifest"] == f"gs://{env.bucket}/{prefix}{MANIFEST_NAME}"
    assert {f["path"] for f in doc["files"]} == STAGED
    assert {f["action"] for f in doc["files"]} == {"uploaded"}
    assert doc["total_size"] == sum(len(files[p]) for p in STAGED)

    blobs = env.blobs()
    assert set(blobs) == {prefix + p for p in STAGED} | {prefix + MANIFEST_NAME}
    for path in STAGED:
        blob = blobs[prefix + path]
        assert env.read(prefix + path) == files[path]
        lfs = path.endswith(".safetensors")
        expected = (
            "sha256:" + hashlib.sha256(files[path]).hexdigest()
            if lfs
            else "git-sha1:" + hashlib.sha1(b"blob %d\0" % len(files[path]) + files[path]).hexdigest()
        )
        assert blob.metadata == {
            "hfkit-repo": "acme/tiny-llama",
            "hfkit-commit": commit,
            "hfkit-path": path,
            "hfkit-hash": expected,
        }

    manifest = Manifest.from_json(env.read(prefix + MANIFEST_NAME))
    assert (manifest.repo, manifest.revision, manifest.commit) == ("acme/tiny-llama", "main", commit)
    assert [f.path for f in manifest.files] == sorted(STAGED)
    for entry in manifest.files:
        blob = blobs[prefix + entry.path]
        assert entry.size == len(files[entry.path])
        assert entry.generation == blob.generation
        assert entry.crc32c == blob.crc32c == crc32c_b64(files[entry.path])
    # The manifest was the last object written.
    assert blobs[prefix + MANIFEST_NAME].time_created >= max(b.time_created for b in blobs.values())

    # Protocol: the tree was paged, every file request is pinned to the commit, LFS bytes came from the CDN origin,
    # and the token was never sent to the CDN.
    assert len(hub.requests("tree")) > 1
    assert {s.rev for s in hub.requests("resolve")} == {commit}
    cdn = hub.requests("lfs")
    assert {s.path for s in cdn} == {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}
    assert all(s.authorization is None for s in cdn)
    assert all(s.authorization == "Bearer hf_secret_value_123" for s in hub.requests("resolve"))


def test_revision_is_pinned_to_its_commit(env: Env, hub: HubServer) -> None:
    old = hub.add_repo("acme/pinned", {"config.json": b"{}", "w.safetensors": b"v1" * 1000}, tags=("v1",))
    new = hub.add_repo("acme/pinned", {"config.json": b"{}", "w.safetensors": b"v2" * 1000})
    assert old != new

    result = cli(env, "stage", "acme/pinned", "--revision", "v1", "--bucket", env.bucket, "--prefix", "/w/", "--json")

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["revision"] == "v1"
    assert env.read(f"w/acme/pinned/{old}/w.safetensors") == b"v1" * 1000
    assert {s.rev for s in hub.requests("resolve")} == {old}
    assert json.loads(env.read(f"w/acme/pinned/{old}/{MANIFEST_NAME}"))["revision"] == "v1"


def test_dry_run_lists_files_and_touches_nothing(env: Env, hub: HubServer) -> None:
    commit = hub.add_repo("acme/dry", model_files("dry"))

    result = cli(env, "stage", "acme/dry", "--bucket", "no-such-bucket-anywhere", "--dry-run")

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "    3.0 MiB  model-00001-of-00002.safetensors"  # largest first
    assert f"{'0 B':>11}  empty.txt" in lines
    assert lines[-2].startswith(f"9 files, 5.0 MiB from acme/dry@{commit} -> gs://no-such-bucket-anywhere/models/")
    assert lines[-1] == "dry run: nothing was written"
    assert hub.requests("lfs") == []
    assert [s.method for s in hub.requests("resolve")] == ["HEAD"]  # access preflight only
    assert env.blobs() == {}

    as_json = cli(env, "stage", "acme/dry", "--bucket", env.bucket, "--dry-run", "--json")
    doc = json.loads(as_json.stdout)
    assert doc["status"] == "dry-run" and doc["manifest"] is None
    assert {f["action"] for f in doc["files"]} == {"planned"}
    assert env.blobs() == {}


def test_rerun_is_already_staged_without_downloading(env: Env, hub: HubServer) -> None:
    hub.add_repo("acme/again", model_files("again"))
    assert cli(env, "stage", "acme/again", "--bucket", env.bucket).exit_code == 0
    before = {name: b.generation for name, b in env.blobs().items()}
    hub.reset()

    result = cli(env, "stage", "acme/again", "--bucket", env.bucket)

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("already staged: acme/again@")
    assert "nothing downloaded" in result.stdout
    assert hub.requests("lfs") == [] and [s.method for s in hub.requests("resolve")] == ["HEAD"]
    assert {name: b.generation for name, b in env.blobs().items()} == before


def test_rerun_after_partial_stage_uploads_only_what_is_missing(env: Env, hub: HubServer) -> None:
    commit = hub.add_repo("acme/partial", model_files("partial"))
    assert cli(env, "stage", "acme/partial", "--bucket", env.bucket).exit_code == 0
    prefix = f"models/acme/partial/{commit}/"
    bucket = env.client.bucket(env.bucket)
    bucket.blob(prefix + MANIFEST_NAME).delete()
    bucket.blob(prefix + "model-00002-of-00002.safetensors").delete()
    # An object without hfkit metadata (e.g. copied by hand) is not trusted: it is replaced.
    bucket.blob(prefix + "config.json").upload_from_string(b"{}")
    kept = env.blobs()[prefix + "model-00001-of-00002.safetensors"].generation
    hub.reset()

    result = cli(env, "stage", "acme/partial", "--bucket", env.bucket, "--json")

    assert result.exit_code == 0, result.stderr
    actions = {f["path"]: f["action"] for f in json.loads(result.stdout)["files"]}
    assert actions.pop("model-00002-of-00002.safetensors") == "uploaded"
    assert actions.pop("config.json") == "uploaded"
    assert set(actions.values()) == {"present"}
    assert {s.path for s in hub.requests("lfs")} == {"model-00002-of-00002.safetensors"}
    assert env.blobs()[prefix + "model-00001-of-00002.safetensors"].generation == kept
    assert env.read(prefix + "config.json") == model_files("partial")["config.json"]
    manifest = Manifest.from_json(env.read(prefix + MANIFEST_NAME))
    assert {f.path for f in manifest.files} == STAGED


def test_include_and_exclude(env: Env, hub: HubServer) -> None:
    commit = hub.add_repo("acme/select", model_files("select"))

    result = cli(
        env, "stage", "acme/select", "--bucket", env.bucket, "--include", "*.json", "--include", "original/",
        "--exclude", "tokenizer*", "--json",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert {f["path"] for f in json.loads(result.stdout)["files"]} == {
        "config.json",
        "generation_config.json",
        "model.safetensors.index.json",
        "original/consolidated.00.pth",
    }
    assert len(env.blobs(f"models/acme/select/{commit}/")) == 5


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--include", "*.gguf"],
            "Error: --include '*.gguf' selected no files in acme/none@{short} (13 files in the repo; patterns are "
            "globs on the path in the repo, e.g. --include '*.safetensors' or --include 'tokenizer/')\n",
        ),
        (
            ["--include", "*.json", "--exclude", "*"],
            "Error: --include '*.json' --exclude '*' selected no files in acme/none@{short} (13 files in the repo; "
            "patterns are globs on the path in the repo, e.g. --include '*.safetensors' or --include 'tokenizer/')\n",
        ),
    ],
)
def test_selection_that_selects_nothing_is_a_usage_error(
    env: Env, hub: HubServer, args: list[str], expected: str
) -> None:
    commit = hub.add_repo("acme/none", model_files("none"))

    result = cli(env, "stage", "acme/none", "--bucket", env.bucket, *args)

    assert result.exit_code == 2
    assert result.stderr == expected.format(short=commit[:12])
    assert result.stdout == ""
    assert env.blobs() == {}
