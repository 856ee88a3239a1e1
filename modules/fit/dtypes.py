"""The dtype an engine serves a checkpoint in, and the dtype of its KV cache (the kit passes neither `--dtype` nor
`--kv-cache-dtype`, so the engines' `auto` rules apply).

- vLLM 0.11.0 on GPU (`vllm/config/model.py`, `_find_dtype` / `_resolve_auto_dtype`): the config's `torch_dtype`
  (float32 when absent); float32 is downcast to the platform's first supported dtype, bfloat16 on every GPU of the
  catalog (compute capability >= 8.0: L4 8.9, A100 8.0, H100/H200 9.0; `vllm/platforms/cuda.py`
  `supported_dtypes`); float16 and bfloat16 are kept. KV cache `auto` = the model dtype.
- vLLM 0.11.1 + tpu-inference 0.11.1 on TPU (`tpu_inference/platforms/tpu_jax.py`, `check_and_update_config`): the
  dtype vLLM resolved is a torch dtype, not a string, so it is overwritten to bfloat16 ("The model dtype is not
  properly set for JAX backend. Overwriting it to jnp.bfloat16"); the KV cache follows it.
- TGI 3.3.6 (`server/text_generation_server/models/__init__.py`, `get_model`): float16 for AWQ/GPTQ/EXL2/Marlin
  checkpoints, else the model class's default: bfloat16 for the types listed below, float16 for the others
  (`FlashCausalLM(default_dtype=torch.float16)`, `flash_causal_lm.py`). KV cache: float8_e4m3 when a
  compressed-tensors checkpoint declares an 8-bit float `kv_cache_scheme` (on CUDA with FlashInfer, TGI's default
  attention), else the model dtype.
"""

from __future__ import annotations

from collections.abc import Mapping

from modules.fit.config import TextConfig
from modules.fit.errors import ProfileError

DTYPE_BYTES: dict[str, int] = {"float32": 4, "bfloat16": 2, "float16": 2, "float8_e4m3": 1}
_CONFIG_DTYPES = {"float32": "float32", "float": "float32", "bfloat16": "bfloat16", "float16": "float16",
                  "half": "float16"}  # fmt: skip
#: TGI 3.3.6 model types constructed with `default_dtype=torch.bfloat16` (models/__init__.py).
TGI_BFLOAT16_TYPES = frozenset({
    "deepseek_v2", "deepseek_v3", "gemma", "gemma2", "gemma3", "gemma3_text", "dbrx", "qwen2_vl", "qwen2_5_vl",
    "mllama", "idefics3", "paligemma",
})  # fmt: skip
TGI_FLOAT16_QUANTIZERS = frozenset({"awq", "exl2", "gptq", "marlin"})


def config_dtype(config: TextConfig) -> str:
    """The checkpoint's declared dtype (vLLM reads float32 when `torch_dtype` is absent)."""
    declared = config.torch_dtype or "float32"
    if declared not in _CONFIG_DTYPES:
        raise ProfileError(
            f"config.json: torch_dtype {declared!r} is not supported; allowed: {', '.join(_CONFIG_DTYPES)}"
        )
    return _CONFIG_DTYPES[declared]


def served_dtype(config: TextConfig, engine: str, kind: str) -> str:
    """The dtype the engine computes in and casts unquantized weights to."""
    declared = config_dtype(config)
    if engine == "tgi":
        if config.quantization in TGI_FLOAT16_QUANTIZERS:
            return "float16"
        return "bfloat16" if config.model_type in TGI_BFLOAT16_TYPES else "float16"
    if kind == "tpu":
        return "bfloat16"
    return "bfloat16" if declared == "float32" else declared


def kv_cache_dtype(config: TextConfig, engine: str, kind: str) -> str:
    scheme = config.kv_cache_scheme
    if (
        engine == "tgi"
        and config.quantization == "compressed-tensors"
        and isinstance(scheme, Mapping)
        and scheme.get("type") == "float"
        and scheme.get("num_bits") == 8
    ):
        return "float8_e4m3"
    return served_dtype(config, engine, kind)
