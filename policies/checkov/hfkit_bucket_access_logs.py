"""CKV_HFKIT_6: buckets write access logs, except the access-log bucket itself.

Replaces checkov's CKV_GCP_62 (skipped in .checkov.yaml), which also demands logging on the bucket that receives the
logs: a log bucket cannot usefully log its own access (it would log its own log writes), so CKV_GCP_62 could never
pass there. This check keeps the rule for every other bucket and exempts exactly the bucket labelled
`hfkit-role: access-logs`, the label hfkit's weights-bucket construct puts on the log bucket it creates.
"""

from __future__ import annotations

from typing import Any

from hfkit_conf import first

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

ROLE_LABEL = "hfkit-role"
ACCESS_LOGS_ROLE = "access-logs"


class BucketAccessLogs(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure storage buckets log access (except the bucket labelled hfkit-role: access-logs)",
            id="CKV_HFKIT_6",
            categories=[CheckCategories.LOGGING],
            supported_resources=["google_storage_bucket"],
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        if first(conf, "labels", ROLE_LABEL) == ACCESS_LOGS_ROLE:
            self.evaluated_keys = [f"labels/[0]/{ROLE_LABEL}"]
            return CheckResult.PASSED
        self.evaluated_keys = ["logging/[0]/log_bucket"]
        log_bucket = first(conf, "logging", "log_bucket")
        return CheckResult.PASSED if isinstance(log_bucket, str) and log_bucket.strip() else CheckResult.FAILED


check = BucketAccessLogs()
