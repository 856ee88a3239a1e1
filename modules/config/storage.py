"""Weights bucket, HF token secret and state backend config."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from modules.config.common import Model

_BUCKET = re.compile(r"[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]")
ACCESS_LOG_SUFFIX = "-access-logs"


def check_bucket_name(name: str) -> str:
    """The subset of GCS bucket naming rules the kit accepts. Dotted (domain-named) buckets need a domain
    verification Terraform cannot do, so they are refused, which also rules out IP-address-like names."""
    if "." in name:
        raise ValueError(
            f"{name!r} is not allowed: dotted bucket names need domain verification; "
            "allowed: 3-63 lowercase letters, digits, - and _"
        )
    if not _BUCKET.fullmatch(name):
        raise ValueError(
            f"{name!r} is not a valid bucket name; allowed: 3-63 lowercase letters, digits, - and _, "
            "starting and ending with a letter or digit"
        )
    if name.startswith("goog") or "google" in name or "g00gle" in name:
        raise ValueError(
            f"{name!r} is not allowed: GCS reserves names starting with 'goog' or containing 'google'; "
            "allowed: any other valid name"
        )
    return name


BucketName = Annotated[str, AfterValidator(check_bucket_name)]

KmsKey = Annotated[
    str,
    Field(
        pattern=r"^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$",
        description="projects/P/locations/L/keyRings/R/cryptoKeys/K",
    ),
]


class WeightsBucket(Model):
    """Where `hfkit stage` puts weights and serving reads them (immutable commit prefixes)."""

    name: BucketName
    location: str | None = Field(default=None, description="Default: the environment's region.")
    noncurrent_version_days: int = Field(default=30, ge=1, description="Days an overwritten object version is kept.")
    soft_delete_days: int = Field(default=7, ge=7, le=90, description="Soft-delete retention (GCS allows 7-90).")
    kms_key: KmsKey | None = Field(default=None, description="CMEK for the bucket; default Google-managed keys.")
    force_destroy: bool = False

    @property
    def access_log_bucket_name(self) -> str:
        return f"{self.name}{ACCESS_LOG_SUFFIX}"


class HfTokenSecret(Model):
    """The Secret Manager secret that holds the Hugging Face token. Terraform creates the secret, never a version:
    the token is added out of band (`gcloud secrets versions add`), so it never enters state or cdk.tf.json."""

    secret_id: str = Field(default="hf-token", pattern=r"^[a-zA-Z0-9_-]{1,255}$")


class LocalBackend(Model):
    type: Literal["local"] = "local"


class GcsBackend(Model):
    """Remote state in a GCS bucket (the bootstrap stack's state bucket)."""

    type: Literal["gcs"]
    bucket: BucketName
    prefix: str = Field(default="hfkit", pattern=r"^[A-Za-z0-9_./-]+$")


Backend = Annotated[LocalBackend | GcsBackend, Field(discriminator="type")]
