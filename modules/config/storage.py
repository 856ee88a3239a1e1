"""Weights bucket, HF token secret and state backend config."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from modules.config.common import Model
from modules.config.errors import FieldError

_BUCKET = re.compile(r"[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]")
ACCESS_LOG_SUFFIX = "-access-logs"
#: The TPU compile-cache bucket's name is the weights bucket's plus this (modules/compile_cache_bucket.py).
COMPILE_CACHE_SUFFIX = "-xla-cache"
MAX_BUCKET_NAME = 63


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

#: Cloud Storage locations (https://cloud.google.com/storage/docs/locations): the multi-regions, the predefined
#: dual-regions, or a region. Case does not matter to GCS; the kit writes them upper-case like the API returns them.
MULTI_REGIONS: tuple[str, ...] = ("US", "EU", "ASIA")
DUAL_REGIONS: tuple[str, ...] = ("ASIA1", "EUR4", "EUR5", "EUR7", "EUR8", "NAM4")
_REGION = re.compile(r"[a-z]+-[a-z]+[0-9]+")


def check_bucket_location(value: str) -> str:
    if value.upper() in MULTI_REGIONS + DUAL_REGIONS or _REGION.fullmatch(value.lower()):
        return value
    raise ValueError(
        f"{value!r} is not a Cloud Storage location; allowed: a region such as us-central1, a multi-region "
        f"({', '.join(MULTI_REGIONS)}) or a predefined dual-region ({', '.join(DUAL_REGIONS)})"
    )


BucketLocation = Annotated[str, AfterValidator(check_bucket_location)]
_KMS_KEY = re.compile(r"projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/keyRings/[^/]+/cryptoKeys/[^/]+")

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
    location: BucketLocation | None = Field(
        default=None,
        description="Region, multi-region (US, EU, ASIA) or dual-region; default: the environment's region.",
    )
    noncurrent_version_days: int = Field(default=30, ge=1, description="Days an overwritten object version is kept.")
    soft_delete_days: int = Field(default=7, ge=7, le=90, description="Soft-delete retention (GCS allows 7-90).")
    kms_key: KmsKey | None = Field(default=None, description="CMEK for the bucket; default Google-managed keys.")
    force_destroy: bool = False

    @property
    def access_log_bucket_name(self) -> str:
        return f"{self.name}{ACCESS_LOG_SUFFIX}"

    @model_validator(mode="after")
    def _key_location(self) -> WeightsBucket:
        """A CMEK key must live where the bucket lives (GCS CMEK restrictions; Cloud KMS has a location for every
        GCS region, multi-region and predefined dual-region: us, eu, asia, nam4, ...). Without `location` the
        environment checks the key against its region."""
        if self.kms_key is not None and self.location is not None:
            check_key_location(self.kms_key, self.location, "kms_key")
        return self


def check_key_location(kms_key: str, location: str, field: str) -> None:
    match = _KMS_KEY.fullmatch(kms_key)
    assert match is not None, "KmsKey's pattern already matched"
    if match["location"].lower() != location.lower():
        raise FieldError(
            field,
            f"{kms_key!r} is in location {match['location']!r} but the bucket is in {location.lower()!r}; "
            f"allowed: a key in locations/{location.lower()} (Cloud Storage uses keys in the bucket's own location)",
        )


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
