"""The region and bucket-location catalog (modules/catalog/locations.py) against the text of its sources.

REGIONS_CSV is tools/regions.csv of Cyclenerd/google-cloud-pricing-cost-calculator @dac31281 (last changed 4707d14,
2026-01-09: `gcloud compute regions list`), copied line for line; the catalog holds the same names typed out.
"""

from __future__ import annotations

import pytest

from modules.catalog.locations import ALL_REGIONS, DUAL_REGIONS, MULTI_REGIONS, did_you_mean, is_bucket_location
from modules.catalog.zones import REGION_ZONES

REGIONS_CSV = """
NAME;STATUS;TURNDOWN_DATE
africa-south1;UP;
asia-east1;UP;
asia-east2;UP;
asia-northeast1;UP;
asia-northeast2;UP;
asia-northeast3;UP;
asia-south1;UP;
asia-south2;UP;
asia-southeast1;UP;
asia-southeast2;UP;
asia-southeast3;UP;
australia-southeast1;UP;
australia-southeast2;UP;
europe-central2;UP;
europe-north1;UP;
europe-north2;UP;
europe-southwest1;UP;
europe-west1;UP;
europe-west10;UP;
europe-west12;UP;
europe-west2;UP;
europe-west3;UP;
europe-west4;UP;
europe-west6;UP;
europe-west8;UP;
europe-west9;UP;
me-central1;UP;
me-central2;UP;
me-west1;UP;
northamerica-northeast1;UP;
northamerica-northeast2;UP;
northamerica-south1;UP;
southamerica-east1;UP;
southamerica-west1;UP;
us-central1;UP;
us-east1;UP;
us-east4;UP;
us-east5;UP;
us-south1;UP;
us-west1;UP;
us-west2;UP;
us-west3;UP;
us-west4;UP;
"""


def test_every_region_of_the_export_and_nothing_else() -> None:
    header, *rows = REGIONS_CSV.strip().splitlines()
    assert header == "NAME;STATUS;TURNDOWN_DATE"
    exported = {row.split(";")[0] for row in rows if row.split(";")[1:] == ["UP", ""]}
    assert len(rows) == len(exported) == 43
    assert set(ALL_REGIONS) == exported
    assert len(ALL_REGIONS) == len(set(ALL_REGIONS))


def test_the_zone_catalog_uses_real_regions() -> None:
    assert set(REGION_ZONES) <= set(ALL_REGIONS)


def test_predefined_dual_regions_and_multi_regions() -> None:
    """GCS_DUAL_REGIONS (the carbon exporter's table of storage/docs/locations#predefined and #location-mr): asia1,
    eur4, eur5, eur7, eur8, nam4; asia, eu, us."""
    assert (MULTI_REGIONS, DUAL_REGIONS) == (("US", "EU", "ASIA"), ("ASIA1", "EUR4", "EUR5", "EUR7", "EUR8", "NAM4"))
    assert all(is_bucket_location(name.lower()) for name in MULTI_REGIONS + DUAL_REGIONS)
    assert not is_bucket_location("EUR3")
    assert not is_bucket_location("us-central1-a")  # zonal locations are Rapid buckets only


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("us-centrl1", "; did you mean us-central1?"),
        ("me-centrl2", "; did you mean me-central2?"),
        ("africa-south", "; did you mean africa-south1?"),
        ("mars-north1", ""),
    ],
)
def test_did_you_mean_names_the_closest_region_only_when_close(typed: str, hint: str) -> None:
    assert did_you_mean(typed, ALL_REGIONS) == hint
