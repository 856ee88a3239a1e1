"""A dedicated Google service account: the unit every grant in the kit is made to."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_google.service_account import ServiceAccount as _ServiceAccount
from cdktf_cdktf_provider_google.service_account_iam_member import ServiceAccountIamMember
from constructs import Construct

#: google_service_account limits (resource_google_service_account.go @v6.50.0: description StringLenBetween(0, 256);
#: the IAM API caps display names at 100). Descriptions and display names embed user input (a GitHub environment
#: name may have 255 characters), so they are cut to fit: they are labels for humans, not identities.
MAX_DESCRIPTION = 256
MAX_DISPLAY_NAME = 100


@dataclass(frozen=True)
class ServiceAccountProps:
    project: str
    account_id: str
    display_name: str
    description: str


class ServiceAccount(Construct):
    """Wraps google_service_account so grants can take the identity itself rather than an email string."""

    def __init__(self, scope: Construct, id_: str, props: ServiceAccountProps) -> None:
        super().__init__(scope, id_)
        self.project = props.project
        self.resource = _ServiceAccount(
            self,
            "account",
            project=props.project,
            account_id=props.account_id,
            display_name=props.display_name[:MAX_DISPLAY_NAME],
            description=props.description[:MAX_DESCRIPTION],
        )

    @property
    def email(self) -> str:
        return self.resource.email

    @property
    def member(self) -> str:
        """IAM member string, e.g. for bucket and secret bindings."""
        return self.resource.member

    @property
    def name(self) -> str:
        return self.resource.name

    def allow_impersonation(self, member: str, id_: str) -> None:
        """Let a human or CI principal mint tokens for this account: granted on the account, never the project."""
        ServiceAccountIamMember(
            self,
            id_,
            service_account_id=self.resource.name,
            role="roles/iam.serviceAccountTokenCreator",
            member=member,
        )
