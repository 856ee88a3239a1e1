"""Which attribute changes replace a resource, and which resources are IAM.

"Replaced" means Terraform destroys and recreates the resource or, for node pools, GKE recreates every node (a
machine type change on a TPU slice stops the slice either way). The lists cover the resources whose replacement
hurts: node pools (running workloads), the cluster (everything), buckets (the weights), identities. They err towards
flagging: `terraform plan` in CI is the authority; this report is the early warning a reviewer reads first.
"""

from __future__ import annotations

#: Attributes whose change replaces any google resource: its identity.
IDENTITY_ATTRIBUTES: tuple[str, ...] = ("name", "project", "location", "region", "zone")

FORCES_REPLACEMENT: dict[str, tuple[str, ...]] = {
    "google_container_node_pool": (
        "cluster",
        "node_locations",
        "placement_policy",
        "queued_provisioning",
        "node_config.machine_type",
        "node_config.guest_accelerator",
        "node_config.spot",
        "node_config.flex_start",
        "node_config.reservation_affinity",
        "node_config.disk_type",
        "node_config.disk_size_gb",
        "node_config.service_account",
        "node_config.oauth_scopes",
    ),
    "google_container_cluster": (
        "network",
        "subnetwork",
        "private_cluster_config.enable_private_nodes",
        "private_cluster_config.master_ipv4_cidr_block",
        "ip_allocation_policy",
        "datapath_provider",
    ),
    "google_service_account": ("account_id",),
    "google_secret_manager_secret": ("secret_id", "replication"),
    "google_compute_network": ("auto_create_subnetworks",),
    "google_compute_subnetwork": ("network",),
}

#: IAM member/binding resources: every argument of theirs is ForceNew.
IAM_MEMBER_ATTRIBUTES: tuple[str, ...] = ("member", "members", "role", "condition")


def is_iam(resource_type: str) -> bool:
    return "_iam_" in resource_type


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((f"{prefix}.", f"{prefix}["))


def forces_replacement(resource_type: str, path: str) -> bool:
    """Does changing `path` (dotted, `[i]` for list items) on a `resource_type` replace the resource?"""
    rules = IDENTITY_ATTRIBUTES + FORCES_REPLACEMENT.get(resource_type, ())
    if is_iam(resource_type):
        rules += IAM_MEMBER_ATTRIBUTES
    return any(_under(path, rule) for rule in rules)
