"""Which repository files a model server needs.

Repositories often carry the same weights in several formats (PyTorch pickles, TF, Flax, ONNX, GGUF ...). Serving
from safetensors needs only the safetensors, so by default the other formats are skipped when safetensors exist;
when a repo has no safetensors every file is kept, because the other formats are then the only weights.

Precedence (documented in docs/staging.md):
1. without `--include`, start from the default selection; with `--include`, start from the files matching any
   include pattern (the default rules do not apply then);
2. remove every file matching any `--exclude` pattern (exclude wins over include).
Patterns are shell globs matched against the whole path in the repo with `fnmatch` (`*` also crosses `/`), and a
pattern ending in `/` means everything under that folder, as in huggingface_hub's allow/ignore patterns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase

# Weight formats that duplicate safetensors weights, plus the index files that only point into them.
ALTERNATIVE_WEIGHT_SUFFIXES: tuple[str, ...] = (
    ".bin",
    ".pth",
    ".pt",
    ".ckpt",
    ".gguf",
    ".h5",
    ".msgpack",
    ".onnx",
    ".onnx_data",
    ".tflite",
    ".ot",
    ".mlmodel",
    ".pb",
    ".bin.index.json",
    ".h5.index.json",
    ".msgpack.index.json",
)
# Git plumbing that no server reads.
ALWAYS_SKIPPED: frozenset[str] = frozenset({".gitattributes"})


def _matches(path: str, patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        if pattern.endswith("/"):
            pattern += "*"
        if fnmatchcase(path, pattern):
            return True
    return False


def default_selection(paths: Iterable[str]) -> list[str]:
    """Everything except git plumbing and, when safetensors are present, the duplicate weight formats."""
    paths = list(paths)
    has_safetensors = any(p.endswith(".safetensors") for p in paths)
    selected = []
    for path in paths:
        if path.rsplit("/", 1)[-1] in ALWAYS_SKIPPED:
            continue
        if has_safetensors and path.endswith(ALTERNATIVE_WEIGHT_SUFFIXES):
            continue
        selected.append(path)
    return selected


def select(paths: Iterable[str], include: Sequence[str] = (), exclude: Sequence[str] = ()) -> list[str]:
    """Apply the precedence rules above; the result keeps the input order."""
    paths = list(paths)
    candidates = [p for p in paths if _matches(p, include)] if include else default_selection(paths)
    return [p for p in candidates if not _matches(p, exclude)]
