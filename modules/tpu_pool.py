"""TPU v5e node pool: single-host (1, 4 or 8 chips on one VM) or a multi-host slice of ct5lp-hightpu-4t VMs."""

from __future__ import annotations

from typing import Any

from constructs import Construct

from modules.config.pools import TpuPool
from modules.node_pool import AcceleratorNodePool, NodePoolProps


class TpuV5ePool(AcceleratorNodePool):
    """TPU pools carry no guest_accelerator: the machine type is the accelerator. A multi-host slice gets COMPACT
    placement with its topology, and its node count is chips / 4 (the slice is created and removed atomically)."""

    def __init__(self, scope: Construct, id_: str, props: NodePoolProps, spec: TpuPool) -> None:
        self.tpu = spec
        super().__init__(scope, id_, props, spec, spec.accelerator)

    def placement_policy(self) -> dict[str, Any] | None:
        if self.tpu.multi_host:
            return {"type": "COMPACT", "tpu_topology": self.tpu.resolved_topology}
        return super().placement_policy()
