"""What TPU and GPU pools share: sizing, capacity model, management and the hardened node config."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cdktf_cdktf_provider_google.container_node_pool import ContainerNodePool, ContainerNodePoolNodeConfigTaint
from constructs import Construct

from modules.cluster import GkeCluster
from modules.config.pools import PoolBase
from modules.node_config import hardened_node_config
from modules.service_account import ServiceAccount

#: Kubernetes node labels serving selects on (GKE adds the cloud.google.com/gke-* accelerator labels itself).
POOL_LABEL = "hfkit.dev/pool"
ACCELERATOR_LABEL = "hfkit.dev/accelerator"
RESERVATION_KEY = "compute.googleapis.com/reservation-name"


@dataclass(frozen=True)
class NodePoolProps:
    cluster: GkeCluster
    node_identity: ServiceAccount
    zones: list[str]
    labels: dict[str, str]
    """GCP resource labels (cost attribution), not Kubernetes labels."""


class AcceleratorNodePool(Construct):
    """Base for the TPU and GPU pool constructs: subclasses add the accelerator-specific node settings."""

    def __init__(self, scope: Construct, id_: str, props: NodePoolProps, spec: PoolBase, accelerator: str) -> None:
        super().__init__(scope, id_)
        self.spec = spec
        node_config = hardened_node_config(props.node_identity.email, {**props.labels, "hfkit-pool": spec.name})
        node_config.update(
            machine_type=spec.machine_type,
            disk_type=spec.boot_disk,
            disk_size_gb=spec.disk_size_gb,
            labels={**spec.labels, POOL_LABEL: spec.name, ACCELERATOR_LABEL: accelerator},
            spot=spec.spot or None,
            flex_start=spec.flex_start or None,
        )
        if spec.taints:
            node_config["taint"] = [
                ContainerNodePoolNodeConfigTaint(key=t.key, value=t.value, effect=t.effect) for t in spec.taints
            ]
        affinity = self._reservation_affinity(spec, props.cluster.project)
        if affinity:
            node_config["reservation_affinity"] = affinity
        node_config.update(self.accelerator_node_config())
        self.resource = ContainerNodePool(
            self,
            "pool",
            project=props.cluster.project,
            cluster=props.cluster.id,
            location=props.cluster.location,
            name=spec.name,
            node_locations=props.zones,
            node_config={k: v for k, v in node_config.items() if v is not None},
            management={
                # GKE requires auto-repair off for DWS queued provisioning and flex-start nodes.
                "auto_repair": not (spec.queued_provisioning or spec.flex_start),
                "auto_upgrade": True,
            },
            **self._sizing(spec),
            placement_policy=self.placement_policy(),
            queued_provisioning={"enabled": True} if spec.queued_provisioning else None,
        )

    @staticmethod
    def _reservation_affinity(spec: PoolBase, project: str) -> dict[str, Any] | None:
        if spec.reservation is not None:
            name = spec.reservation.name
            if spec.reservation.project and spec.reservation.project != project:
                name = f"projects/{spec.reservation.project}/reservations/{name}"
            return {"consume_reservation_type": "SPECIFIC_RESERVATION", "key": RESERVATION_KEY, "values": [name]}
        if spec.queued_provisioning or spec.flex_start:
            return {"consume_reservation_type": "NO_RESERVATION"}
        return None

    @staticmethod
    def _sizing(spec: PoolBase) -> dict[str, Any]:
        a = spec.autoscaling
        if a is None:
            return {"node_count": spec.fixed_node_count()}
        if spec.queued_provisioning or spec.flex_start:
            # DWS finds capacity in any of the pool's zones: bounds are totals, location policy ANY.
            return {
                "autoscaling": {
                    "total_min_node_count": a.min_nodes,
                    "total_max_node_count": a.max_nodes,
                    "location_policy": "ANY",
                },
                "initial_node_count": 0,
            }
        return {"autoscaling": {"min_node_count": a.min_nodes, "max_node_count": a.max_nodes}}

    def accelerator_node_config(self) -> dict[str, Any]:
        return {}

    def placement_policy(self) -> dict[str, Any] | None:
        return {"type": "COMPACT"} if self.spec.compact else None

    @property
    def name(self) -> str:
        return self.spec.name
