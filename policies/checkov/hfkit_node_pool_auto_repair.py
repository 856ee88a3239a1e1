"""CKV_HFKIT_7: node pools repair nodes automatically, unless GKE forbids it for the pool.

Replaces checkov's CKV_GCP_9 (skipped in .checkov.yaml). GKE rejects auto-repair on flex-start pools
(`node_config.flex_start`) and on queued-provisioning (Dynamic Workload Scheduler) pools
(`queued_provisioning.enabled`): their nodes are obtained for one run and released, not repaired in place. CKV_GCP_9
cannot express that exception and fails those pools, so this check requires `management.auto_repair = true` written
out on every other pool, as CKV_GCP_9 does.
"""

from __future__ import annotations

from typing import Any

from hfkit_conf import first, is_true

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class NodePoolAutoRepair(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure node pools enable auto-repair (except flex-start and queued-provisioning pools)",
            id="CKV_HFKIT_7",
            categories=[CheckCategories.KUBERNETES],
            supported_resources=["google_container_node_pool"],
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        if is_true(first(conf, "node_config", "flex_start")) or is_true(first(conf, "queued_provisioning", "enabled")):
            self.evaluated_keys = ["node_config/[0]/flex_start", "queued_provisioning/[0]/enabled"]
            return CheckResult.PASSED
        self.evaluated_keys = ["management/[0]/auto_repair"]
        return CheckResult.PASSED if is_true(first(conf, "management", "auto_repair")) else CheckResult.FAILED


check = NodePoolAutoRepair()
