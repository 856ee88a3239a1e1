"""Which code path of the pinned engine a model takes, where that changes what the engine allocates.

- vLLM 0.26.0 on GPU runs the V2 model runner for models without experts and the V1 runner for most MoE models
  (`modules.catalog.engines.VLLM_V2_MOE_ARCHITECTURES`); only V1 charges CUDA graphs to the KV budget.
- TGI 3.3.7 picks its attention backend (`flashinfer` or `flashdecoding`, which sets its KV block) and whether it
  chunks prefills (`TGI_FLASHINFER_HEAD_DIMS`, `TGI_NO_PREFILL_CHUNKING_TYPES`) from config.json.
- tpu-inference 0.27.0 runs its own JAX model for the architectures it registers and vLLM's PyTorch model code for
  the others (`TPU_JAX_ARCHITECTURES`); the two differ in the quantization methods they load
  (`TPU_QUANTIZATION`) and in whether sliding-window layers keep only their window.

Both engines decide from `architectures[0]` of config.json (vLLM's registry; tpu-inference asserts there is exactly
one); a config without architectures takes the path of an architecture neither table names.
"""

from __future__ import annotations

from typing import Literal

from modules.catalog.engines import (
    TGI_FLASHDECODING_TYPES,
    TGI_FLASHINFER_HEAD_DIMS,
    TGI_NO_PREFILL_CHUNKING_TYPES,
    TPU_JAX_ARCHITECTURES,
    VLLM_MAX_CUDAGRAPH_CAPTURE_SIZE,
    VLLM_V2_MOE_ARCHITECTURES,
)
from modules.fit.config import TextConfig

TpuPath = Literal["jax", "vllm"]


def _architecture(config: TextConfig) -> str:
    return config.architectures[0] if config.architectures else ""


def tpu_model_path(config: TextConfig) -> TpuPath:
    """tpu-inference's model implementation for this checkpoint (`resolve_model_architecture`)."""
    return "jax" if _architecture(config) in TPU_JAX_ARCHITECTURES else "vllm"


def vllm_gpu_charges_cuda_graphs(config: TextConfig) -> bool:
    """True when vLLM 0.26.0 runs the V1 model runner, whose start-up charges its CUDA-graph estimate."""
    return config.experts is not None and _architecture(config) not in VLLM_V2_MOE_ARCHITECTURES


def keeps_sliding_window(config: TextConfig, engine: str, kind: str) -> bool:
    """Whether the engine gives sliding-window layers a window-sized KV cache (modules/fit/kv.py applies vLLM's
    grouping rules on top): vLLM on GPU, and on TPU for models through vLLM's model code; never TGI."""
    if engine != "vllm":
        return False
    return kind == "gpu" or tpu_model_path(config) == "vllm"


def tgi_attention(config: TextConfig) -> str:
    """TGI 3.3.7's attention backend for this checkpoint on a catalog GPU (launcher `resolve_attention`)."""
    head_dim = config.tgi_launcher.head_dim if config.tgi_launcher else None
    if head_dim in TGI_FLASHINFER_HEAD_DIMS and config.top_model_type not in TGI_FLASHDECODING_TYPES:
        return "flashinfer"
    return "flashdecoding"


def tgi_chunks_prefill(config: TextConfig) -> bool:
    """Whether TGI 3.3.7 splits long prompts into prefill chunks (else a prompt must fit one prefill batch). Both
    backends `tgi_attention` picks support chunking, so the model class decides."""
    return config.top_model_type not in TGI_NO_PREFILL_CHUNKING_TYPES


def cuda_graph_sizes(max_num_seqs: int, max_num_batched_tokens: int) -> tuple[list[int], list[int]]:
    """The batch sizes vLLM captures as PIECEWISE graphs and as FULL (uniform decode) graphs under its default
    FULL_AND_PIECEWISE mode (vllm/config/vllm.py lines 1788-1845; vllm/v1/cudagraph_dispatcher.py
    `initialize_cudagraph_keys` line 166: FULL graphs for the sizes up to max_num_seqs)."""
    largest = min(2 * max_num_seqs, VLLM_MAX_CUDAGRAPH_CAPTURE_SIZE, max_num_batched_tokens)
    sizes = [size for size in (1, 2, 4) if size <= largest]
    sizes += list(range(8, min(largest + 1, 256), 8))
    sizes += list(range(256, largest + 1, 16))
    if max_num_batched_tokens <= largest:
        sizes.append(max_num_batched_tokens)
    piecewise = sorted(set(sizes))
    return piecewise, [size for size in piecewise if size <= max_num_seqs]
