"""Pure parts of staging: selection precedence, manifest format, hashing, progress display choice, and the
verifying stream the upload reads from."""

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


class _Pieces:
    """A byte source that hands out at most `piece` bytes per read, like a socket."""

    def __init__(self, data: bytes, piece: int) -> None:
        self.data, self.piece, self.offset = data, piece, 0

    def read(self, n: int) -> bytes:
        out = self.data[self.offset : self.offset + min(n, self.piece)]
        self.offset += len(out)
        return out


def _stream(data: bytes, declared: bytes, chunk: int = 8, piece: int = 3):
    import hashlib

    from scripts.stage.hub import RepoFile, RepoSnapshot
    from scripts.stage.verified_stream import VerifiedStream

    file = RepoFile("w.safetensors", len(declared), ContentHash("sha256", hashlib.sha256(declared).hexdigest()))
    snapshot = RepoSnapshot("acme/w", "main", "c" * 40, (file,))
    return VerifiedStream(_Pieces(data, piece), file, snapshot, chunk, QuietReporter())


def test_verified_stream_hands_out_whole_chunks_and_the_last_one_only_when_verified() -> None:
    import base64

    import google_crc32c

    data = bytes(range(20))
    stream = _stream(data, data)
    first = stream.read(8)
    assert isinstance(first, memoryview) and bytes(first) == data[:8]  # a full chunk from 3-byte pieces, no copy
    assert stream.tell() == 8 and stream.read(8) == data[8:16]
    assert stream.seek(10) == 10 and bytes(stream.read(6)) == data[10:16]  # an upload retry rewinds in the chunk
    assert bytes(stream.read(8)) == data[16:] and stream.received == 20
    assert stream.crc32c == base64.b64encode(google_crc32c.Checksum(data).digest()).decode()
    with pytest.raises(OSError, match=r"cannot seek to byte 0 of 'w.safetensors' from acme/w@cccccccccccc"):
        stream.seek(0)  # earlier chunks are gone: the upload must restart the file instead


def test_verified_stream_withholds_the_last_chunk_of_wrong_or_short_content() -> None:
    from scripts.stage.errors import IntegrityError

    data = bytes(range(20))
    wrong = _stream(data[:19] + b"\xff", data)
    assert bytes(wrong.read(8)) + bytes(wrong.read(8)) == data[:16]
    with pytest.raises(IntegrityError, match=r"does not match the Hub's sha256"):
        wrong.read(8)
    short = _stream(data[:15], data)
    short.read(8)
    with pytest.raises(IntegrityError, match=r"has 15 bytes, the Hub declared 20; nothing was written for it"):
        short.read(8)


def test_verified_stream_gives_a_whole_small_file_as_bytes() -> None:
    data = b"{}"
    stream = _stream(data, data, chunk=8 * 1024 * 1024)
    whole = stream.read(len(data))
    assert type(whole) is bytes and whole == data  # the one-request upload concatenates it into a multipart body
