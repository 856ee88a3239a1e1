"""A short per-stack summary of synthesized Terraform, read back from cdk.tf.json (what was actually produced,
not what the config meant), enriched with the accelerator catalogs."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modules.catalog.tpu import TPU_MACHINE_TYPES, chips_in


@dataclass(frozen=True)
class PoolSummary:
    name: str
    machine_type: str
    accelerator: str
    topology: str
    chips_or_gpus_per_node: int
    nodes: str
    capacity: str
    zones: str

    @property
    def slice_chips(self) -> int | None:
        return chips_in(self.topology) if self.topology != "-" else None


def _resources(stack: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return list(stack.get("resource", {}).get(kind, {}).values())


def node_bounds(pool: Mapping[str, Any]) -> tuple[int, int]:
    """Total nodes a synthesized pool runs at its low and high end: per-zone bounds times zones, DWS totals as they
    are, a fixed size times zones. Shared by the synth summary and `hfkit cost`."""
    zones = len(pool.get("node_locations", [])) or 1
    scaling = pool.get("autoscaling")
    if not scaling:
        return (int(pool.get("node_count", 1)) * zones,) * 2
    if "total_max_node_count" in scaling:
        return int(scaling.get("total_min_node_count", 0)), int(scaling["total_max_node_count"])
    return int(scaling.get("min_node_count", 0)) * zones, int(scaling["max_node_count"]) * zones


def _nodes(pool: dict[str, Any]) -> str:
    low, high = node_bounds(pool)
    return f"{low}-{high} (autoscaling)" if pool.get("autoscaling") else str(low)


def capacity_of(pool: Mapping[str, Any]) -> str:
    """The capacity model a synthesized node pool declares (shared by the synth summary and `hfkit cost`)."""
    config = pool["node_config"]
    if pool.get("queued_provisioning", {}).get("enabled"):
        return "DWS queued"
    if config.get("flex_start"):
        return "flex-start"
    if config.get("spot"):
        return "spot"
    affinity = config.get("reservation_affinity", {})
    if affinity.get("consume_reservation_type") == "SPECIFIC_RESERVATION":
        return f"reservation {affinity['values'][0].rsplit('/', 1)[-1]}"
    return "on-demand"


#: How a node pool's `placement_policy.policy_name` names a resource policy of its own stack (TPU7x slices).
_POLICY_REFERENCE = re.compile(r"\$\{google_compute_resource_policy\.([^.}]+)\.name\}")


def slice_topology(pool: Mapping[str, Any], stack: Mapping[str, Any]) -> str | None:
    """A multi-host TPU slice's topology as synthesized: `placement_policy.tpu_topology` (v5e, v6e), or the
    `workload_policy.accelerator_topology` of the resource policy `placement_policy.policy_name` references (TPU7x,
    modules/tpu_pool.py); None for a single-host pool."""
    placement = pool.get("placement_policy", {})
    if placement.get("tpu_topology"):
        return str(placement["tpu_topology"])
    reference = _POLICY_REFERENCE.fullmatch(placement.get("policy_name", ""))
    if reference is None:
        return None
    policy = stack.get("resource", {}).get("google_compute_resource_policy", {}).get(reference[1], {})
    return policy.get("workload_policy", {}).get("accelerator_topology")


def summarize_pool(pool: dict[str, Any], stack: Mapping[str, Any] | None = None) -> PoolSummary:
    config = pool["node_config"]
    machine_type = config["machine_type"]
    if machine_type in TPU_MACHINE_TYPES:
        tpu = TPU_MACHINE_TYPES[machine_type]
        topology = slice_topology(pool, stack or {}) or tpu.single_host_topology
        accelerator, per_node = tpu.accelerator, tpu.chips
    else:
        gpu = config["guest_accelerator"][0]
        accelerator, per_node, topology = gpu["type"], gpu["count"], "-"
        sharing = gpu.get("gpu_sharing_config")
        if sharing:
            accelerator += f" ({sharing['gpu_sharing_strategy']} x{sharing['max_shared_clients_per_gpu']})"
    return PoolSummary(
        name=pool["name"],
        machine_type=machine_type,
        accelerator=accelerator,
        topology=topology,
        chips_or_gpus_per_node=per_node,
        nodes=_nodes(pool),
        capacity=capacity_of(pool),
        zones=",".join(pool.get("node_locations", [])),
    )


def stack_lines(stack_id: str, stack: dict[str, Any]) -> list[str]:
    """One or more human lines describing what a stack declares."""
    lines = []
    for cluster in _resources(stack, "google_container_cluster"):
        lines.append(
            f"GKE cluster {cluster['name']} in {cluster['location']} ({cluster['release_channel']['channel']} "
            f"channel, private nodes, Workload Identity, deletion protection "
            f"{'on' if cluster.get('deletion_protection') else 'OFF'})"
        )
    for network in _resources(stack, "google_compute_network"):
        subnets = ", ".join(f"{s['name']} {s['ip_cidr_range']}" for s in _resources(stack, "google_compute_subnetwork"))
        lines.append(f"VPC {network['name']}: subnet {subnets}, Cloud NAT")
    for bucket in _resources(stack, "google_storage_bucket"):
        role = bucket.get("labels", {}).get("hfkit-role", "bucket")
        lines.append(f"bucket gs://{bucket['name']} ({role}, {bucket['location']})")
    for secret in _resources(stack, "google_secret_manager_secret"):
        lines.append(f"secret {secret['secret_id']} (no version in Terraform: add the token out of band)")
    for account in _resources(stack, "google_service_account"):
        lines.append(f"service account {account['account_id']}: {account.get('description', '')}")
    wi = _resources(stack, "google_service_account_iam_member")
    users = [m["member"] for m in wi if m["role"] == "roles/iam.workloadIdentityUser"]
    bindings = [m.split("[", 1)[1].rstrip("]") for m in users if "[" in m]
    if bindings:
        lines.append(f"Workload Identity for {', '.join(bindings)}")
    subjects = [m.rsplit("/subject/", 1)[1] for m in users if "/subject/" in m]
    if subjects:
        lines.append(f"GitHub Actions (workload identity federation) as {', '.join(subjects)}")
    for deployment in _resources(stack, "kubernetes_deployment_v1"):
        template = deployment["spec"]["template"]
        (container,) = template["spec"]["container"]
        annotations = deployment["metadata"].get("annotations", {})
        if "hfkit.dev/model" not in annotations:  # the metrics adapter the autoscalers read
            lines.append(f"{deployment['metadata']['name']} ({container['image']})")
            continue
        pool = template["spec"]["node_selector"].get("hfkit.dev/pool", "?")
        lines.append(
            f"model server {deployment['metadata']['name']}: {annotations['hfkit.dev/model']}"
            f"@{annotations['hfkit.dev/commit'][:12]} on {pool} ({container['image']})"
        )
    return lines


def read_stacks(outdir: Path) -> dict[str, dict[str, Any]]:
    stacks_dir = outdir / "stacks"
    return {p.name: json.loads((p / "cdk.tf.json").read_text()) for p in sorted(stacks_dir.iterdir()) if p.is_dir()}


def pools(stack: dict[str, Any]) -> list[PoolSummary]:
    return [summarize_pool(p, stack) for p in _resources(stack, "google_container_node_pool")]
