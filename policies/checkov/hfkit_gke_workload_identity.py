"""CKV_HFKIT_1: GKE clusters run with Workload Identity.

Without a workload pool, pods reach Google APIs as the node's service account, so every workload on a node shares one
identity and the metadata server hands out its token. hfkit grants the weights bucket and the HF token secret to
per-workload Kubernetes service accounts; that only holds when `workload_identity_config.workload_pool` is set.
checkov ships no check for it (CKV_GCP_69 looks at GKE_METADATA on node pools, not at the cluster's pool).
"""

from __future__ import annotations

from typing import Any

from hfkit_conf import first

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class GKEWorkloadIdentity(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure GKE clusters have Workload Identity enabled (workload_identity_config.workload_pool)",
            id="CKV_HFKIT_1",
            categories=[CheckCategories.KUBERNETES, CheckCategories.IAM],
            supported_resources=["google_container_cluster"],
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        pool = first(conf, "workload_identity_config", "workload_pool")
        return CheckResult.PASSED if isinstance(pool, str) and pool.strip() else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["workload_identity_config/[0]/workload_pool"]


check = GKEWorkloadIdentity()
