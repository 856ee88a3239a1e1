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

VLLM_IMAGE_GPU = "vllm/vllm-openai:v0.11.0"
VLLM_IMAGE_TPU = "vllm/vllm-tpu:v0.11.1"
TGI_IMAGE_GPU = "ghcr.io/huggingface/text-generation-inference:3.3.6"


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
