"""The dtype an engine serves a checkpoint in, and the dtype of its KV cache (the kit passes neither `--dtype` nor
`--kv-cache-dtype`, so the engines' `auto` rules apply).

- vLLM, the same rules in 0.26.0 (GPU) and 0.27.0 (TPU) (`vllm/config/model.py` `_get_and_verify_dtype` and
  `_resolve_auto_dtype`; `vllm/transformers_utils/model_arch_config_convertor.py` `get_torch_dtype` line 169): the
  config's `dtype` (transformers 5 reads `torch_dtype` into it), else its text config's; without one, the common
  dtype of the safetensors in the model folder, else float32. float32 is downcast to the platform's first supported
  dtype, bfloat16 (CUDA with compute capability >= 8.0, every GPU of the catalog: `vllm/platforms/cuda.py`
  `supported_dtypes` line 233; tpu-inference keeps vLLM's default list, bfloat16 first); float16 is replaced by
  bfloat16 for Gemma 2 and Gemma 3 (`_FLOAT16_NOT_SUPPORTED_MODELS`, model.py line 2010); bfloat16 and float16 are
  otherwise kept, on TPU too: tpu-inference 0.27.0 no longer overwrites the dtype (its model loader converts vLLM's
  dtype as is, tpu_inference/models/common/model_loader.py lines 322-324 and 566-567). The model folder differs per
  accelerator: on GPU vLLM streams the weights from `gs://` and pulls only `*.json`, `*.model` and `*.py` files to a
  local folder (`ModelConfig.maybe_pull_model_tokenizer_for_runai`, model.py line 883), so a config without a dtype
  reads no safetensors and means float32; on TPU the GCS FUSE mount holds the safetensors.
  KV cache `auto`: the model dtype, except a ModelOpt checkpoint whose `kv_cache_quant_algo` (or `kv_cache_scheme`)
  is FP8, which vLLM resolves to `fp8_e4m3` (`resolve_kv_cache_dtype_string`, vllm/utils/torch_utils.py line 374).
- TGI 3.3.7 (`server/text_generation_server/models/__init__.py`, `get_model`; unchanged since 3.3.6): bfloat16 for
  Llama 4 (loaded with that dtype forced), float16 for AWQ/GPTQ/EXL2/Marlin checkpoints, else the model class's
  default: bfloat16 for the types listed below, float16 for the others (`FlashCausalLM(default_dtype=torch.float16)`,
  `flash_causal_lm.py`). KV cache: float8_e4m3 when a
  compressed-tensors checkpoint declares an 8-bit float `kv_cache_scheme` (on CUDA with FlashInfer, TGI's default
  attention), else the model dtype.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from modules.fit.config import TextConfig
from modules.fit.errors import ProfileError

DTYPE_BYTES: dict[str, int] = {"float32": 4, "bfloat16": 2, "float16": 2, "float8_e4m3": 1}
_CONFIG_DTYPES = {"float32": "float32", "float": "float32", "bfloat16": "bfloat16", "float16": "float16",
                  "half": "float16"}  # fmt: skip
#: safetensors float dtypes as torch dtypes (the ones `common_broadcastable_dtype` can pick for a model dtype).
_SAFETENSORS_FLOATS = {"F32": "float32", "BF16": "bfloat16", "F16": "float16"}
#: vLLM's `_FLOAT16_NOT_SUPPORTED_MODELS` among the model types hfkit fit reads.
VLLM_FLOAT16_NOT_SUPPORTED = frozenset({"gemma2", "gemma3", "gemma3_text"})
#: TGI 3.3.7 model types constructed with `default_dtype=torch.bfloat16` (server/text_generation_server/models/
#: __init__.py at v3.3.7, lines 673 deepseek_v2, 707 deepseek_v3, 1082 gemma, 1117 gemma2, 1155 gemma3_text, 1193
#: gemma3, 1268 dbrx, 1521 qwen2_vl, 1552 qwen2_5_vl, 1586 mllama, 1647 idefics3, 1680 paligemma; every other
#: FlashCausalLM takes its `default_dtype=torch.float16`, flash_causal_lm.py line 1206).
TGI_BFLOAT16_TYPES = frozenset({
    "deepseek_v2", "deepseek_v3", "gemma", "gemma2", "gemma3", "gemma3_text", "dbrx", "qwen2_vl", "qwen2_5_vl",
    "mllama", "idefics3", "paligemma",
})  # fmt: skip
TGI_FLOAT16_QUANTIZERS = frozenset({"awq", "exl2", "gptq", "marlin"})
#: Top-level model types TGI 3.3.7 loads with an explicit `dtype=torch.bfloat16`, whatever the checkpoint (Llama 4
#: through its transformers backend: `TransformersLlama4VlmCausalLM.fallback(..., dtype=torch.bfloat16)`,
#: server/text_generation_server/models/__init__.py line 1038).
TGI_FORCED_BFLOAT16_TYPES = frozenset({"llama4"})


def config_dtype(config: TextConfig) -> str | None:
    """The checkpoint's declared dtype, None when config.json declares none."""
    declared = config.torch_dtype
    if declared is None:
        return None
    if declared not in _CONFIG_DTYPES:
        raise ProfileError(
            f"config.json: torch_dtype {declared!r} is not supported; allowed: {', '.join(_CONFIG_DTYPES)}"
        )
    return _CONFIG_DTYPES[declared]


def weights_dtype(stored: Iterable[str]) -> str:
    """The model dtype vLLM reads from the safetensors when the config declares none: their common float dtype
    (`common_broadcastable_dtype`): one 16-bit type when that is all there is, else float32 (which it then
    downcasts: 2 bytes either way, so the kit does not model vLLM's tie-break between bfloat16 and float16)."""
    floats = {_SAFETENSORS_FLOATS[d] for d in stored if d in _SAFETENSORS_FLOATS}
    return floats.pop() if len(floats) == 1 else "float32"


def served_dtype(config: TextConfig, engine: str, kind: str, stored: Iterable[str] = ()) -> str:
    """The dtype the engine computes in and casts unquantized weights to; `stored` are the safetensors dtypes of the
    loaded tensors (read on TPU when the config declares no dtype)."""
    declared = config_dtype(config)
    if engine == "tgi":
        if config.top_model_type in TGI_FORCED_BFLOAT16_TYPES:
            return "bfloat16"
        if config.quantization in TGI_FLOAT16_QUANTIZERS:
            return "float16"
        return "bfloat16" if config.model_type in TGI_BFLOAT16_TYPES else "float16"
    if declared is None:
        declared = weights_dtype(stored) if kind == "tpu" else "float32"
    if declared == "float32" or (declared == "float16" and config.top_model_type in VLLM_FLOAT16_NOT_SUPPORTED):
        return "bfloat16"
    return declared


def kv_cache_dtype(config: TextConfig, engine: str, kind: str, stored: Iterable[str] = ()) -> str:
    scheme = config.kv_cache_scheme
    if engine == "tgi":
        fp8 = (
            config.quantization == "compressed-tensors"
            and isinstance(scheme, Mapping)
            and scheme.get("type") == "float"
            and scheme.get("num_bits") == 8
        )
        return "float8_e4m3" if fp8 else served_dtype(config, engine, kind)
    if config.kv_cache_quant_algo == "fp8":
        return "float8_e4m3"
    return served_dtype(config, engine, kind, stored)
