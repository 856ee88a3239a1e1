"""The XLA compile-cache bucket of TPU model servers: the one place the serving identity may write.

vLLM on TPU compiles its graphs on first start (minutes per shape). Kept in a bucket, mounted read-write through
GCS FUSE, the cache survives pod restarts, rescheduling and new replicas, so only the very first pod of a model and
shape pays for compilation. A bucket of its own keeps the weights bucket read-only for serving. It is hardened like
every bucket of the kit (uniform access, no public access, versioning, soft delete, access logs into the weights'
access-log bucket).

Cache entries are never expired by age: an age rule (as before: 90 days after creation) deletes entries a busy model
still uses, and the next pod recompiles for 10-30 minutes. GCS lifecycle rules cannot see reads (their conditions are
age, creation or custom time, storage class, name prefix/suffix and version state: cloud.google.com/storage/docs/
lifecycle, and the `condition` block of google_storage_bucket in hashicorp/terraform-provider-google v6.50.0), so
"delete what is no longer used" cannot be expressed; entries are small next to the weights and stay until a
deployment's folder is removed by hand. Only overwritten (noncurrent) versions are deleted, after a day.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_google.storage_bucket import StorageBucket, StorageBucketLifecycleRule
from cdktf_cdktf_provider_google.storage_bucket_iam_member import StorageBucketIamMember
from constructs import Construct

from modules.config.storage import COMPILE_CACHE_SUFFIX
from modules.service_account import ServiceAccount
from modules.weights_bucket import ROLE_LABEL, WeightsBucket, hardened_bucket_settings

SOFT_DELETE_DAYS = 7


@dataclass(frozen=True)
class CompileCacheBucketProps:
    project: str
    weights: WeightsBucket
    """Gives the cache bucket its name, location and force_destroy, and receives its access logs."""
    labels: dict[str, str]


class CompileCacheBucket(Construct):
    def __init__(self, scope: Construct, id_: str, props: CompileCacheBucketProps) -> None:
        super().__init__(scope, id_)
        weights = props.weights
        # The environment refuses weights bucket names too long for this suffix (modules/config/environment.py).
        name = f"{weights.spec.name}{COMPILE_CACHE_SUFFIX}"
        self.resource = StorageBucket(
            self,
            "bucket",
            project=props.project,
            name=name,
            location=weights.location,
            force_destroy=weights.spec.force_destroy,
            lifecycle_rule=[
                StorageBucketLifecycleRule(
                    action={"type": "Delete"}, condition={"days_since_noncurrent_time": 1, "with_state": "ARCHIVED"}
                ),
            ],
            logging={"log_bucket": weights.access_logs.name, "log_object_prefix": name},
            **hardened_bucket_settings({**props.labels, ROLE_LABEL: "compile-cache"}, SOFT_DELETE_DAYS),
        )

    @property
    def name(self) -> str:
        return self.resource.name

    def grant_write(self, identity: ServiceAccount) -> None:
        """Read and write cache objects (model servers); the binding lives with the grantee."""
        StorageBucketIamMember(
            identity,
            f"{self.node.id}-objectuser",
            bucket=self.resource.name,
            role="roles/storage.objectUser",
            member=identity.member,
        )
