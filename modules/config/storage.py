"""Weights bucket, HF token secret and state backend config."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from modules.catalog.locations import ALL_REGIONS, DUAL_REGIONS, MULTI_REGIONS, did_you_mean, is_bucket_location
from modules.config.common import Model
from modules.config.errors import FieldError

_BUCKET = re.compile(r"[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]")
ACCESS_LOG_SUFFIX = "-access-logs"
#: The TPU compile-cache bucket's name is the weights bucket's plus this (modules/compile_cache_bucket.py).
COMPILE_CACHE_SUFFIX = "-xla-cache"
MAX_BUCKET_NAME = 63
#: A bucket the kit derives others from (weights: `-access-logs`, `-xla-cache`; the bootstrap's state bucket:
#: `-access-logs`) must leave room for the longest suffix within GCS's 63: 51 characters.
MAX_DERIVING_BUCKET_NAME = MAX_BUCKET_NAME - max(len(ACCESS_LOG_SUFFIX), len(COMPILE_CACHE_SUFFIX))


def check_bucket_name(name: str, max_length: int = MAX_BUCKET_NAME) -> str:
    """The subset of GCS bucket naming rules the kit accepts. Dotted (domain-named) buckets need a domain
    verification Terraform cannot do, so they are refused, which also rules out IP-address-like names. `max_length`
    is what the message states: 51 for buckets the kit derives names from (the environment refuses a longer one
    with the derived name), 63 otherwise."""
    chars = f"3-{max_length} lowercase letters, digits, - and _"
    if "." in name:
        raise ValueError(f"{name!r} is not allowed: dotted bucket names need domain verification; allowed: {chars}")
    if not _BUCKET.fullmatch(name):
        raise ValueError(
            f"{name!r} is not a valid bucket name; allowed: {chars}, starting and ending with a letter or digit"
        )
    if name.startswith("goog") or "google" in name or "g00gle" in name:
        raise ValueError(
            f"{name!r} is not allowed: GCS reserves names starting with 'goog' or containing 'google'; "
            "allowed: any other valid name"
        )
    return name


def _bucket_schema(max_length: int) -> Any:
    """The name rules JSON Schema can state, for editors (the 'goog'/'google' reservation stays in the validator)."""
    return Field(json_schema_extra={"pattern": f"^{_BUCKET.pattern}$", "minLength": 3, "maxLength": max_length})


BucketName = Annotated[str, AfterValidator(check_bucket_name), _bucket_schema(MAX_BUCKET_NAME)]
DerivingBucketName = Annotated[
    str,
    AfterValidator(lambda name: check_bucket_name(name, MAX_DERIVING_BUCKET_NAME)),
    _bucket_schema(MAX_DERIVING_BUCKET_NAME),
]
"""A bucket the kit derives other bucket names from (the weights bucket, the bootstrap's state bucket)."""


def check_bucket_location(value: str) -> str:
    """A region that exists (modules/catalog/locations.py), a multi-region or a predefined dual-region; GCS takes
    any case. A misspelled region would only fail at `apply`, so it is refused here, with the closest name."""
    if is_bucket_location(value):
        return value
    hint = did_you_mean(value.lower(), ALL_REGIONS) or did_you_mean(value.upper(), MULTI_REGIONS + DUAL_REGIONS)
    raise ValueError(
        f"{value!r} is not a Cloud Storage location; allowed: a Google Cloud region such as us-central1 "
        f"(`gcloud compute regions list`), a multi-region ({', '.join(MULTI_REGIONS)}) or a predefined dual-region "
        f"({', '.join(DUAL_REGIONS)}){hint}"
    )


_LOCATIONS = [*ALL_REGIONS, *MULTI_REGIONS, *DUAL_REGIONS]
BucketLocation = Annotated[
    str,
    AfterValidator(check_bucket_location),
    # GCS takes any case; the schema lists each name in lower and upper case.
    Field(json_schema_extra={"enum": sorted({*(n.lower() for n in _LOCATIONS), *(n.upper() for n in _LOCATIONS)})}),
]
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

    name: DerivingBucketName
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
