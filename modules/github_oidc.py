"""Workload Identity Federation for GitHub Actions: keyless CI identities, restricted to one repository.

The provider's attribute condition rejects tokens from any other repository before any IAM binding is looked at;
each service account then trusts exactly one OIDC subject (pull requests, or one deployment environment), so a
workflow of this repository running elsewhere (a push to a branch, another environment) cannot act as it.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_google.iam_workload_identity_pool import IamWorkloadIdentityPool
from cdktf_cdktf_provider_google.iam_workload_identity_pool_provider import IamWorkloadIdentityPoolProvider
from cdktf_cdktf_provider_google.service_account_iam_member import ServiceAccountIamMember
from constructs import Construct

from modules.service_account import ServiceAccount

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"


@dataclass(frozen=True)
class GithubOidcProps:
    project: str
    pool_id: str
    repository: str
    """OWNER/REPO: the only repository whose tokens the provider accepts."""
    subjects: tuple[str, ...]
    """Every OIDC subject an identity trusts: the provider refuses tokens with any other subject."""


def condition(repository: str, subjects: tuple[str, ...]) -> str:
    """CEL: this repository, and only the subjects some identity trusts (belt and braces with the IAM bindings)."""
    allowed = " || ".join(f"assertion.sub == '{s}'" for s in subjects)
    return f"assertion.repository == '{repository}' && ({allowed})"


class GithubOidc(Construct):
    """A workload identity pool with one GitHub OIDC provider; `allow` lets one token subject act as an identity."""

    def __init__(self, scope: Construct, id_: str, props: GithubOidcProps) -> None:
        super().__init__(scope, id_)
        self.pool = IamWorkloadIdentityPool(
            self,
            "pool",
            project=props.project,
            workload_identity_pool_id=props.pool_id,
            display_name="hfkit GitHub Actions",
            description=f"GitHub Actions of {props.repository}",
        )
        self.provider = IamWorkloadIdentityPoolProvider(
            self,
            "provider",
            project=props.project,
            workload_identity_pool_id=self.pool.workload_identity_pool_id,
            workload_identity_pool_provider_id="github",
            display_name="GitHub Actions OIDC",
            attribute_mapping={
                "google.subject": "assertion.sub",
                "attribute.repository": "assertion.repository",
                "attribute.environment": "assertion.environment",
                "attribute.event_name": "assertion.event_name",
            },
            attribute_condition=condition(props.repository, props.subjects),
            oidc={"issuer_uri": GITHUB_ISSUER},
        )

    def principal(self, subject: str) -> str:
        """The federated principal of one exact OIDC subject."""
        return f"principal://iam.googleapis.com/{self.pool.name}/subject/{subject}"

    def allow(self, identity: ServiceAccount, subject: str, id_: str) -> None:
        """Let tokens with `subject` act as `identity`; granted on the account, never the project."""
        ServiceAccountIamMember(
            identity,
            id_,
            service_account_id=identity.name,
            role="roles/iam.workloadIdentityUser",
            member=self.principal(subject),
        )
