"""Serving engines the kit deploys: the facts `hfkit fit` sizes them with and the serving stack runs them with.

`memory_utilization` is the fraction of each accelerator's memory the engine may take for weights and KV cache; the
rest is left for activations, compiled graphs and the runtime. vLLM's default `--gpu-memory-utilization` is 0.90 (on
TPU too); TGI sizes its KV cache from what is free after warm-up, and the kit budgets it the same 0.90 so both engines
are compared on one rule.

Images are pinned by tag here and nowhere else (a deployment may override its own with `image:`); bumping one is a
one-line, reviewable change that rolls every deployment of that engine.
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


ENGINES: dict[str, Engine] = {
    "vllm": Engine(
        "vllm",
        0.90,
        ("tpu", "gpu"),
        images={"gpu": VLLM_IMAGE_GPU, "tpu": VLLM_IMAGE_TPU},
        queue_metric="vllm:num_requests_waiting",
    ),
    "tgi": Engine("tgi", 0.90, ("gpu",), images={"gpu": TGI_IMAGE_GPU}, queue_metric="tgi_queue_size"),
}

#: Average waiting requests per replica above which the autoscaler adds a replica.
QUEUE_TARGET_PER_REPLICA = 10
