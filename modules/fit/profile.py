"""A model's memory profile from its `config.json` and its safetensors headers, without reading any weight.

The parameter count and weight bytes are exact: they come from the tensors' shapes and dtypes in the headers, so
quantized or mixed-precision checkpoints are counted as stored. The KV-cache size per token comes from the
attention shape in the config: 2 (K and V) x layers x KV heads x head dim x bytes per element of the cache dtype.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: Bytes per element of each safetensors dtype (the format's own names).
SAFETENSORS_DTYPE_BYTES: dict[str, int] = {
    "F64": 8, "I64": 8, "U64": 8,
    "F32": 4, "I32": 4, "U32": 4,
    "F16": 2, "BF16": 2, "I16": 2, "U16": 2,
    "F8_E4M3": 1, "F8_E5M2": 1, "F8_E8M0": 1, "I8": 1, "U8": 1, "BOOL": 1,
}  # fmt: skip

#: The KV cache is kept in the model's activation dtype (vLLM `--kv-cache-dtype auto`).
TORCH_DTYPE_BYTES: dict[str, int] = {"bfloat16": 2, "float16": 2, "float32": 4}


class ProfileError(ValueError):
    """The config or a header lacks what sizing needs; the message names the file and the field."""


@dataclass(frozen=True)
class ModelProfile:
    model_type: str
    parameters: int
    parameters_by_dtype: dict[str, int]
    weight_bytes: int
    layers: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    context_length: int
    kv_dtype: str
    experts: int | None = None

    @property
    def kv_dtype_bytes(self) -> int:
        return TORCH_DTYPE_BYTES[self.kv_dtype]

    def kv_bytes_per_token(self, kv_heads: int | None = None) -> int:
        """K and V for one token in every layer; `kv_heads` overrides the count when tensor parallelism replicates
        heads (more shards than KV heads)."""
        return 2 * self.layers * (kv_heads or self.kv_heads) * self.head_dim * self.kv_dtype_bytes


def text_config(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """Multimodal configs nest the language model's shape under `text_config`."""
    nested = config.get("text_config")
    return nested if isinstance(nested, Mapping) else config


def _int(config: Mapping[str, Any], *keys: str) -> int | None:
    for key in keys:
        value = config.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def _required(config: Mapping[str, Any], *keys: str) -> int:
    value = _int(config, *keys)
    if value is None:
        raise ProfileError(f"config.json: {' or '.join(keys)} is missing or not a positive integer")
    return value


def count_tensors(headers: Iterable[Mapping[str, Any]]) -> tuple[Counter[str], int]:
    """Parameters per dtype and their bytes, over every tensor of every shard header (`__metadata__` skipped)."""
    params: Counter[str] = Counter()
    size = 0
    for header in headers:
        for name, tensor in header.items():
            if name == "__metadata__":
                continue
            dtype = tensor.get("dtype") if isinstance(tensor, Mapping) else None
            if dtype not in SAFETENSORS_DTYPE_BYTES:
                raise ProfileError(
                    f"safetensors header: tensor {name!r} has dtype {dtype!r}; "
                    f"allowed: {', '.join(SAFETENSORS_DTYPE_BYTES)}"
                )
            n = math.prod(tensor["shape"])
            params[dtype] += n
            size += n * SAFETENSORS_DTYPE_BYTES[dtype]
    return params, size


def profile_model(config: Mapping[str, Any], headers: Iterable[Mapping[str, Any]]) -> ModelProfile:
    """Combine config.json (attention shape, context) with the shard headers (parameters, bytes)."""
    text = text_config(config)
    heads = _required(text, "num_attention_heads", "n_head")
    hidden = _int(text, "hidden_size", "n_embd")
    head_dim = _int(text, "head_dim")
    if head_dim is None:
        if hidden is None:
            raise ProfileError("config.json: head_dim and hidden_size are both missing")
        head_dim = hidden // heads
    params, weight_bytes = count_tensors(headers)
    if weight_bytes == 0:
        raise ProfileError("safetensors headers: no tensors found; is this a safetensors checkpoint?")
    dtype = text.get("torch_dtype") or config.get("torch_dtype") or "bfloat16"
    if dtype not in TORCH_DTYPE_BYTES:
        raise ProfileError(
            f"config.json: torch_dtype {dtype!r} is not supported; allowed: {', '.join(TORCH_DTYPE_BYTES)}"
        )
    return ModelProfile(
        model_type=str(config.get("model_type", "unknown")),
        parameters=sum(params.values()),
        parameters_by_dtype=dict(sorted(params.items())),
        weight_bytes=weight_bytes,
        layers=_required(text, "num_hidden_layers", "n_layer"),
        attention_heads=heads,
        kv_heads=_int(text, "num_key_value_heads") or heads,
        head_dim=head_dim,
        context_length=_required(text, "max_position_embeddings", "n_positions", "max_seq_len"),
        kv_dtype=dtype,
        experts=_int(text, "num_local_experts", "num_experts", "n_routed_experts"),
    )
