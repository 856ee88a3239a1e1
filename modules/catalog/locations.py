"""Every Google Cloud region, and the Cloud Storage locations that are not regions.

The zone catalog (zones.py) holds only the regions the kit has accelerator availability for; a region outside it is
taken with `allow_unlisted_region`, and the weights bucket may live in any region. Both still need a region that
exists: a misspelled one (`us-centrl1`) would otherwise reach `apply`. Sources (modules/catalog/sources.py):
CYC_REGIONS for the regions, GCS_LOCATIONS and GCS_DUAL_REGIONS for the multi-regions and predefined dual-regions.
"""

from __future__ import annotations

import difflib

from modules.catalog.sources import CYC_REGIONS, GCS_DUAL_REGIONS, GCS_LOCATIONS, Source

#: `gcloud compute regions list` (CYC_REGIONS, exported 2026-01-09). Cloud Storage offers a bucket location in each.
ALL_REGIONS: tuple[str, ...] = (
    "africa-south1",
    "asia-east1",
    "asia-east2",
    "asia-northeast1",
    "asia-northeast2",
    "asia-northeast3",
    "asia-south1",
    "asia-south2",
    "asia-southeast1",
    "asia-southeast2",
    "asia-southeast3",
    "australia-southeast1",
    "australia-southeast2",
    "europe-central2",
    "europe-north1",
    "europe-north2",
    "europe-southwest1",
    "europe-west1",
    "europe-west10",
    "europe-west12",
    "europe-west2",
    "europe-west3",
    "europe-west4",
    "europe-west6",
    "europe-west8",
    "europe-west9",
    "me-central1",
    "me-central2",
    "me-west1",
    "northamerica-northeast1",
    "northamerica-northeast2",
    "northamerica-south1",
    "southamerica-east1",
    "southamerica-west1",
    "us-central1",
    "us-east1",
    "us-east4",
    "us-east5",
    "us-south1",
    "us-west1",
    "us-west2",
    "us-west3",
    "us-west4",
)

#: Cloud Storage multi-regions and predefined dual-regions (GCS_LOCATIONS, GCS_DUAL_REGIONS), upper-case as the API
#: returns them. Configurable dual-regions (a region pair as custom placement) and Rapid buckets' zones are not
#: offered by the kit.
MULTI_REGIONS: tuple[str, ...] = ("US", "EU", "ASIA")
DUAL_REGIONS: tuple[str, ...] = ("ASIA1", "EUR4", "EUR5", "EUR7", "EUR8", "NAM4")

SOURCES: tuple[Source, ...] = (CYC_REGIONS, GCS_LOCATIONS, GCS_DUAL_REGIONS)


def did_you_mean(value: str, choices: tuple[str, ...] | list[str]) -> str:
    """'; did you mean X?' for the closest choice (difflib ratio >= 0.75: a letter or two off), else ''."""
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.75)
    return f"; did you mean {close[0]}?" if close else ""


def is_region(name: str) -> bool:
    return name in ALL_REGIONS


def is_bucket_location(value: str) -> bool:
    """A Cloud Storage location the kit can create a bucket in (case does not matter to GCS)."""
    return value.upper() in MULTI_REGIONS + DUAL_REGIONS or value.lower() in ALL_REGIONS
