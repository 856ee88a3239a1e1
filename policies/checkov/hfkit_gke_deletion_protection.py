"""CKV_HFKIT_5: GKE clusters set deletion protection, explicitly.

A cluster holds every serving workload and its TPU/GPU capacity, which may not come back once released; a stray
`cdktf destroy` or a renamed construct id (a new Terraform address, hence destroy-and-create) must not delete it.
The provider defaults `deletion_protection` to true today, but the check requires it written out so the synthesized
Terraform states the intent and a provider change cannot flip it.
"""

from __future__ import annotations

from typing import Any

from hfkit_conf import first, is_true

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class GKEDeletionProtection(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure GKE clusters explicitly set deletion_protection = true",
            id="CKV_HFKIT_5",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["google_container_cluster"],
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        return CheckResult.PASSED if is_true(first(conf, "deletion_protection")) else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["deletion_protection"]


check = GKEDeletionProtection()
