"""The hardened node settings every node in the kit gets, TPU, GPU and the cluster's own default pool alike."""

from __future__ import annotations

from typing import Any

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"


def hardened_node_config(service_account_email: str, labels: dict[str, str] | None) -> dict[str, Any]:
    """Dedicated service account (never the Compute default), shielded VM with secure boot, GKE metadata server
    (Workload Identity; hides the node's credentials from pods), no legacy metadata endpoints, COS containerd.

    The cloud-platform scope is deliberate: access is bounded by the node account's IAM roles, as GKE recommends.
    """
    config: dict[str, Any] = {
        "service_account": service_account_email,
        "oauth_scopes": [CLOUD_PLATFORM_SCOPE],
        "shielded_instance_config": {"enable_secure_boot": True, "enable_integrity_monitoring": True},
        "workload_metadata_config": {"mode": "GKE_METADATA"},
        "metadata": {"disable-legacy-endpoints": "true"},
        "image_type": "COS_CONTAINERD",
    }
    if labels is not None:
        config["resource_labels"] = labels
    return config
