"""The XLA compile-cache bucket of TPU model servers: the one place the serving identity may write.

vLLM on TPU compiles its graphs on first start (minutes per shape). Kept in a bucket, mounted read-write through
GCS FUSE, the cache survives pod restarts, rescheduling and new replicas, so only the very first pod of a model and
shape pays for compilation. A bucket of its own keeps the weights bucket read-only for serving. It is hardened like
every bucket of the kit (uniform access, no public access, versioning, soft delete, access logs into the weights'
access-log bucket); old cache entries expire, since a cache can always be rebuilt.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_google.storage_bucket import StorageBucket, StorageBucketLifecycleRule
from cdktf_cdktf_provider_google.storage_bucket_iam_member import StorageBucketIamMember
from constructs import Construct

from modules.config.storage import COMPILE_CACHE_SUFFIX
from modules.service_account import ServiceAccount
from modules.weights_bucket import ROLE_LABEL, WeightsBucket, hardened_bucket_settings

#: Entries unused for this long are deleted (a cache can be rebuilt; models and engine versions move on).
EXPIRY_DAYS = 90
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
                StorageBucketLifecycleRule(action={"type": "Delete"}, condition={"age": EXPIRY_DAYS}),
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
