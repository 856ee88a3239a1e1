"""TPU node pool of any catalog generation: single-host (one VM) or a multi-host slice placed the generation's way.

- Single-host pools carry no placement policy and never `tpu_topology` (GKE rejects a topology on a single host).
- v5e and v6e multi-host slices: `placement_policy {type = COMPACT, tpu_topology = AxB}` (xpk, Cluster Toolkit).
- TPU7x multi-host slices: a `google_compute_resource_policy` with `workload_policy {type = HIGH_THROUGHPUT,
  accelerator_topology = AxBxC}` in the pool's region, named in `placement_policy.policy_name`, without
  `tpu_topology`: GKE's Ironwood page says the workload policy replaces `--tpu-topology`, and xpk passes neither
  COMPACT nor a topology with it. The provider (v6.50.0) requires `placement_policy.type`; the kit sets COMPACT with
  the policy name as Cluster Toolkit's TPU7x node pools do (which add `tpu_topology` too) and as the provider's
  customPlacementPolicy test does with a group-placement policy (modules/catalog/sources.py: GKE_TPU_IRONWOOD,
  XPK_TPU_GENERATIONS, CLUSTER_TOOLKIT_TPU, PROVIDER_RESOURCE_POLICY). No source read applies exactly this shape
  (COMPACT + a workload policy, no topology) to a multi-host TPU7x slice in Terraform: xpk sends no type at all and
  says COMPACT's group placement is mutually exclusive with a workload policy; Cluster Toolkit sends COMPACT with
  the topology. Check the first apply of a TPU7x slice against `gcloud container node-pools describe`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from cdktf_cdktf_provider_google.compute_resource_policy import ComputeResourcePolicy
from constructs import Construct

from modules.catalog.tpu import WORKLOAD_POLICY
from modules.config.pools import TpuPool as TpuPoolSpec
from modules.node_pool import AcceleratorNodePool, NodePoolProps

#: Compute Engine resource names: RFC 1035, 1-63 characters (provider v6.50.0 resource_compute_resource_policy.go).
MAX_POLICY_NAME = 63


def workload_policy_name(cluster: str, pool: str, topology: str) -> str:
    """`<cluster>-<pool>-<topology>`: unique per cluster and pool within the project and region (resource policies
    are regional), and new when the topology changes, so the pool, whose `policy_name` forces replacement, is rebuilt
    with its new policy instead of Terraform deleting a policy its VMs still use. Longer than 63 characters (a
    40-character cluster and pool name can give 93): the first 54 characters, trailing hyphens dropped, `-` and the
    first 8 hex digits of the full name's SHA-256. Both forms start with the cluster name's letter and end with a
    letter or digit, as RFC 1035 requires."""
    full = f"{cluster}-{pool}-{topology}"
    if len(full) <= MAX_POLICY_NAME:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:8]
    return f"{full[: MAX_POLICY_NAME - 9].rstrip('-')}-{digest}"


class TpuPool(AcceleratorNodePool):
    """TPU pools carry no guest_accelerator: the machine type is the accelerator. A multi-host slice's node count is
    chips / chips per VM (the slice is created and removed atomically)."""

    def __init__(self, scope: Construct, id_: str, props: NodePoolProps, spec: TpuPoolSpec) -> None:
        self.tpu = spec
        self.props = props
        self.workload_policy: ComputeResourcePolicy | None = None
        super().__init__(scope, id_, props, spec, spec.accelerator)

    def placement_policy(self) -> dict[str, Any] | None:
        tpu = self.tpu
        if not tpu.multi_host:
            return super().placement_policy()
        if tpu.generation.multi_host_placement == WORKLOAD_POLICY:
            cluster = self.props.cluster
            self.workload_policy = ComputeResourcePolicy(
                self,
                "workload-policy",
                project=cluster.project,
                region=cluster.location,
                name=workload_policy_name(cluster.cluster_name, tpu.name, tpu.resolved_topology),
                description=f"hfkit: TPU {tpu.generation.name} {tpu.resolved_topology} slice of pool {tpu.name}",
                workload_policy={"type": "HIGH_THROUGHPUT", "accelerator_topology": tpu.resolved_topology},
            )
            return {"type": "COMPACT", "policy_name": self.workload_policy.name}
        return {"type": "COMPACT", "tpu_topology": tpu.resolved_topology}


#: The name this construct had when the kit built v5e pools only.
TpuV5ePool = TpuPool
