"""Serving engines the kit deploys and the facts `hfkit fit` sizes them with.

`memory_utilization` is the fraction of each accelerator's memory the engine may take for weights and KV cache; the
rest is left for activations, compiled graphs and the runtime. vLLM's default `--gpu-memory-utilization` is 0.90 (on
TPU too); TGI sizes its KV cache from what is free after warm-up, and the kit budgets it the same 0.90 so both engines
are compared on one rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AcceleratorKind = Literal["tpu", "gpu"]


@dataclass(frozen=True)
class Engine:
    name: str
    memory_utilization: float
    accelerators: tuple[AcceleratorKind, ...]


ENGINES: dict[str, Engine] = {
    "vllm": Engine("vllm", 0.90, ("tpu", "gpu")),
    "tgi": Engine("tgi", 0.90, ("gpu",)),
}
