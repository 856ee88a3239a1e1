"""Stack `accelerators`: every TPU (v5e, v6e, TPU7x) and GPU node pool, and TPU7x slices' workload policies. Changes
often (shapes, sizes, capacity models) and never touches the cluster or the data, so a bad pool change cannot take the
control plane or the weights with it."""

from __future__ import annotations

from constructs import Construct

from modules.config import Environment
from modules.gpu_pool import GpuNodePool
from modules.node_pool import AcceleratorNodePool, NodePoolProps
from modules.tpu_pool import TpuPool
from stacks.base import HfkitStack
from stacks.cluster import ClusterStack


class AcceleratorsStack(HfkitStack):
    def __init__(self, scope: Construct, stack_id: str, env: Environment, cluster: ClusterStack) -> None:
        super().__init__(scope, stack_id, env)
        self.pools: dict[str, AcceleratorNodePool] = {}

        def props(zones: list[str]) -> NodePoolProps:
            return NodePoolProps(
                cluster=cluster.cluster, node_identity=cluster.cluster.node_identity, zones=zones, labels=self.labels
            )

        for spec in env.tpu_pools:
            self.pools[spec.name] = TpuPool(self, f"tpu-{spec.name}", props(env.pool_zones(spec)), spec)
        for spec in env.gpu_pools:
            self.pools[spec.name] = GpuNodePool(self, f"gpu-{spec.name}", props(env.pool_zones(spec)), spec)
