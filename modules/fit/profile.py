"""A model's memory profile from its `config.json` and the headers of the safetensors an engine loads.

The parameter count and stored bytes are exact: they come from the tensors' shapes and dtypes in the headers.
What the engine holds differs from what is stored in two ways, both modelled here:
- an unquantized checkpoint is cast to the served dtype (a float32 checkpoint is served in 16 bits: see
  `modules/fit/dtypes.py`); a quantized one (`quantization_config` in config.json: fp8, AWQ/GPTQ int4,
  compressed-tensors) is held as stored, scales included;
- DeepSeek's multi-token-prediction layers (`model.layers.{num_hidden_layers}...`, `num_nextn_predict_layers`) are not
  loaded: vLLM 0.26.0 `vllm/model_executor/models/deepseek_v2.py` `load_weights` (line 1565) skips every weight
  `get_spec_layer_idx_from_weight_name` matches ("skip spec decode layers for main model").

Tensor parallelism does not split every tensor: vLLM replicates norms (1-D tensors), the MoE router (`gate`,
`router`: ReplicatedLinear in vLLM 0.26.0 mixtral.py line 117, qwen2_moe.py lines 139/147, llama4.py line 101,
`GateLinear(ReplicatedLinear)` in deepseek_v2.py line 308) and MLA's down-projections (`q_a_proj`,
`kv_a_proj_with_mqa`: `DeepSeekV2FusedQkvAProjLinear(disable_tp=True)` / `ReplicatedLinear`, deepseek_v2.py lines
918, 1003, 1010), and when tensor-parallel ranks outnumber the KV heads every rank holds one whole KV head of
`k_proj`/`v_proj` (`QKVParallelLinear` replicates them). `WeightParts` keeps these apart so the bytes per device
are right.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from modules.fit.config import TextConfig, read_text_config
from modules.fit.dtypes import config_dtype
from modules.fit.errors import ProfileError

#: Bytes per element of each safetensors dtype (the format's own names).
SAFETENSORS_DTYPE_BYTES: dict[str, int] = {
    "F64": 8, "I64": 8, "U64": 8,
    "F32": 4, "I32": 4, "U32": 4,
    "F16": 2, "BF16": 2, "I16": 2, "U16": 2,
    "F8_E4M3": 1, "F8_E5M2": 1, "F8_E8M0": 1, "I8": 1, "U8": 1, "BOOL": 1,
}  # fmt: skip
FLOAT_DTYPES = frozenset({"F64", "F32", "F16", "BF16", "F8_E4M3", "F8_E5M2", "F8_E8M0"})

#: Name endings of the tensors vLLM keeps whole on every rank besides the 1-D ones (module doc).
_REPLICATED_ENDINGS = (".gate.weight", ".router.weight", ".shared_expert_gate.weight")


@dataclass(frozen=True)
class WeightPart:
    """Tensors that tensor parallelism places alike."""

    params: int = 0
    stored_bytes: int = 0
    float_params: int = 0
    """Parameters of floating-point tensors (cast to the served dtype when the checkpoint is not quantized)."""
    other_bytes: int = 0
    """Stored bytes of the integer and boolean tensors (never cast)."""

    def add(self, n: int, dtype: str) -> WeightPart:
        size = n * SAFETENSORS_DTYPE_BYTES[dtype]
        is_float = dtype in FLOAT_DTYPES
        return WeightPart(
            self.params + n,
            self.stored_bytes + size,
            self.float_params + (n if is_float else 0),
            self.other_bytes + (0 if is_float else size),
        )

    def held_bytes(self, dtype_bytes: int, quantized: bool) -> int:
        return self.stored_bytes if quantized else self.float_params * dtype_bytes + self.other_bytes


@dataclass(frozen=True)
class WeightParts:
    sharded: WeightPart = field(default_factory=WeightPart)
    replicated: WeightPart = field(default_factory=WeightPart)
    """Whole on every tensor-parallel rank."""
    kv_proj: WeightPart = field(default_factory=WeightPart)
    """`k_proj`/`v_proj` of the language model: split by KV head."""


@dataclass(frozen=True)
class ModelProfile:
    config: TextConfig
    parameters: int
    parameters_by_dtype: dict[str, int]
    weight_bytes: int
    """Bytes of the loaded tensors as stored."""
    parts: WeightParts
    skipped_parameters: int = 0
    """Parameters in the files that the engine does not load (DeepSeek's MTP layers)."""

    @property
    def model_type(self) -> str:
        return self.config.model_type

    @property
    def layers(self) -> int:
        return self.config.layers

    @property
    def attention_heads(self) -> int:
        return self.config.attention_heads

    @property
    def kv_heads(self) -> int:
        return self.config.kv_heads

    @property
    def head_dim(self) -> int:
        return self.config.head_dim

    @property
    def context_length(self) -> int:
        return self.config.context_length

    @property
    def experts(self) -> int | None:
        return self.config.experts

    @property
    def quantized(self) -> bool:
        return self.config.quantization is not None

    def held_weight_bytes(self, dtype_bytes: int) -> int:
        """All loaded weights as the engine holds them (summed over devices, before any replication)."""
        p = self.parts
        return sum(part.held_bytes(dtype_bytes, self.quantized) for part in (p.sharded, p.replicated, p.kv_proj))

    def weight_bytes_per_device(self, dtype_bytes: int, tp: int) -> int:
        """One tensor-parallel rank's share: sharded parts split, replicated parts whole, KV heads whole."""
        p, q = self.parts, self.quantized
        kv_share = max(self.kv_heads, tp) // tp
        kv = -(-p.kv_proj.held_bytes(dtype_bytes, q) * kv_share // self.kv_heads) if p.kv_proj.params else 0
        return -(-p.sharded.held_bytes(dtype_bytes, q) // tp) + p.replicated.held_bytes(dtype_bytes, q) + kv

    def kv_bytes_per_token(self, kv_heads: int | None = None, dtype_bytes: int = 2) -> int:
        """K and V of one token in every layer, all layers full attention (the textbook GQA figure)."""
        return 2 * self.layers * (kv_heads or self.kv_heads) * self.head_dim * dtype_bytes


def _mtp_prefixes(config: TextConfig) -> tuple[str, ...]:
    return tuple(f"model.layers.{config.layers + i}." for i in range(config.mtp_layers))


def _placement(name: str, shape: list[int]) -> str:
    if len(shape) <= 1 or name.endswith(_REPLICATED_ENDINGS) or ".q_a_proj." in name or ".kv_a_proj_with_mqa." in name:
        return "replicated"
    if (".self_attn.k_proj." in name or ".self_attn.v_proj." in name) and "vision" not in name:
        return "kv_proj"
    return "sharded"


def count_tensors(
    headers: Iterable[Mapping[str, Any]], skip_prefixes: tuple[str, ...] = ()
) -> tuple[Counter[str], int, WeightParts, int]:
    """Parameters per dtype, stored bytes and placement parts of every loaded tensor, and the skipped parameters."""
    counts: Counter[tuple[str, str]] = Counter()  # (placement, dtype) -> parameters
    skipped = 0
    for header in headers:
        for name, tensor in header.items():
            if name == "__metadata__":
                continue
            dtype = tensor.get("dtype") if isinstance(tensor, dict) else None
            if dtype not in SAFETENSORS_DTYPE_BYTES:
                raise ProfileError(
                    f"safetensors header: tensor {name!r} has dtype {dtype!r}; "
                    f"allowed: {', '.join(SAFETENSORS_DTYPE_BYTES)}"
                )
            shape = tensor["shape"]
            n = math.prod(shape)
            if skip_prefixes and name.startswith(skip_prefixes):
                skipped += n
                continue
            counts[_placement(name, shape), dtype] += n
    params: Counter[str] = Counter()
    parts = {"sharded": WeightPart(), "replicated": WeightPart(), "kv_proj": WeightPart()}
    for (placement, dtype), n in sorted(counts.items()):
        params[dtype] += n
        parts[placement] = parts[placement].add(n, dtype)
    size = sum(n * SAFETENSORS_DTYPE_BYTES[dtype] for dtype, n in params.items())
    return params, size, WeightParts(**parts), skipped


def profile_model(
    config: Mapping[str, Any],
    headers: Iterable[Mapping[str, Any]],
    tokenizer_config: Mapping[str, Any] | None = None,
) -> ModelProfile:
    """Combine config.json (shape, defaults applied) with the headers of the loaded shards (parameters, bytes);
    `tokenizer_config` (tokenizer_config.json, when staged) may cap the context as vLLM caps it."""
    text = read_text_config(config, tokenizer_config)
    config_dtype(text)  # refuse an unknown torch_dtype before sizing
    params, weight_bytes, parts, skipped = count_tensors(headers, _mtp_prefixes(text))
    if weight_bytes == 0:
        raise ProfileError("safetensors headers: no tensors found; is this a safetensors checkpoint?")
    return ModelProfile(
        config=text,
        parameters=sum(params.values()),
        parameters_by_dtype=dict(sorted(params.items())),
        weight_bytes=weight_bytes,
        parts=parts,
        skipped_parameters=skipped,
    )
