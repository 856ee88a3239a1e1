"""CKV_HFKIT_2: GKE nodes never run as the Compute Engine default service account.

The default service account (`<number>-compute@developer.gserviceaccount.com`, or `default` in the API) carries the
project-wide Editor role in most projects, so any pod that reaches the node's credentials could change the whole
project. Leaving `service_account` unset selects it. hfkit gives nodes a dedicated account with logging and monitoring
roles only. The cluster's own `node_config` counts too: it shapes the default pool that exists briefly before
`remove_default_node_pool` deletes it.

checkov's CKV_GCP_42 only matches literal emails; hfkit's values are usually cdktf references
(`${google_service_account...email}` or cross-stack remote state), which name a dedicated account and pass here.
Only a missing value or the default account fails.
"""

from __future__ import annotations

from typing import Any

from hfkit_conf import first

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

COMPUTE_DEFAULT_SUFFIX = "-compute@developer.gserviceaccount.com"


def is_dedicated(service_account: Any) -> bool:
    if not isinstance(service_account, str) or not service_account.strip():
        return False
    account = service_account.strip().lower()
    return account != "default" and not account.endswith(COMPUTE_DEFAULT_SUFFIX)


class GKENodeServiceAccount(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure GKE nodes use a dedicated service account, not the Compute Engine default",
            id="CKV_HFKIT_2",
            categories=[CheckCategories.KUBERNETES, CheckCategories.IAM],
            supported_resources=["google_container_cluster", "google_container_node_pool"],
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        self.evaluated_keys = ["node_config/[0]/service_account"]
        if not is_dedicated(first(conf, "node_config", "service_account")):
            return CheckResult.FAILED
        # A cluster may also declare pools inline (`node_pool` blocks); each needs its own account.
        if self.entity_type == "google_container_cluster":
            for index, pool in enumerate(conf.get("node_pool") or []):
                self.evaluated_keys.append(f"node_pool/[{index}]/node_config/[0]/service_account")
                if not is_dedicated(first(pool, "node_config", "service_account")):
                    return CheckResult.FAILED
        return CheckResult.PASSED


check = GKENodeServiceAccount()
