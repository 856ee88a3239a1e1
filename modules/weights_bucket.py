"""The weights bucket and its access-log bucket: hardened, versioned, soft-deleting, grants on the bucket only.

The bootstrap stack's Terraform state bucket is the same construct with another role label: state needs exactly
the same protections (versions to roll back a bad write, soft delete, access logs, no public access).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cdktf_cdktf_provider_google.data_google_storage_project_service_account import (
    DataGoogleStorageProjectServiceAccount,
)
from cdktf_cdktf_provider_google.kms_crypto_key_iam_member import KmsCryptoKeyIamMember
from cdktf_cdktf_provider_google.storage_bucket import StorageBucket, StorageBucketLifecycleRule
from cdktf_cdktf_provider_google.storage_bucket_iam_member import StorageBucketIamMember
from constructs import Construct

from modules.config.storage import WeightsBucket as WeightsBucketSpec
from modules.service_account import ServiceAccount

#: Resource label marking the bucket that receives access logs (it cannot usefully log to itself).
ROLE_LABEL = "hfkit-role"
READ_ROLES = ("roles/storage.objectViewer",)
#: Create, overwrite-guarded write, read back for verification, delete a failed upload; plus bucket metadata get.
WRITE_ROLES = ("roles/storage.objectUser", "roles/storage.bucketViewer")
ACCESS_LOG_RETENTION_DAYS = 365


@dataclass(frozen=True)
class WeightsBucketProps:
    project: str
    location: str
    spec: WeightsBucketSpec
    labels: dict[str, str]
    role: str = "weights"
    """Value of the `hfkit-role` label (`weights`, `terraform-state`): what the bucket holds."""


#: `hfkit stage` uploads large files as XML multipart uploads; a stager killed mid-file cannot abort its upload, whose
#: parts are invisible but billed as storage until aborted. GCS's lifecycle action AbortIncompleteMultipartUpload
#: (condition `age`, days since the upload began: cloud.google.com/storage/docs/lifecycle and
#: .../multipart-uploads, read 2026-12-02; "Supported values include: Delete, SetStorageClass and
#: AbortIncompleteMultipartUpload", hashicorp/terraform-provider-google v6.50.0
#: google/services/storage/resource_storage_bucket.go:203) aborts them after a day: one file's upload takes minutes.
INCOMPLETE_MULTIPART_UPLOAD_DAYS = 1

#: Only Terraform's lock objects (`<prefix>/<env>/<stack>.tflock`): a plan may lock state, never rewrite it.
LOCK_OBJECTS_CONDITION = {
    "title": "terraform-lock-objects-only",
    "description": "Create and delete Terraform state lock files, nothing else",
    "expression": 'resource.name.endsWith(".tflock")',
}


def hardened_bucket_settings(labels: dict[str, str], soft_delete_days: int) -> dict[str, Any]:
    """What every bucket of the kit gets: uniform access, public access prevention, versioning, soft delete."""
    return {
        "uniform_bucket_level_access": True,
        "public_access_prevention": "enforced",
        "versioning": {"enabled": True},
        "soft_delete_policy": {"retention_duration_seconds": soft_delete_days * 86400},
        "labels": labels,
    }


class WeightsBucket(Construct):
    """Weights live under immutable commit prefixes, so versioning only guards against mistakes: old versions are
    deleted after `noncurrent_version_days`. Access logs go to a sibling bucket kept for a year."""

    def __init__(self, scope: Construct, id_: str, props: WeightsBucketProps) -> None:
        super().__init__(scope, id_)
        spec = props.spec
        self.spec = spec
        self.location = props.location
        self.access_logs = StorageBucket(
            self,
            "access-logs",
            project=props.project,
            name=spec.access_log_bucket_name,
            location=props.location,
            force_destroy=spec.force_destroy,
            lifecycle_rule=[
                StorageBucketLifecycleRule(action={"type": "Delete"}, condition={"age": ACCESS_LOG_RETENTION_DAYS})
            ],
            **hardened_bucket_settings({**props.labels, ROLE_LABEL: "access-logs"}, spec.soft_delete_days),
        )
        encryption = None
        kms_grant = None
        if spec.kms_key:
            # The GCS service agent must be able to use the key before the bucket can be created with it.
            agent = DataGoogleStorageProjectServiceAccount(self, "gcs-agent", project=props.project)
            kms_grant = KmsCryptoKeyIamMember(
                self,
                "gcs-agent-key-user",
                crypto_key_id=spec.kms_key,
                role="roles/cloudkms.cryptoKeyEncrypterDecrypter",
                member=agent.member,
            )
            encryption = {"default_kms_key_name": spec.kms_key}
        self.resource = StorageBucket(
            self,
            "bucket",
            project=props.project,
            name=spec.name,
            location=props.location,
            force_destroy=spec.force_destroy,
            lifecycle_rule=[
                StorageBucketLifecycleRule(
                    action={"type": "Delete"},
                    condition={"days_since_noncurrent_time": spec.noncurrent_version_days, "with_state": "ARCHIVED"},
                ),
                StorageBucketLifecycleRule(
                    action={"type": "AbortIncompleteMultipartUpload"},
                    condition={"age": INCOMPLETE_MULTIPART_UPLOAD_DAYS},
                ),
            ],
            logging={"log_bucket": self.access_logs.name, "log_object_prefix": spec.name},
            encryption=encryption,
            depends_on=[kms_grant] if kms_grant else None,
            **hardened_bucket_settings({**props.labels, ROLE_LABEL: props.role}, spec.soft_delete_days),
        )

    @property
    def name(self) -> str:
        return self.resource.name

    def grant_read(self, identity: ServiceAccount) -> None:
        """Read-only on this bucket's objects (serving)."""
        self._grant(identity, READ_ROLES)

    def grant_write(self, identity: ServiceAccount) -> None:
        """Write objects in this bucket, never its IAM or settings (staging)."""
        self._grant(identity, WRITE_ROLES)

    def grant_lock_write(self, identity: ServiceAccount) -> None:
        """Create and delete Terraform lock objects only (a plan locks state while it reads it)."""
        self._grant(identity, ("roles/storage.objectUser",), condition=LOCK_OBJECTS_CONDITION, suffix="-lock")

    def _grant(
        self,
        identity: ServiceAccount,
        roles: tuple[str, ...],
        condition: dict[str, str] | None = None,
        suffix: str = "",
    ) -> None:
        # The binding lives with the grantee (as in aws-cdk): granting never makes the data stack depend on the
        # stack that holds the identity.
        for role in roles:
            StorageBucketIamMember(
                identity,
                f"{self.node.id}-{role.split('/')[-1].lower()}{suffix}",
                bucket=self.resource.name,
                role=role,
                member=identity.member,
                condition=condition,
            )
