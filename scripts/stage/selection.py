"""Which repository files a model server needs: one rule for `hfkit stage`'s default selection and `hfkit fit`.

Repositories often carry the same weights several times: PyTorch pickles, TF, Flax, ONNX, GGUF beside safetensors,
and, for Mistral and Meta models, a consolidated checkpoint (`consolidated*.safetensors`, `original/`) beside the
Hugging Face shards. The engines load only the Hugging Face safetensors at the top of the repo:

- vLLM 0.26.0 on GPU, the kit's load path (`--load-format runai_streamer` from `gs://`, modules/serving/pod.py):
  `RunaiModelStreamerLoader._prepare_weights` (vllm/model_executor/model_loader/runai_streamer_loader.py line 80)
  streams every `*.safetensors` the Run:ai streamer lists at the top of the prefix (runai-model-streamer-gcs 0.15.7
  `files.py` `list_files`: `delimiter='/'`, never a subfolder) and applies no index, so a staged consolidated copy
  would be streamed too (Mistral's model maps its names onto the same parameters: load time, not memory).
- vLLM 0.27.0's default loader (vllm-tpu, for models tpu-inference runs through vLLM's model code, reading the GCS
  FUSE mount; `DefaultModelLoader._prepare_weights`, default_loader.py line 128, identical in 0.26.0): load format
  `auto` turns into Mistral's format as soon as a `consolidated*.safetensors` exists anywhere under the folder
  (`list_filtered_repo_files` lists a local folder recursively), and then loads only the top-level
  `consolidated*.safetensors`; otherwise it globs the top-level `*.safetensors` and keeps those
  `model.safetensors.index.json` names (`weight_utils.filter_duplicate_safetensors_files`, "For models like
  Mistral-7B-Instruct-v0.3 there are both sharded safetensors files and a consolidated safetensors file. Using both
  breaks.").
- tpu-inference 0.27.0's JAX models (`tpu_inference/models/jax/utils/weight_utils.py` `get_model_weights_files`
  line 141, `HF_WEIGHTS_FORMAT = "*.safetensors"`) glob the same top-level files and apply no index.
- TGI 3.3.7 (`server/text_generation_server/utils/hub.py`, `_weight_files_from_dir` line 46) takes the top-level
  `*.safetensors` too and reads tensors by their Hugging Face names, so a consolidated copy is opened but unused.
So the consolidated copy (and `original/`) must not be staged at all: no loader needs it, one would switch format
because of it, and leaving it out is also what saves the bytes and the time. Read in the PyPI wheels and at the
TGI tag on 2026-12-02 (versions: modules/catalog/engines.py).

The rule (`served_weights`): the top-level `*.safetensors` except `consolidated*.safetensors`; the consolidated
files only when they are the only top-level safetensors (then they are all there is). `hfkit fit` then narrows the
served files to those the staged `model.safetensors.index.json` names, as vLLM's default loader does: one copy of
every tensor, which is what the engines allocate.

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
