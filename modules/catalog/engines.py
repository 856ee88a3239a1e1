"""Serving engines the kit deploys: the facts `hfkit fit` sizes them with and the serving stack runs them with.

`memory_utilization` is what the serving stack passes as vLLM's `--gpu-memory-utilization` (its default, 0.90, on
TPU too) and TGI's `--cuda-memory-fraction`. TGI then sizes its KV cache from what is free below that fraction times
its wiggle room (0.90), so it ends 0.81 of the device: `MemoryFacts.kv_fraction_factor`.

Images are pinned by tag here and nowhere else (a deployment may override its own with `image:`); bumping one is a
one-line, reviewable change that rolls every deployment of that engine.

`MemoryFacts` are what `hfkit fit` sizes a start-up with, per engine and accelerator kind, read in the source of the
engine versions these images carry (read 2026-12-02; bumping an image means re-reading them):
- `vllm/vllm-openai:v0.26.0` is vLLM 0.26.0: the `vllm==0.26.0` wheel from PyPI (paths below are inside it);
- `vllm/vllm-tpu:v0.27.0` is vLLM 0.27.0 with tpu-inference 0.27.0. tpu-inference tags its releases and publishes
  `tpu-inference` and `vllm-tpu` to PyPI under one version number (vllm-project/tpu-inference tag v0.27.0, commit
  e1c0338, 2026-08-20: `.github/workflows/release.yml`, `.buildkite/scripts/build_vllm_tpu.sh` builds vllm-tpu from
  vLLM's source with `tpu-inference==<version>`). The `vllm-tpu==0.27.0` sdist's `requirements/tpu.txt` pins
  `tpu-inference==0.27.0`, and its `vllm/` tree is vLLM 0.27.0's: every file `hfkit fit` reads below (gpu_worker,
  kv_cache_utils, kv_cache_interface, config/{model,vllm,cache}.py, the model loaders) is byte-identical to the
  `vllm==0.27.0` wheel's, and engine/arg_utils.py differs only in Mamba options (`get_batch_defaults` identical);
  the 32 files that differ lack a few cherry-picks of the wheel (Mamba and Kimi-K3 options, quantization kernels,
  dummy-input randomisation) or carry the vllm-tpu renaming. The
  tpu-inference paths below are inside the `tpu-inference==0.27.0` wheel (= the repository at tag v0.27.0);
- `ghcr.io/huggingface/text-generation-inference:3.3.7` is TGI 3.3.7 (huggingface/text-generation-inference tag
  v3.3.7, commit dfb3fbe). `git diff v3.3.6 v3.3.7` leaves `server/` untouched but for a test and a build flag, and
  changes the launcher only in log formatting and in how it counts GPUs: every TGI fact read at v3.3.6 holds at
  v3.3.7, and the paths below are cited at v3.3.7.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from modules.catalog.tpu import TPU_GENERATIONS

AcceleratorKind = Literal["tpu", "gpu"]

# Image pins, each checked on 2026-12-02 against the engine's releases and the GKE references:
#: vLLM on GPUs. Newest releases on PyPI: 0.33.0 (2026-11), 0.34.0 (seen 2026-12-02); the GKE tutorials
#: (GoogleCloudPlatform/kubernetes-engine-samples ai-ml/llm-serving-*, commit 2b50365, 2026-07-30) still pin v0.10.0.
#: Pinned: v0.26.0, the newest tag a Google reference runs with exactly the kit's load path (`--model=gs://...
#: --load-format=runai_streamer`, `python3 -m vllm.entrypoints.openai.api_server`): GoogleCloudPlatform/
#: accelerated-platforms platforms/gke/base/use-cases/inference-ref-arch/terraform/_shared_config/
#: inference-ref-arch_variables.tf line 251 (commit f60fe82, 2026-08-03) with kubernetes-manifests/online-inference-gpu/
#: vllm-native-cache-offloading/single-tier/base/deployment.yaml. Newer tags are unverified with that load path.
VLLM_IMAGE_GPU = "vllm/vllm-openai:v0.26.0"
#: vLLM TPU (vllm-project/tpu-inference). Releases: tag v0.27.0 (2026-08-20) is the newest in the repository snapshot
#: read (commit b8692ff, 2026-08-22), whose README still lists v5e as recommended; PyPI has vllm-tpu 0.32.0 (2026-10).
#: accelerated-platforms online-inference-tpu/vllm/base/vllm.env pins v0.11.1 (2025-10-15) and kubernetes-engine-samples
#: ai-ml/vllm-tpu uses `latest`. Pinned: v0.27.0, the newest release whose image tag (docker.io/vllm/vllm-tpu:v0.27.0)
#: and v5e support were both seen in a source; the TPU load path (GCS FUSE) does not depend on the version.
VLLM_IMAGE_TPU = "vllm/vllm-tpu:v0.27.0"
#: TPU generations (`modules.catalog.tpu.TpuGeneration.name`) the pinned vLLM TPU image supports. tpu-inference's
#: README at tag v0.27.0 (commit e1c0338, 2026-08-20; read 2026-12-02), "Compatible TPU Generations": "Recommended:
#: v7x, v5e, v6e", "Experimental: v3, v4, v5p" (v7x is Google's TPU7x: tpu-inference and tpu-info name its chip
#: "v7x"/"7x", GKE `tpu7x`); docs/getting_started/quickstart.md at the same tag: "TPU versions: v7x, v6e, v5e". v7x
#: was added to the recommended list on 2026-01-05 (commit 933c34e, "docs: update for v7x support (#1377)") and is
#: in every release since v0.18.0; v5e and v6e since v0.12.0. One image covers every generation the kit builds pools
#: for; a deployment on a generation not listed here is refused (`tpu_image_problem`).
VLLM_TPU_IMAGE_GENERATIONS: tuple[str, ...] = ("v5e", "v6e", "tpu7x")
#: TGI: in maintenance mode since 2025-12 (huggingface/text-generation-inference README, commit db931fc, 2026-01-08);
#: v3.3.7 (2025-12-18) is its last release. Kept working for existing users; vLLM is the documented default.
TGI_IMAGE_GPU = "ghcr.io/huggingface/text-generation-inference:3.3.7"


GiB = 1024**3
MiB = 1024**2


@dataclass(frozen=True)
class MemoryFacts:
    """How one engine version takes accelerator memory at start-up, before and around its KV cache."""

    version: str
    kv_fraction_factor: float
    """Multiplies `Engine.memory_utilization` to give the fraction of device memory weights + activations + KV may
    take. vLLM: 1.0 (`requested_memory = ceil(total x gpu_memory_utilization)`, vllm/v1/worker/utils.py
    `request_memory` line 425, used by vllm/v1/worker/gpu_worker.py `determine_available_memory` line 448;
    tpu-inference: `total_hbm_limit x gpu_memory_utilization - total_hbm_used`, tpu_inference/worker/tpu_worker.py
    `determine_available_memory` line 511). TGI: its KV cache gets what is free below `CUDA_MEMORY_FRACTION x
    TGI_WIGGLE_ROOM` of the device (server/text_generation_server/models/flash_causal_lm.py `warmup` line 1507,
    utils/import_utils.py `get_cuda_free_memory` line 13; TGI_WIGGLE_ROOM defaults to 0.90, models/globals.py line
    32)."""
    reserves_profile_activation: bool
    """The activation peak of a profiling/warm-up forward pass is taken before the KV cache is sized: vLLM on GPU
    (`determine_available_memory` runs the model runner's `profile_run` inside `memory_profiling`) and TGI (`warmup`
    prefills a batch, then measures what is free). tpu-inference sizes the KV cache from the HBM in use after
    loading the weights and compiles its XLA programs afterwards (`compile_or_warm_up_model` -> `capture_model`,
    tpu_worker.py line 669), in the memory left above the utilisation."""
    prefill_tokens: int
    """Tokens in that forward pass on devices below `large_device_bytes` (vLLM: `max_num_batched_tokens`, default
    2048 for the OpenAI server, vllm/engine/arg_utils.py `get_batch_defaults` line 2431; TGI: `max_batch_prefill_
    tokens`'s fallback, 4096, when the launcher cannot compute its compute-optimal value: `TGI_CARD_F16_FLOPS`)."""
    large_device_prefill_tokens: int
    """The same on devices of at least `large_device_bytes` (vLLM: 8192 on GPUs with >= 70 GiB that are not A100)."""
    sampler_sequences: int
    """Sequences in vLLM's dummy sampler run (`max_num_seqs`: 256, 1024 on large non-A100 GPUs); 0 for TGI."""
    large_device_sampler_sequences: int
    sampler_bytes_per_logit: int
    """Bytes per (sequence x vocabulary) element the sampler holds at once: the logits in the model dtype (2), their
    float32 copy (4) and top-k/top-p sampling's float32 buffers (2 x 4): 14, rounded up to 16. vLLM 0.26.0's model
    runner V2 (vllm/v1/worker/gpu/model_runner.py `_dummy_sampler_run` line 654) says its profiling sampler "may
    skip top_k, top_p": 16 is then an upper figure."""
    runtime_bytes: int
    """Memory outside the engine's accounting per device: vLLM GPU: non-torch memory that appears during profiling
    (cuBLAS/attention workspaces; vLLM PR #12126 logs 0.16 GiB at TP 1); TGI: also the CUDA context, which its
    free-memory reading includes (allowance 512 MiB); TPU: per generation, `runtime_bytes_by_generation`."""
    tensor_parallel_bytes: int
    """Added per device when tensor parallelism > 1: NCCL and custom all-reduce buffers (vLLM PR #10511 logs
    non-torch memory of 1.79 GiB at TP 1 and 3.58 GiB at TP 2 for Llama-3-8B on H100: 2 GiB allowance)."""
    hybrid_kv_cache: bool
    """Sliding-window layers keep only their window: vLLM's hybrid KV cache manager is on where the platform supports
    it (CUDA; TPU too since tpu-inference reports `support_hybrid_kv_cache` True, tpu_inference/platforms/
    tpu_platform.py line 489) and off for models with chunked local attention unless
    VLLM_ALLOW_CHUNKED_LOCAL_ATTN_WITH_HYBRID_KV_CACHE=1 (vllm/config/vllm.py lines 1571-1637 in 0.26.0, 1610-1676
    in 0.27.0). On TPU only models tpu-inference runs through vLLM's own model code keep a window
    (`TPU_JAX_ARCHITECTURES`). TGI keeps every token."""
    in_flight_batches: int = 1
    """Batches that may be scheduled but not settled at once: vLLM turns async scheduling on by default (config/
    vllm.py lines 1059-1107; the uni and multiproc executors support it) and then holds two (`max_concurrent_batches`
    line 512); a sliding or chunked layer reserves its window plus `max_in_flight_tokens` = batches x
    max_num_batched_tokens (line 525; `SlidingWindowSpec.max_admission_blocks_per_request`, vllm/v1/
    kv_cache_interface.py line 567)."""
    cuda_graph_bytes_per_graph: int = 0
    """vLLM on GPU with the V1 model runner charges its CUDA-graph estimate to the KV budget
    (`VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS` defaults to 1, vllm/envs.py line 1986; gpu_worker.py lines 494-545)
    and the allowance per captured graph the kit charges for it (`cuda_graph_bytes`, modules/fit/memory.py); 0 where
    nothing is charged. The V2 model runner, vLLM 0.26.0's default for models without experts, returns 0 from
    `profile_cudagraph_memory` (vllm/v1/worker/gpu/model_runner.py line 705) and captures its graphs after the KV
    cache is sized, from the memory above the utilisation, as vLLM 0.11 did."""
    runtime_bytes_by_generation: dict[str, int] = field(default_factory=dict)
    """TPU: the HBM per device XLA keeps out of the engine's reach. tpu-inference sizes from each device's
    `memory_stats()["bytes_limit"]` (tpu_worker.py `determine_available_memory` line 511, utils.py `hbm_usage_bytes`
    line 123), which is below the device's HBM; the kit sizes from the HBM and charges the difference here
    (`TPU_RUNTIME_BYTES`). Replaces `runtime_bytes` for a TPU generation."""
    large_device_bytes: int = 70 * GiB
    large_device_excluded: tuple[str, ...] = ("a100",)
    """Accelerators that keep the small defaults whatever their memory ("NOTE(Kuntai): Setting large
    `max_num_batched_tokens` for A100 reduces throughput", arg_utils.py)."""


#: TGI's launcher (unchanged from 3.3.6 to 3.3.7) defaults `--max-batch-prefill-tokens` to the compute-optimal batch
#: when it knows the card: the card's float16 FLOP/s x GPU count / the model's FLOPs per token, capped by
#: max_position_embeddings and by the tokens that fit `memory.total x --cuda-memory-fraction x 0.95`
#: (launcher/src/main.rs at v3.3.7: `compute_optimal` line 28, `vram_maximum` line 62, `ComputeType::f16_flop` line
#: 1754, the 0.95 at line 1806). The table is TGI's, keyed by the catalog's accelerator names (nvidia-smi reports
#: "NVIDIA L4", "NVIDIA A100-SXM4-40GB", "NVIDIA H100 80GB HBM3", "NVIDIA H200": all known to it). B200 (A4) and RTX
#: PRO 6000 (G4) are `Gpu::Unknown` in the launcher of the pinned TGI 3.3.7 (its `From<&str>` match, read
#: 2026-12-02), so TGI itself takes the 4,096 fallback there, as the kit does for a card not listed here.
TGI_CARD_F16_FLOPS: dict[str, int] = {
    "nvidia-l4": 121 * 10**12,
    "nvidia-tesla-a100": 312 * 10**12,
    "nvidia-a100-80gb": 312 * 10**12,
    "nvidia-h100-80gb": 900 * 10**12,
    "nvidia-h100-mega-80gb": 900 * 10**12,
    "nvidia-h200-141gb": 989 * 10**12,
}
#: The launcher's own wiggle room in `vram_maximum` (0.95; the server's KV sizing uses 0.90).
TGI_LAUNCHER_WIGGLE_ROOM = 0.95
#: The launcher's fallback when it cannot compute an optimum (models with a vision_config): 4096, 8000 for gemma3,
#: 10000 for qwen2_vl / qwen2_5_vl (launcher/src/main.rs lines 2121-2128 at v3.3.7).
TGI_DEFAULT_PREFILL_TOKENS: dict[str, int] = {"gemma3": 8000, "qwen2_vl": 10000, "qwen2_5_vl": 10000}

#: TGI 3.3.7's attention backend and its KV block: the launcher picks `flashinfer` (blocks of 1 token) when the head
#: dim is 64, 128 or 256 (config `head_dim`, else hidden_size / num_attention_heads, else `text_config.head_dim`,
#: 256 for gemma3) and the model type is not falcon or deepseek_v2; otherwise `flashdecoding` on compute capability
#: >= 8 (every GPU of the catalog), whose blocks hold 256 tokens (launcher/src/main.rs `resolve_attention` line 131,
#: `Config::get_head_dim` line 262, `From<RawConfig>` line 362; server/text_generation_server/models/globals.py
#: `BLOCK_SIZE` lines 38-46). TGI's KV capacity (`max_batch_total_tokens`) is whole blocks, and the router refuses a
#: `--max-total-tokens` above it (backends/v3/src/main.rs line 194).
TGI_FLASHINFER_HEAD_DIMS = frozenset({64, 128, 256})
TGI_FLASHDECODING_TYPES = frozenset({"falcon", "deepseek_v2"})
TGI_BLOCK_TOKENS: dict[str, int] = {"flashinfer": 1, "flashdecoding": 256}
#: Model types TGI 3.3.7 builds with `support_chunking=False` (server/text_generation_server/models/__init__.py lines
#: 1196 and 1209 gemma3, 1526 qwen2_vl, 1559 qwen2_5_vl, 1589 mllama): without prefill chunking the router refuses
#: `--max-input-tokens` above `max_batch_prefill_tokens` ("`max_batch_prefill_tokens` must be >= `max_input_tokens`",
#: backends/v3/src/main.rs line 188), so the context is at most the launcher's default prefill + 1.
TGI_NO_PREFILL_CHUNKING_TYPES = frozenset({"gemma3", "qwen2_vl", "qwen2_5_vl", "mllama"})

#: Share of each device the kit keeps free on top of the engine's own accounting: allocator fragmentation and the
#: error of the activation estimate. 2% is 0.48 GB on an L4, 1.6 GB on an H100, 0.34 GB on a TPU v5e chip.
SAFETY_MARGIN = 0.02

#: vLLM 0.26.0 runs the V2 model runner for every generating model without experts and for these MoE architectures
#: (vllm/config/vllm.py `DEFAULT_V2_MODEL_RUNNER_ARCHITECTURES` line 68, `_is_default_v2_model_runner_model` line
#: 605); other MoE models (Mixtral, Qwen3-MoE, Llama 4, DeepSeek-V3, Kimi-K2) run the V1 runner, which charges CUDA
#: graphs (`MemoryFacts.cuda_graph_bytes_per_graph`). Sequence parallelism, which would send dense models back to
#: V1, is off by default (`IS_DENSE = False`, line 98).
VLLM_V2_MOE_ARCHITECTURES = frozenset({
    "DeepseekV2ForCausalLM", "GraniteMoeForCausalLM", "InklingForCausalLM", "InklingForConditionalGeneration",
    "LongcatFlashNgramForCausalLM", "Qwen2MoeForCausalLM",
})  # fmt: skip
#: The largest CUDA-graph batch vLLM captures by default: min(2 x max_num_seqs, 512, max_num_batched_tokens)
#: (vllm/config/vllm.py lines 1788-1798; sizes 1, 2, 4, 8..248 step 8, 256..512 step 16, lines 1822-1845).
VLLM_MAX_CUDAGRAPH_CAPTURE_SIZE = 512
#: The kit's allowance per CUDA graph vLLM's V1 runner estimates. The engine measures the estimate at start-up
#: (the first and second capture of each mode, extrapolated linearly: vllm/v1/worker/gpu_model_runner.py
#: `profile_cudagraph_memory` lines 6576-6740), so no source gives it; the kit charges, per device, the pool of the
#: largest graph (its batch x the activation bytes per token) plus this much per graph. 24 MiB bounds every figure
#: found (read 2026-12-02): vllm-project/vllm PR #48214's log, 51 graphs estimated at 0.44 GiB (8.8 MiB each, first
#: capture included); gpustack/runner PR #251's log with vLLM 0.27.1, 16 graphs at 0.36 GiB at TP 2 (23 MiB each);
#: vllm-project/vllm issue #50780, "the real FULL graphs cost ~24 MiB each". Where it overestimates (3x for the
#: first log) the kit writes a shorter context, which the engine accepts.
VLLM_CUDA_GRAPH_BYTES = 24 * MiB
#: Tokens per KV block of vLLM's multi-head latent attention per GPU: the default MLA backend's preferred block
#: (`AttentionBackend.get_preferred_block_size`: 16 when the kernel takes it, else its smallest size, vllm/v1/
#: attention/backend.py line 195) for the backend vLLM 0.26.0 picks first (vllm/platforms/cuda.py
#: `_get_backend_priorities` line 83): FLASH_ATTN_MLA on Hopper (H100/H200: multiples of 16), TRITON_MLA on Ada and
#: Blackwell workstation parts (L4, RTX PRO 6000: multiples of 16), FLASHINFER_MLA on B200 (32 or 64: 32).
VLLM_MLA_BLOCK_TOKENS: dict[str, int] = {"nvidia-b200": 32}
VLLM_MLA_DEFAULT_BLOCK_TOKENS = 16

#: Architectures tpu-inference 0.27.0 runs with its own JAX models (tpu_inference/models/common/model_loader.py
#: `_get_model_architecture` lines 73-117) unless vLLM's model code is preferred for them
#: (`_VLLM_PREFERRED_ARCHITECTURES` line 56: GptOss, Qwen3-MoE, Kimi-K2.5, Qwen3.5-MoE); every other architecture
#: runs through vLLM's PyTorch model code (`resolve_model_architecture` line 669, `get_model` line 614). The JAX path
#: allocates every layer full (`KVCacheManager.get_kv_cache_spec` sets `sliding_window = None`,
#: tpu_inference/runner/kv_cache_manager.py lines 507-546); the vLLM path keeps sliding windows (lines 651-667).
TPU_JAX_ARCHITECTURES = frozenset({
    "Llama4ForCausalLM", "DeepseekV3ForCausalLM", "LlamaForCausalLM", "Llama4ForConditionalGeneration",
    "Qwen3ForCausalLM", "Qwen2_5_VLForConditionalGeneration", "Eagle3LlamaForCausalLM", "Qwen2ForCausalLM",
    "Gemma4ForConditionalGeneration", "Gemma4ForCausalLM", "Gemma4MTPModel", "DFlashForCausalLM", "DFlashDraftModel",
})  # fmt: skip
#: `quantization_config.quant_method` values tpu-inference 0.27.0 loads, per model path: the JAX path takes
#: unquantized, fp8 and compressed-tensors checkpoints (tpu_inference/layers/jax/quantization/__init__.py
#: `get_tpu_quantization_config` lines 24-45; anything else raises NotImplementedError, which `get_model` does not
#: catch); the vLLM path also AWQ (`auto_awq`, which vLLM's AutoAWQ config claims for `awq` checkpoints:
#: tpu_inference/layers/vllm/quantization/__init__.py lines 37-52, platforms/tpu_platform.py line 112). GPTQ is
#: not in the platform's `supported_quantization` at all. (ModelOpt NVFP4 and MXFP4 paths exist but are not modelled
#: by `hfkit fit`.)
TPU_QUANTIZATION: dict[str, tuple[str, ...]] = {
    "jax": ("fp8", "compressed-tensors"),
    "vllm": ("awq", "fp8", "compressed-tensors"),
}

#: JAX devices per chip, per TPU generation (`TpuGeneration.name`): what tpu-inference shards over. Its tensor-
#: parallel size counts devices (`ShardingConfigManager.total_devices`, tpu_inference/layers/common/sharding.py line
#: 199; `TPUWorker.init_device` takes that many of `jax.local_devices()`, tpu_worker.py lines 377-411), and a TPU7x
#: chip is two devices of half its HBM each: `get_num_cores_per_chip` returns 1 for v5litepod and v6e, else 2
#: (tpu_inference/tpu_info.py line 73); `get_device_hbm_limit` gives v5e 16, v6e 32 and "TPU v7" 96 GiB per device,
#: "192 * GBYTES / 2 because each JAX device (v7x core) has 1/2 of the total chip HBM" (utils.py lines 184-203); its
#: GKE example runs `--tensor-parallel-size 8` on a tpu7x 2x2x1 node with `google.com/tpu: 4` (examples/offload/gke/
#: benchmarks/single-host/deploy-baseline.yaml). tpu-info agrees: `TpuChip` V5E 16 GiB x 1 device, V6E 32 x 1, V7X
#: 192 x 2 (AI-Hypercomputer/cloud-accelerator-diagnostics tpu_info/tpu_info/device.py). All at tpu-inference tag
#: v0.27.0, read 2026-12-02.
#: The count itself is a catalog fact of each generation (`TpuGeneration.devices_per_chip`).
TPU_DEVICES_PER_CHIP: dict[str, int] = {g.name: g.devices_per_chip for g in TPU_GENERATIONS.values()}
#: The HBM per device below XLA's `bytes_limit` (`MemoryFacts.runtime_bytes_by_generation`), per TPU generation:
#: - v5e: 256 MiB (`bytes_limit` observed at 15.75 GiB on a 16 GiB chip);
#: - v6e: 772 MiB: vllm-project/vllm PR #16211 (2025-04-25) logs a v6e chip's `gpu_memory_per_device`, torch_xla's
#:   `get_memory_info()["bytes_limit"]`, as 33,550,237,696 B: 34,359,738,368 - 33,550,237,696 = 809,500,672 B;
#: - TPU7x: no `bytes_limit` reading was found (read 2026-12-02). The kit charges v6e's share, the larger of the two
#:   read (772 MiB of 32 GiB, against v5e's 256 MiB of 16 GiB), of a 96 GiB device: 3 x 772 = 2,316 MiB. An
#:   estimate that errs safe; replace it with a reading when one is published.
TPU_RUNTIME_BYTES: dict[str, int] = {"v5e": 256 * MiB, "v6e": 772 * MiB, "tpu7x": 2316 * MiB}


def tpu_image_problem(generation: str) -> str | None:
    """Why the pinned vLLM TPU image cannot serve on this TPU generation (None when it can)."""
    if generation in VLLM_TPU_IMAGE_GENERATIONS:
        return None
    return (
        f"{VLLM_IMAGE_TPU} (tpu-inference 0.27.0) does not list TPU {generation} as a recommended generation; "
        f"allowed: a pool of TPU {', '.join(VLLM_TPU_IMAGE_GENERATIONS)}"
    )


VLLM_GPU_MEMORY = MemoryFacts(
    version="vLLM 0.26.0",
    kv_fraction_factor=1.0,
    reserves_profile_activation=True,
    prefill_tokens=2048,
    large_device_prefill_tokens=8192,
    sampler_sequences=256,
    large_device_sampler_sequences=1024,
    sampler_bytes_per_logit=16,
    runtime_bytes=256 * MiB,
    tensor_parallel_bytes=2 * GiB,
    hybrid_kv_cache=True,
    in_flight_batches=2,
    cuda_graph_bytes_per_graph=VLLM_CUDA_GRAPH_BYTES,
)
VLLM_TPU_MEMORY = MemoryFacts(
    version="vLLM 0.27.0 + tpu-inference 0.27.0",
    kv_fraction_factor=1.0,
    reserves_profile_activation=False,
    # tpu-inference names the chip "TPU V5E" (`get_device_name` line 156, from tpu-info 0.7.1's TpuChip names), which
    # misses vLLM's per-chip table ("V5E", arg_utils.py `get_batch_defaults`), and its `get_device_total_memory`
    # raises, so the small GPU defaults apply on every TPU generation: 2048 tokens, 256 sequences.
    prefill_tokens=2048,
    large_device_prefill_tokens=2048,
    sampler_sequences=256,
    large_device_sampler_sequences=256,
    sampler_bytes_per_logit=0,
    runtime_bytes=0,
    tensor_parallel_bytes=0,
    hybrid_kv_cache=True,
    in_flight_batches=2,
    runtime_bytes_by_generation=TPU_RUNTIME_BYTES,
)
TGI_GPU_MEMORY = MemoryFacts(
    version="TGI 3.3.7",
    kv_fraction_factor=0.90,
    reserves_profile_activation=True,
    prefill_tokens=4096,
    large_device_prefill_tokens=4096,
    sampler_sequences=0,
    large_device_sampler_sequences=0,
    sampler_bytes_per_logit=0,
    runtime_bytes=512 * MiB,
    tensor_parallel_bytes=2 * GiB,
    hybrid_kv_cache=False,
)


@dataclass(frozen=True)
class Engine:
    name: str
    memory_utilization: float
    accelerators: tuple[AcceleratorKind, ...]
    images: dict[str, str] = field(default_factory=dict)
    """Pinned image per accelerator kind."""
    queue_metric: str = ""
    """Prometheus gauge of requests waiting for a batch slot: what the autoscaler scales on."""
    port: int = 8000
    health_path: str = "/health"
    metrics_path: str = "/metrics"
    memory: dict[str, MemoryFacts] = field(default_factory=dict)
    """Start-up memory facts per accelerator kind (what `hfkit fit` sizes with)."""


ENGINES: dict[str, Engine] = {
    "vllm": Engine(
        "vllm",
        0.90,
        ("tpu", "gpu"),
        images={"gpu": VLLM_IMAGE_GPU, "tpu": VLLM_IMAGE_TPU},
        queue_metric="vllm:num_requests_waiting",
        memory={"gpu": VLLM_GPU_MEMORY, "tpu": VLLM_TPU_MEMORY},
    ),
    "tgi": Engine(
        "tgi",
        0.90,
        ("gpu",),
        images={"gpu": TGI_IMAGE_GPU},
        queue_metric="tgi_queue_size",
        memory={"gpu": TGI_GPU_MEMORY},
    ),
}

#: Average waiting requests per replica above which the autoscaler adds a replica.
QUEUE_TARGET_PER_REPLICA = 10
