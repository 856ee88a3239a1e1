"""Where a staged model is and what it is, read from GCS with as few bytes as possible.

A model is read only through its manifest (the stager writes it last, so its presence means the commit is complete):
the exact object generations it lists are read, `config.json` whole, `model.safetensors.index.json` and
`tokenizer_config.json` (its `model_max_length` caps vLLM's context, modules/fit/config.py) when staged, and
of each safetensors shard the engine loads only the header: bytes 0-7 hold the header length N (little-endian u64),
bytes 8..8+N-1 the JSON header with every tensor's dtype and shape. A 140 GB checkpoint is profiled from a few
megabytes. Which shards hold the weights the engine sizes its model with is the staging rule
(`scripts.stage.selection.served_weights`), narrowed to the files the index names: one copy of every tensor. Loaders
differ on the rest (scripts/stage/selection.py): vLLM's default loader reads only the indexed files, while the Run:ai
streamer (vLLM on GPU) and tpu-inference's JAX loader read every top-level `*.safetensors`; a second copy then costs
load time, not memory, since parameters are allocated once from config.json.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from modules.fit.errors import ProfileError
from modules.fit.profile import ModelProfile, profile_model
from scripts.fit.errors import FitError, ModelError, NotStagedError
from scripts.stage.manifest import DEFAULT_PREFIX, MANIFEST_NAME, Manifest, ManifestError, ManifestFile
from scripts.stage.selection import SAFETENSORS_INDEX, served_weights

if TYPE_CHECKING:
    from google.cloud.storage import Bucket, Client

_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
#: A safetensors header larger than this is not a header (the format caps it at 100 MB).
MAX_HEADER_BYTES = 100_000_000
MAX_CONFIG_BYTES = 10_000_000
MAX_INDEX_BYTES = 50_000_000


@dataclass(frozen=True)
class StagedModel:
    bucket: str
    prefix: str
    """The commit prefix, ending with `/`."""
    manifest: Manifest

    @property
    def uri(self) -> str:
        return f"gs://{self.bucket}/{self.prefix}"


def stage_hint(repo_id: str, bucket: str) -> str:
    return f"run `hfkit stage {repo_id} --bucket {bucket}`"


def _manifest_at(bucket: Bucket, name: str, what: str) -> Manifest:
    from google.api_core.exceptions import NotFound

    try:
        data = bucket.blob(name).download_as_bytes()
    except NotFound:
        raise NotStagedError(f"{what}: no manifest at gs://{bucket.name}/{name}; stage the model first") from None
    try:
        return Manifest.from_json(data)
    except ManifestError as exc:
        raise FitError(f"gs://{bucket.name}/{name}: {exc}") from None


def latest_staged(client: Client, bucket_name: str, repo_id: str, root: str = DEFAULT_PREFIX) -> StagedModel:
    """The newest complete staging of `repo_id`: among commit folders with a manifest, the manifest created last."""
    if not _REPO_ID.match(repo_id):
        raise FitError(f"MODEL {repo_id!r} is neither ORG/NAME nor gs://BUCKET/.../{MANIFEST_NAME}")
    bucket = client.bucket(bucket_name)
    repo_prefix = "/".join([*(p for p in root.split("/") if p), repo_id]) + "/"
    listing = bucket.list_blobs(prefix=repo_prefix, delimiter="/")
    for _ in listing.pages:  # prefixes are collected while paging
        pass
    manifests = []
    for folder in sorted(listing.prefixes):
        if _COMMIT.match(folder[len(repo_prefix) :].rstrip("/")):
            blob = bucket.get_blob(folder + MANIFEST_NAME)
            if blob is not None:
                manifests.append((blob.time_created, blob.generation, folder))
    if not manifests:
        raise NotStagedError(
            f"model {repo_id!r} is not staged in gs://{bucket_name}/{repo_prefix}: {stage_hint(repo_id, bucket_name)}"
        )
    folder = max(manifests)[2]
    return StagedModel(bucket_name, folder, _manifest_at(bucket, folder + MANIFEST_NAME, repo_id))


def staged_at(client: Client, uri: str) -> StagedModel:
    """A `gs://BUCKET/.../COMMIT/hfkit-manifest.json` (or its folder) named on the command line."""
    match = re.fullmatch(r"gs://([^/]+)/(.+/)(?:" + re.escape(MANIFEST_NAME) + ")?", uri)
    if match is None:
        raise FitError(f"MODEL {uri!r} is not gs://BUCKET/PATH/COMMIT/{MANIFEST_NAME}")
    bucket_name, prefix = match.group(1), match.group(2)
    manifest = _manifest_at(client.bucket(bucket_name), prefix + MANIFEST_NAME, uri)
    return StagedModel(bucket_name, prefix, manifest)


def resolve_model(client: Client, model: str, bucket_name: str, root: str = DEFAULT_PREFIX) -> StagedModel:
    return staged_at(client, model) if model.startswith("gs://") else latest_staged(client, bucket_name, model, root)


def _read(bucket: Bucket, prefix: str, file: ManifestFile, start: int | None = None, end: int | None = None) -> bytes:
    blob = bucket.blob(prefix + file.path, generation=file.generation)
    return blob.download_as_bytes(start=start, end=end, checksum=None)


def safetensors_header(bucket: Bucket, prefix: str, file: ManifestFile) -> dict[str, Any]:
    """Two ranged reads: the 8-byte length, then exactly the JSON header."""
    where = f"gs://{bucket.name}/{prefix}{file.path}"
    length = int.from_bytes(_read(bucket, prefix, file, 0, 7), "little")
    if not 2 <= length <= min(MAX_HEADER_BYTES, file.size - 8):
        raise ModelError(f"{where}: header length {length} is not plausible for a {file.size}-byte safetensors file")
    try:
        header = json.loads(_read(bucket, prefix, file, 8, 8 + length - 1))
    except ValueError as exc:
        raise ModelError(f"{where}: the safetensors header is not JSON ({exc})") from None
    if not isinstance(header, dict):
        raise ModelError(f"{where}: the safetensors header is not a JSON object")
    try:
        data_end = max((t["data_offsets"][1] for n, t in header.items() if n != "__metadata__"), default=0)
    except (TypeError, KeyError, IndexError):
        raise ModelError(f"{where}: a tensor in the safetensors header has no data_offsets") from None
    if 8 + length + data_end != file.size:
        raise ModelError(
            f"{where}: the header describes {8 + length + data_end} bytes but the staged file has {file.size}"
        )
    return header


@dataclass(frozen=True)
class StagedProfile:
    profile: ModelProfile
    loaded: tuple[str, ...]
    """The safetensors files the engine loads (their headers were read)."""
    ignored: tuple[str, ...]
    """Staged safetensors files not counted (a consolidated copy, files the index does not name): they hold no
    parameter the engine allocates, whether or not its loader reads them."""


def _json_file(bucket: Bucket, staged: StagedModel, file: ManifestFile, limit: int) -> Any:
    where = f"{staged.uri}{file.path}"
    if file.size > limit:
        raise ModelError(f"{where}: {file.size} bytes is not a {file.path}")
    try:
        return json.loads(_read(bucket, staged.prefix, file))
    except ValueError as exc:
        raise ModelError(f"{where}: not JSON ({exc})") from None


def loaded_shards(bucket: Bucket, staged: StagedModel) -> tuple[list[ManifestFile], list[str]]:
    """The staged shards the engine loads and the staged safetensors it ignores (module doc)."""
    files = staged.manifest.by_path()
    served = served_weights(f.path for f in staged.manifest.files)
    if not served:
        raise ModelError(
            f"{staged.uri}: no top-level *.safetensors files are staged; hfkit fit sizes safetensors checkpoints only"
        )
    index_file = files.get(SAFETENSORS_INDEX)
    if index_file is not None and not served[0].startswith("consolidated"):
        weight_map = _json_file(bucket, staged, index_file, MAX_INDEX_BYTES).get("weight_map")
        if not isinstance(weight_map, dict):
            raise ModelError(f"{staged.uri}{SAFETENSORS_INDEX}: weight_map is missing; allowed: a transformers index")
        named = sorted(set(map(str, weight_map.values())))
        missing = [name for name in named if name not in files]
        if missing:
            raise NotStagedError(
                f"{staged.uri}: {SAFETENSORS_INDEX} names {', '.join(missing)}, which is not staged; stage it "
                f"(hfkit stage {staged.manifest.repo} --include '*.safetensors' --include '*.json')"
            )
        served = [path for path in served if path in set(named)]
    ignored = [f.path for f in staged.manifest.files if f.path.endswith(".safetensors") and f.path not in served]
    return [files[path] for path in served], ignored


def profile_staged(client: Client, staged: StagedModel) -> StagedProfile:
    """Profile from config.json and the header of every shard the engine loads, reading shards in parallel."""
    files = staged.manifest.by_path()
    where = staged.uri
    config_file = files.get("config.json")
    if config_file is None:
        raise ModelError(f"{where}: the manifest lists no config.json; stage it (it is in every transformers repo)")
    bucket = client.bucket(staged.bucket)
    shards, ignored = loaded_shards(bucket, staged)
    config = _json_file(bucket, staged, config_file, MAX_CONFIG_BYTES)
    if not isinstance(config, dict):
        raise ModelError(f"{where}config.json: not a JSON object")
    tokenizer_file = files.get("tokenizer_config.json")
    tokenizer = _json_file(bucket, staged, tokenizer_file, MAX_CONFIG_BYTES) if tokenizer_file else None
    with ThreadPoolExecutor(max_workers=min(8, len(shards))) as pool:
        headers = list(pool.map(lambda f: safetensors_header(bucket, staged.prefix, f), shards))
    try:
        profile = profile_model(config, headers, tokenizer if isinstance(tokenizer, dict) else None)
    except ProfileError as exc:
        raise ModelError(f"{where}: {exc}") from None
    return StagedProfile(profile, tuple(f.path for f in shards), tuple(ignored))
