"""Serving engines the kit deploys: the facts `hfkit fit` sizes them with and the serving stack runs them with.

`memory_utilization` is what the serving stack passes as vLLM's `--gpu-memory-utilization` (its default, 0.90, on
TPU too) and TGI's `--cuda-memory-fraction`. TGI then sizes its KV cache from what is free below that fraction times
its wiggle room (0.90), so it ends 0.81 of the device: `MemoryFacts.kv_fraction_factor`.

Images are pinned by tag here and nowhere else (a deployment may override its own with `image:`); bumping one is a
one-line, reviewable change that rolls every deployment of that engine.

`MemoryFacts` are what `hfkit fit` sizes a start-up with, per engine and accelerator kind, read in the source of the
engine versions these images carry (vllm 0.11.0 and vllm 0.11.1 wheels and tpu-inference 0.11.1 from PyPI,
huggingface/text-generation-inference at tag v3.3.6; read 2026-12-02). Bumping an image means re-reading them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

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
#: TGI: in maintenance mode since 2025-12 (huggingface/text-generation-inference README, commit db931fc, 2026-01-08);
#: v3.3.7 (2025-12-18) is its last release. Kept working for existing users; vLLM is the documented default.
TGI_IMAGE_GPU = "ghcr.io/huggingface/text-generation-inference:3.3.7"


GiB = 1024**3


@dataclass(frozen=True)
class MemoryFacts:
    """How one engine version takes accelerator memory at start-up, before and around its KV cache."""

    version: str
    kv_fraction_factor: float
    """Multiplies `Engine.memory_utilization` to give the fraction of device memory weights + activations + KV may
    take. vLLM: 1.0 (`requested_memory = total x gpu_memory_utilization`, vllm/v1/worker/gpu_worker.py; tpu-inference
    `total_hbm_limit x gpu_memory_utilization`, tpu_inference/worker/tpu_worker_jax.py `determine_available_memory`).
    TGI: its KV cache gets what is free below `CUDA_MEMORY_FRACTION x TGI_WIGGLE_ROOM` of the device
    (server/text_generation_server/models/flash_causal_lm.py `warmup`, utils/import_utils.py
    `get_cuda_free_memory`; TGI_WIGGLE_ROOM defaults to 0.90 in models/globals.py)."""
    reserves_profile_activation: bool
    """The activation peak of a profiling/warm-up forward pass is taken before the KV cache is sized: vLLM on GPU
    (`determine_available_memory` runs `profile_run` inside `memory_profiling`, vllm/utils/__init__.py) and TGI
    (`warmup` prefills a batch, then measures what is free). tpu-inference sizes the KV cache from the HBM in use
    after loading the weights and compiles its XLA programs afterwards, in the memory left above the utilisation."""
    prefill_tokens: int
    """Tokens in that forward pass on devices below `large_device_bytes` (vLLM: `max_num_batched_tokens`, default
    2048 for the OpenAI server, vllm/engine/arg_utils.py `_set_default_args`; TGI: `max_batch_prefill_tokens`'s
    fallback, 4096, when the launcher cannot compute its compute-optimal value: `TGI_CARD_F16_FLOPS`)."""
    large_device_prefill_tokens: int
    """The same on devices of at least `large_device_bytes` (vLLM: 8192 on GPUs with >= 70 GiB that are not A100)."""
    sampler_sequences: int
    """Sequences in vLLM's dummy sampler run (`max_num_seqs`: 256, 1024 on large non-A100 GPUs); 0 for TGI."""
    large_device_sampler_sequences: int
    sampler_bytes_per_logit: int
    """Bytes per (sequence x vocabulary) element the sampler holds at once: the logits in the model dtype (2), their
    float32 copy (4, `Sampler.forward`) and FlashInfer top-k/top-p sampling's float32 buffers (2 x 4,
    vllm/v1/sample/ops/topk_topp_sampler.py): 14, rounded up to 16."""
    runtime_bytes: int
    """Memory outside the engine's accounting per device: vLLM GPU: non-torch memory that appears during profiling
    (cuBLAS/attention workspaces; vLLM PR #12126 logs 0.16 GiB at TP 1); TGI: also the CUDA context, which its
    free-memory reading includes (allowance 512 MiB); TPU: XLA's `bytes_limit` is below the chip's HBM (observed
    15.75 GiB on a 16 GiB chip), allowance 256 MiB."""
    tensor_parallel_bytes: int
    """Added per device when tensor parallelism > 1: NCCL and custom all-reduce buffers (vLLM PR #10511 logs
    non-torch memory of 1.79 GiB at TP 1 and 3.58 GiB at TP 2 for Llama-3-8B on H100: 2 GiB allowance)."""
    hybrid_kv_cache: bool
    """Sliding-window and chunked-attention layers keep only their window (vLLM's hybrid KV cache manager: on for
    CUDA, `support_hybrid_kv_cache`; off on TPU, the Platform default; off for chunked attention unless
    VLLM_ALLOW_CHUNKED_LOCAL_ATTN_WITH_HYBRID_KV_CACHE, vllm/config/__init__.py). TGI keeps every token."""
    large_device_bytes: int = 70 * GiB
    large_device_excluded: tuple[str, ...] = ("a100",)
    """Accelerators that keep the small defaults whatever their memory ("NOTE(Kuntai): Setting large
    `max_num_batched_tokens` for A100 reduces throughput", arg_utils.py)."""


