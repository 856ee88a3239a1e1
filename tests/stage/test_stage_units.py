"""Pure parts of staging: selection precedence, manifest format, hashing, progress display choice."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from scripts.stage.hashing import ContentHash
from scripts.stage.manifest import Manifest, ManifestError, ManifestFile, commit_prefix
from scripts.stage.progress import QuietReporter, RichReporter, make_reporter
from scripts.stage.selection import default_selection, select

REPO = [
    "config.json",
    "tokenizer.json",
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
    "tf_model.h5",
    "flax_model.msgpack",
    "onnx/model.onnx",
    "onnx/model.onnx_data",
    "model.gguf",
    "original/consolidated.00.pth",
    ".gitattributes",
    "README.md",
]


def test_default_selection_skips_duplicate_weight_formats_when_safetensors_exist() -> None:
    assert default_selection(REPO) == [
        "config.json",
        "tokenizer.json",
        "model.safetensors",
        "model.safetensors.index.json",
        "README.md",
    ]


def test_default_selection_keeps_other_weights_when_there_are_no_safetensors() -> None:
    paths = ["config.json", "pytorch_model.bin", "model.gguf", ".gitattributes"]
    assert default_selection(paths) == ["config.json", "pytorch_model.bin", "model.gguf"]


def test_include_replaces_defaults_and_exclude_wins() -> None:
    assert select(REPO, include=["*.bin", "onnx/"]) == ["pytorch_model.bin", "onnx/model.onnx", "onnx/model.onnx_data"]
    assert select(REPO, include=["*.bin", "onnx/"], exclude=["*_data"]) == ["pytorch_model.bin", "onnx/model.onnx"]
    assert select(REPO, exclude=["*.md", "tokenizer*"]) == [
        "config.json",
        "model.safetensors",
        "model.safetensors.index.json",
    ]
    assert select(REPO, include=["*.json"], exclude=["*"]) == []


def test_manifest_round_trip_and_stable_format() -> None:
    manifest = Manifest(
        repo="acme/m",
        revision="main",
        commit="a" * 40,
        files=(
            ManifestFile("z.safetensors", 10, ContentHash("sha256", "b" * 64), 2, "AAAAAA=="),
            ManifestFile("a.json", 2, ContentHash("git-sha1", "c" * 40), 1, "AAAAAB=="),
        ),
    )
    doc = json.loads(manifest.to_json())
    assert list(doc) == ["format", "version", "repo", "revision", "commit", "total_size", "files"]
    assert (doc["format"], doc["version"], doc["total_size"]) == ("hfkit-manifest", 1, 12)
    assert [f["path"] for f in doc["files"]] == ["a.json", "z.safetensors"]
    assert doc["files"][0] == {"path": "a.json", "size": 2, "hash": "git-sha1:" + "c" * 40, "generation": 1,
                               "crc32c": "AAAAAB=="}  # fmt: skip
    parsed = Manifest.from_json(manifest.to_json())
    assert parsed.by_path() == manifest.by_path()
    assert commit_prefix("/models/", "acme/m", "a" * 40) == "models/acme/m/" + "a" * 40 + "/"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 2}, "manifest version 2 is not supported (this reader: 1)"),
        ({"format": "other"}, "not an hfkit manifest (format 'other')"),
        ({"commit": "main"}, "manifest commit 'main' is not a 40-hex commit id"),
        ({"files": [{"path": "x"}]}, "malformed manifest: 'size'"),
    ],
)
def test_manifest_reader_rejects_what_it_does_not_understand(change: dict[str, object], message: str) -> None:
    doc = {"format": "hfkit-manifest", "version": 1, "repo": "a/b", "revision": "main", "commit": "a" * 40, "files": []}
    with pytest.raises(ManifestError) as caught:
        Manifest.from_json(json.dumps({**doc, **change}))
    assert str(caught.value) == message


def test_git_blob_hash_matches_git() -> None:
    hasher = ContentHash("git-sha1", "").new_hasher(0)
    assert hasher.hexdigest() == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"  # `git hash-object /dev/null`
    assert ContentHash.parse("sha256:ABC") == ContentHash("sha256", "abc")
    with pytest.raises(ValueError, match="not a content hash"):
        ContentHash.parse("md5:abc")


def test_progress_is_drawn_only_on_a_terminal() -> None:
    assert isinstance(make_reporter(Console(file=io.StringIO())), QuietReporter)
    out = io.StringIO()
    reporter = make_reporter(Console(file=out, force_terminal=True, width=120))
    assert isinstance(reporter, RichReporter)
    reporter.start(1, 2048)
    reporter.file_started("model.safetensors", 2048)
    reporter.advance("model.safetensors", 2048)
    reporter.file_finished("model.safetensors")
    reporter.stop()
    assert "total (1 files)" in out.getvalue() and "2.0/2.0 KiB" in out.getvalue()
