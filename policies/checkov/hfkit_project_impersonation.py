"""CKV_HFKIT_8: project-level roles that manage or act as service accounts go to the CI apply identity only.

Replaces checkov's CKV_GCP_41 and CKV_GCP_49 (skipped in .checkov.yaml). The bootstrap stack's apply identity
deploys the identities stack and node pools that run as the node service account: it must create service accounts,
set their IAM policies and act as them before any of those accounts exists, so nothing narrower than the project can
hold that grant (it is usable only by jobs of the protected GitHub environment). Every other member with such a role
at project level still fails, as it would under the two built-in checks.
"""

from __future__ import annotations

import re
from typing import Any

from hfkit_conf import first

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

IMPERSONATION_ROLES = frozenset(
    {
        "roles/owner",
        "roles/editor",
        "roles/iam.securityAdmin",
        "roles/iam.serviceAccountAdmin",
        "roles/iam.serviceAccountKeyAdmin",
        "roles/iam.serviceAccountUser",
        "roles/iam.serviceAccountTokenCreator",
        "roles/iam.workloadIdentityUser",
    }
)
#: The member of the bootstrap stack's `apply` service account, as cdktf writes the reference.
APPLY_IDENTITY = re.compile(r"\$\{google_service_account\.apply_account_[0-9A-F]{8}\.member\}")


class ProjectImpersonationOnlyForApply(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure project-level service account admin/user roles are held only by the hfkit CI apply identity",
            id="CKV_HFKIT_8",
            categories=[CheckCategories.IAM],
            supported_resources=["google_project_iam_member"],
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        self.evaluated_keys = ["role", "member"]
        if first(conf, "role") not in IMPERSONATION_ROLES:
            return CheckResult.PASSED
        member = first(conf, "member")
        return (
            CheckResult.PASSED if isinstance(member, str) and APPLY_IDENTITY.fullmatch(member) else CheckResult.FAILED
        )


check = ProjectImpersonationOnlyForApply()
