"""CKV_HFKIT_3: no Secret Manager secret version is declared in Terraform.

A version resource carries the secret payload (`secret_data`), which Terraform writes in plain text into state and,
with cdktf, into `cdk.tf.json`. hfkit declares the HF token's secret (name, replication, IAM) in Terraform and adds
versions out of band with `hfkit` / `gcloud`, so the token never lands in state. Any version resource is therefore a
leak by construction: the check fails on the resource type itself, whatever its attributes.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class NoSecretVersionInTerraform(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure no Secret Manager secret version is managed by Terraform (the payload would be in state)",
            id="CKV_HFKIT_3",
            categories=[CheckCategories.SECRETS],
            supported_resources=[
                "google_secret_manager_secret_version",
                "google_secret_manager_regional_secret_version",
            ],
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        self.evaluated_keys = ["secret_data"]
        return CheckResult.FAILED


check = NoSecretVersionInTerraform()
