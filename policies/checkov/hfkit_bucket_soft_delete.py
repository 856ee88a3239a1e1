"""CKV_HFKIT_4: buckets keep soft-deleted objects for at least 7 days.

Soft delete is the only undo for an overwritten or deleted object (a staged model, an access log) short of versioning
history, and `retention_duration_seconds = 0` turns it off. hfkit requires an explicit policy of at least 604800 s
(7 days) so a later provider or API default cannot silently shorten it. The value must be a literal the gate can read:
a reference or expression fails.
"""

from __future__ import annotations

from typing import Any

from hfkit_conf import first

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

MIN_RETENTION_SECONDS = 7 * 24 * 3600


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


class BucketSoftDelete(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure storage buckets keep soft-deleted objects for at least 7 days",
            id="CKV_HFKIT_4",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["google_storage_bucket"],
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        seconds = as_int(first(conf, "soft_delete_policy", "retention_duration_seconds"))
        if seconds is not None and seconds >= MIN_RETENTION_SECONDS:
            return CheckResult.PASSED
        return CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["soft_delete_policy/[0]/retention_duration_seconds"]


check = BucketSoftDelete()
