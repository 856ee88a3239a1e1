"""Which repository files a model server needs: one rule for `hfkit stage`'s default selection and `hfkit fit`.

Repositories often carry the same weights several times: PyTorch pickles, TF, Flax, ONNX, GGUF beside safetensors,
and, for Mistral and Meta models, a consolidated checkpoint (`consolidated*.safetensors`, `original/`) beside the
Hugging Face shards. The engines load only the Hugging Face safetensors at the top of the repo:

- vLLM v0.11.0 (`vllm/model_executor/model_loader/default_loader.py`, `DefaultModelLoader._prepare_weights`, load
  format `auto`) globs `*.safetensors` in the model folder only (never a subfolder), then
  `weight_utils.filter_duplicate_safetensors_files` keeps only the files that `model.safetensors.index.json` names
  when that index exists ("For models like Mistral-7B-Instruct-v0.3 there are both sharded safetensors files and a
  consolidated safetensors file. Using both breaks."). Read in the vllm 0.11.0 wheel from PyPI, 2026-12-02.
- tpu-inference 0.11.1 (`tpu_inference/models/jax/utils/weight_utils.py`, `HF_WEIGHTS_FORMAT = "*.safetensors"`)
  globs the same top-level files but applies no index: a staged consolidated checkpoint would be read too. So the
  consolidated copy must not be staged at all, which is also what saves the bytes and the time.
- TGI 3.3.6 (`server/text_generation_server/utils/hub.py`, `_weight_files_from_dir`) takes the top-level
  `*.safetensors` too and reads tensors by their Hugging Face names, so a consolidated copy is opened but unused.

The rule (`served_weights`): the top-level `*.safetensors` except `consolidated*.safetensors`; the consolidated
files only when they are the only top-level safetensors (then they are all there is). `hfkit fit` then narrows the
served files to those the staged `model.safetensors.index.json` names, as vLLM does.

Default selection (documented in docs/staging.md): every file except
- `.gitattributes`;
- when any `*.safetensors` exists: the duplicate weight formats and their indexes (`ALTERNATIVE_WEIGHT_SUFFIXES`);
- when the served weights are Hugging Face shards: the safetensors no server loads (consolidated copies, files in
  subfolders), `consolidated.safetensors.index.json`, and everything under `original/`.
A repo without top-level safetensors keeps its other weight files: they are then the only weights.

Precedence:
1. without `--include`, start from the default selection; with `--include`, start from the files matching any
   include pattern (the default rules do not apply then, so every format stays selectable);
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
#: The index vLLM reads to pick the shards (transformers' SAFE_WEIGHTS_INDEX_NAME).
SAFETENSORS_INDEX = "model.safetensors.index.json"
#: Mistral's own format: the consolidated checkpoint and its index (vLLM load format `mistral`).
CONSOLIDATED_PREFIX = "consolidated"
CONSOLIDATED_INDEX = "consolidated.safetensors.index.json"
#: Meta's original checkpoint folder (consolidated.*.pth, params.json, tokenizer.model).
ORIGINAL_FOLDER = "original/"


def _matches(path: str, patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        if pattern.endswith("/"):
            pattern += "*"
        if fnmatchcase(path, pattern):
            return True
    return False


def served_weights(paths: Iterable[str]) -> list[str]:
    """The safetensors files an engine loads, in input order (before the index narrows them; see module doc)."""
    top = [p for p in paths if p.endswith(".safetensors") and "/" not in p]
    hf = [p for p in top if not p.startswith(CONSOLIDATED_PREFIX)]
    return hf or top


def default_selection(paths: Iterable[str]) -> list[str]:
    """Everything a server needs: no git plumbing, no duplicate weight formats, no unserved safetensors."""
    paths = list(paths)
    has_safetensors = any(p.endswith(".safetensors") for p in paths)
    served = set(served_weights(paths))
    hf_shards = bool(served) and not any(p.startswith(CONSOLIDATED_PREFIX) for p in served)
    selected = []
    for path in paths:
        if path.rsplit("/", 1)[-1] in ALWAYS_SKIPPED:
            continue
        if has_safetensors and path.endswith(ALTERNATIVE_WEIGHT_SUFFIXES):
            continue
        if hf_shards and (
            (path.endswith(".safetensors") and path not in served)
            or path == CONSOLIDATED_INDEX
            or path.startswith(ORIGINAL_FOLDER)
        ):
            continue
        selected.append(path)
    return selected


def select(paths: Iterable[str], include: Sequence[str] = (), exclude: Sequence[str] = ()) -> list[str]:
    """Apply the precedence rules above; the result keeps the input order."""
    paths = list(paths)
    candidates = [p for p in paths if _matches(p, include)] if include else default_selection(paths)
    return [p for p in candidates if not _matches(p, exclude)]
