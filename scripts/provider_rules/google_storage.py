"""google_storage_bucket and google_secret_manager_secret in hashicorp/google 6.50.0 (read 2026-12-02).

Neither resource validates its name: `name` (resource_storage_bucket.go:85-90) and `secret_id`
(resource_secret_manager_secret.go:174-178) have no ValidateFunc at v6.50.0, so a bad name passes `terraform plan`
and fails at apply. The rules for them come from the APIs' documentation and are marked origin "api".
"""

from __future__ import annotations

from scripts.provider_rules import validators as v
from scripts.provider_rules.model import (
    BLOCK,
    GOOGLE,
    GOOGLEAPIS,
    MAP,
    Attr,
    ExactlyOneOf,
    ResourceRules,
    Source,
    Valid,
    source_in,
)

gcs = source_in(GOOGLE, "google/services/storage/resource_storage_bucket.go")
sm = source_in(GOOGLE, "google/services/secretmanager/resource_secret_manager_secret.go")

BUCKET = ResourceRules(
    "google_storage_bucket",
    attributes=(
        Attr("name", gcs(85), required=True, force_new=True),
        Attr("encryption", gcs(92), BLOCK, max_items=1),
        Attr("encryption.default_kms_key_name", gcs(98), required=True),
        Attr("force_destroy", gcs(114)),
        Attr("labels", gcs(121), MAP),
        Attr("location", gcs(143), required=True, force_new=True),
        Attr("project", gcs(153), force_new=True),
        Attr("lifecycle_rule", gcs(186), BLOCK, max_items=100),
        Attr("lifecycle_rule.action", gcs(192), BLOCK, required=True, min_items=1, max_items=1),
        Attr("lifecycle_rule.action.type", gcs(200), required=True),
        Attr("lifecycle_rule.condition", gcs(214), BLOCK, required=True, min_items=1, max_items=1),
        Attr("lifecycle_rule.condition.age", gcs(222)),
        Attr("lifecycle_rule.condition.days_since_noncurrent_time", gcs(242)),
        Attr("lifecycle_rule.condition.with_state", gcs(253)),
        Attr("versioning", gcs(319), BLOCK, max_items=1),
        Attr("versioning.enabled", gcs(326), required=True),
        Attr("logging", gcs(481), BLOCK, max_items=1),
        Attr("logging.log_bucket", gcs(487), required=True),
        Attr("logging.log_object_prefix", gcs(492)),
        Attr("uniform_bucket_level_access", gcs(502)),
        Attr("public_access_prevention", gcs(537)),
        Attr("soft_delete_policy", gcs(543), BLOCK, max_items=1),
        Attr("soft_delete_policy.retention_duration_seconds", gcs(551)),
    ),
    rules=(
        Valid("labels", v.gcs_label_keys, gcs(123)),
        Valid("lifecycle_rule.condition.with_state", v.one_of("LIVE", "ARCHIVED", "ANY", ""), gcs(257)),
        Valid(
            "name", v.gcs_bucket_name, Source("https://cloud.google.com", "storage/docs/naming-buckets"), origin="api"
        ),
    ),
)

SECRET = ResourceRules(
    "google_secret_manager_secret",
    attributes=(
        Attr("replication", sm(89), BLOCK, required=True, force_new=True, max_items=1),
        Attr("replication.auto", sm(98), BLOCK, force_new=True, max_items=1),
        Attr("secret_id", sm(174), required=True, force_new=True),
        Attr("labels", sm(211), MAP),
        Attr("project", sm(348), force_new=True),
    ),
    rules=(
        ExactlyOneOf(("replication.user_managed", "replication.auto"), sm(125)),
        Valid(
            "secret_id",
            v.secret_id,
            Source(GOOGLEAPIS, "google/cloud/secretmanager/v1/service.proto", 369),
            origin="api",
        ),
    ),
)