#: TGI 3.3.6's launcher defaults `--max-batch-prefill-tokens` to the compute-optimal batch when it knows the card:
#: the card's float16 FLOP/s x GPU count / the model's FLOPs per token, capped by max_position_embeddings and by the
#: tokens that fit `memory.total x --cuda-memory-fraction x 0.95` (launcher/src/main.rs `compute_optimal`,
#: `ComputeType::f16_flop`, `vram_maximum`). The table is TGI's, keyed by the catalog's accelerator names (nvidia-smi
#: reports "NVIDIA L4", "NVIDIA A100-SXM4-40GB", "NVIDIA H100 80GB HBM3", "NVIDIA H200": all known to it). B200 (A4)
#: and RTX PRO 6000 (G4) are `Gpu::Unknown` in the launcher of the pinned TGI 3.3.7 as in 3.3.6 (its `From<&str>`
#: match, read 2026-12-02), so TGI itself takes the 4,096 fallback there, as the kit does for a card not listed here.
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
#: 10000 for qwen2_vl / qwen2_5_vl.
TGI_DEFAULT_PREFILL_TOKENS: dict[str, int] = {"gemma3": 8000, "qwen2_vl": 10000, "qwen2_5_vl": 10000}

#: Share of each device the kit keeps free on top of the engine's own accounting: allocator fragmentation and the
#: error of the activation estimate. 2% is 0.48 GB on an L4, 1.6 GB on an H100, 0.34 GB on a TPU v5e chip.
SAFETY_MARGIN = 0.02

VLLM_GPU_MEMORY = MemoryFacts(
    version="vLLM 0.11.0",
    kv_fraction_factor=1.0,
    reserves_profile_activation=True,
    prefill_tokens=2048,
    large_device_prefill_tokens=8192,
    sampler_sequences=256,
    large_device_sampler_sequences=1024,
    sampler_bytes_per_logit=16,
    runtime_bytes=256 * 1024**2,
    tensor_parallel_bytes=2 * GiB,
    hybrid_kv_cache=True,
)
VLLM_TPU_MEMORY = MemoryFacts(
    version="vLLM 0.11.1 + tpu-inference 0.11.1",
    kv_fraction_factor=1.0,
    reserves_profile_activation=False,
    # tpu-inference names the chip "TPU V5E", which misses vLLM's per-chip table ("V5E"): the GPU defaults apply.
    prefill_tokens=2048,
    large_device_prefill_tokens=2048,
    sampler_sequences=256,
    large_device_sampler_sequences=256,
    sampler_bytes_per_logit=0,
    runtime_bytes=256 * 1024**2,
    tensor_parallel_bytes=0,
    hybrid_kv_cache=False,
)
TGI_GPU_MEMORY = MemoryFacts(
    version="TGI 3.3.6",
    kv_fraction_factor=0.90,
    reserves_profile_activation=True,
    prefill_tokens=4096,
    large_device_prefill_tokens=4096,
    sampler_sequences=0,
    large_device_sampler_sequences=0,
    sampler_bytes_per_logit=0,
    runtime_bytes=512 * 1024**2,
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
