"""GPU node pool with GKE-managed driver installation and optional GPU sharing."""

from __future__ import annotations

from typing import Any

from cdktf_cdktf_provider_google.container_node_pool import ContainerNodePoolNodeConfigGuestAccelerator
from constructs import Construct

from modules.config.pools import GpuPool
from modules.node_pool import AcceleratorNodePool, NodePoolProps


class GpuNodePool(AcceleratorNodePool):
    """The accelerator type and count come from the machine type catalog, so they always pair."""

    def __init__(self, scope: Construct, id_: str, props: NodePoolProps, spec: GpuPool) -> None:
        self.gpu = spec
        super().__init__(scope, id_, props, spec, spec.gpu_type)

    def accelerator_node_config(self) -> dict[str, Any]:
        spec = self.gpu
        sharing = None
        if spec.sharing is not None:
            sharing = {
                "gpu_sharing_strategy": spec.sharing.strategy,
                "max_shared_clients_per_gpu": spec.sharing.max_shared_clients_per_gpu,
            }
        accelerator = ContainerNodePoolNodeConfigGuestAccelerator(
            type=spec.gpu_type,
            count=spec.gpus_per_node,
            gpu_driver_installation_config={"gpu_driver_version": spec.driver_version},
            gpu_sharing_config=sharing,
        )
        return {"guest_accelerator": [accelerator]}
