"""Pure parts of staging: selection precedence, manifest format, hashing, progress display choice, crc32c
composition, part sizing, the stream governor and object metadata."""

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


def test_crc32c_of_parts_composes_into_the_crc32c_of_the_whole() -> None:
    """The reference is google-crc32c over the concatenated bytes (the C library GCS's clients use)."""
    import os
    import random

    import google_crc32c

    from scripts.stage.crc32c import combine

    rng = random.Random(7)
    for _ in range(50):
        parts = [os.urandom(rng.choice([0, 1, 3, 255, 4096, 70_000])) for _ in range(rng.randint(1, 5))]
        crc = 0
        for part in parts:
            crc = combine(crc, google_crc32c.value(part), len(part))
        assert crc == google_crc32c.value(b"".join(parts))


def test_parts_stay_within_gcs_limit_of_10000() -> None:
    """GCS XML multipart uploads take at most 10,000 parts (put-object-multipart: partNumber 1..10,000). A 100 GiB
    file in 8 MiB parts would need 12,800; ceil(102,400 MiB / 10,000) = 10.24 MiB, so 11 MiB parts (10,000 x 11 MiB
    = 110,000 MiB >= 102,400 MiB)."""
    from scripts.stage.pipeline import MAX_PARTS, PART_SIZE, part_size_for

    MiB = 1024 * 1024
    assert part_size_for(3 * MiB, PART_SIZE) == PART_SIZE
    assert part_size_for(PART_SIZE * MAX_PARTS, PART_SIZE) == PART_SIZE  # exactly 10,000 parts
    assert part_size_for(100 * 1024 * MiB, PART_SIZE) == 11 * MiB


def test_stream_governor_doubles_while_throughput_grows_then_keeps_the_best_count() -> None:
    from scripts.stage.streams import WINDOW, StreamGovernor

    now = [0.0]
    governor = StreamGovernor(cap=32, initial=4, clock=lambda: now[0])
    governor.start()

    def window(mib_per_s: float, starved: bool = False) -> None:
        governor.moved(int(mib_per_s * WINDOW * 1.01 * 2**20))
        now[0] += WINDOW * 1.01  # a little over the window, whatever the float rounding
        if starved:
            governor.starved()
        governor.tick()

    window(80)
    assert governor.limit == 8  # the first measurement: try twice as many
    window(100)  # +25%: worth it
    assert governor.limit == 16
    window(400, starved=True)  # too few parts waiting to fill the streams: says nothing, no decision
    assert governor.limit == 16 and not governor.settled
    window(104)  # +4% < 10%: not worth it; back to the best count
    assert (governor.limit, governor.settled) == (8, True)
    window(500)
    assert governor.limit == 8  # settled


def test_stream_governor_halves_the_streams_when_the_process_is_cpu_bound() -> None:
    """More streams than the CPU can serve only add contention (bench/stage.py on loopback): a window in which the
    process used 0.9 CPU-seconds per second or more halves the streams, not below 4, and settles."""
    from scripts.stage.streams import WINDOW, StreamGovernor

    now, cpu = [0.0], [0.0]
    governor = StreamGovernor(cap=16, initial=8, clock=lambda: now[0], cpu_clock=lambda: cpu[0])
    governor.start()
    governor.moved(300 * 2**20)
    now[0] += WINDOW * 1.01
    cpu[0] += WINDOW * 1.01 * 0.95  # 0.95 CPU-seconds per second
    governor.tick()
    assert (governor.limit, governor.settled) == (4, True)
    small = StreamGovernor(cap=16, initial=4, clock=lambda: now[0], cpu_clock=lambda: cpu[0])
    small.start()
    now[0] += WINDOW * 1.01
    cpu[0] += WINDOW * 1.01
    small.tick()
    assert (small.limit, small.settled) == (4, True)  # never below 4


def test_metadata_travels_in_headers_as_ascii() -> None:
    """XML API metadata goes in HTTP headers, which carry ASCII only; a Unicode path is percent-encoded (UTF-8) and
    an object carrying either form is recognised."""
    from scripts.stage.gcs import META_PATH, StoredObject, object_metadata
    from scripts.stage.hub import RepoFile, RepoSnapshot

    file = RepoFile("tokenizer/vocab_é.json", 3, ContentHash("git-sha1", "a" * 40))
    snapshot = RepoSnapshot("acme/m", "main", "c" * 40, (file,))
    metadata = object_metadata(snapshot, file)
    assert metadata[META_PATH] == "tokenizer/vocab_%C3%A9.json"
    assert all(value.isascii() for value in metadata.values())
    for path in ("tokenizer/vocab_%C3%A9.json", "tokenizer/vocab_é.json"):
        assert StoredObject(file.path, 3, 1, "", {**metadata, META_PATH: path}).matches(file, snapshot)
    assert object_metadata(snapshot, RepoFile("a b.json", 1, file.hash))[META_PATH] == "a b.json"
