"""The Secret Manager secret that holds the Hugging Face token: the secret only, never a version."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_google.secret_manager_secret import SecretManagerSecret
from cdktf_cdktf_provider_google.secret_manager_secret_iam_member import SecretManagerSecretIamMember
from constructs import Construct

from modules.service_account import ServiceAccount


@dataclass(frozen=True)
class HfTokenSecretProps:
    project: str
    secret_id: str
    labels: dict[str, str]


class HfTokenSecret(Construct):
    """Terraform owns the secret's existence and its IAM; the token value is added out of band
    (`gcloud secrets versions add`), so it never enters Terraform state or cdk.tf.json."""

    def __init__(self, scope: Construct, id_: str, props: HfTokenSecretProps) -> None:
        super().__init__(scope, id_)
        self.resource = SecretManagerSecret(
            self,
            "secret",
            project=props.project,
            secret_id=props.secret_id,
            replication={"auto": {}},
            labels=props.labels,
        )

    @property
    def id(self) -> str:
        """projects/P/secrets/S: what `hfkit stage --token-secret` takes."""
        return self.resource.id

    def grant_access(self, identity: ServiceAccount) -> None:
        """Read the secret's versions (and nothing else in the project). The binding lives with the grantee."""
        SecretManagerSecretIamMember(
            identity,
            f"{self.node.id}-secretaccessor",
            project=self.resource.project,
            secret_id=self.resource.secret_id,
            role="roles/secretmanager.secretAccessor",
            member=identity.member,
        )
