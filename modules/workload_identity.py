"""Workload Identity: Kubernetes service accounts act as a Google service account, with no keys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_google.service_account_iam_member import ServiceAccountIamMember
from constructs import Construct

from modules.service_account import ServiceAccount


@dataclass(frozen=True)
class WorkloadIdentityProps:
    identity: ServiceAccount
    workload_pool: str
    """`PROJECT.svc.id.goog`: pass the cluster's attribute so the binding waits for the pool to exist."""
    kubernetes_service_accounts: Sequence[str]
    """NAMESPACE/NAME of each Kubernetes service account allowed to act as `identity`."""


class WorkloadIdentity(Construct):
    """One roles/iam.workloadIdentityUser binding per Kubernetes service account, granted on the Google account."""

    def __init__(self, scope: Construct, id_: str, props: WorkloadIdentityProps) -> None:
        super().__init__(scope, id_)
        self.members: list[str] = []
        for ksa in props.kubernetes_service_accounts:
            namespace, name = ksa.split("/", 1)
            member = f"serviceAccount:{props.workload_pool}[{namespace}/{name}]"
            self.members.append(member)
            ServiceAccountIamMember(
                self,
                f"{namespace}-{name}",
                service_account_id=props.identity.name,
                role="roles/iam.workloadIdentityUser",
                member=member,
            )
