"""The catalogs against the text of the sources they cite (modules/catalog/sources.py, read 2026-12-02).

Each expectation below is the source's own text, copied here in its own form (CSV lines of a gcloud export, the
machine series a recorded docs page lists per zone, the zones a docs table lists per TPU type), and parsed here; the
catalog holds the same facts transcribed into its own shape, so a typo on either side fails a test.
"""

from __future__ import annotations

import pytest

from modules.catalog import sources
from modules.catalog.gpu import GPU_MACHINE_TYPES, GPU_SERIES
from modules.catalog.machines import MACHINE_VCPUS_MEMORY_GB
from modules.catalog.zones import (
    ACCELERATOR_REGIONS,
    REGIONS,
    ZONES,
    Listing,
    cross_checked,
    regions_listing,
    zones_offering,
)

#: Cyclenerd/google-cloud-pricing-cost-calculator tools/acceleratortyperegion.csv @dac31281 (2026-08-10), the lines
#: of the catalog's regions for the accelerators the kit knows (NAME;REGION).
ACCELERATOR_REGION_CSV = """
ct5l;europe-west4 ct5l;us-central1 ct5lp;europe-west4 ct5lp;us-central1 ct5lp;us-east1 ct5lp;us-east4
ct5lp;us-east5 ct5lp;us-south1 ct5lp;us-west1 ct5lp;us-west4 ct6e;europe-west4 ct6e;us-central1 ct6e;us-east1
ct6e;us-east4 ct6e;us-east5 ct6e;us-west1 nvidia-a100-80gb;europe-west4 nvidia-a100-80gb;us-central1
nvidia-a100-80gb;us-east4 nvidia-a100-80gb;us-east5 nvidia-b200;europe-west4 nvidia-b200;us-central1
nvidia-b200;us-east1 nvidia-b200;us-east4 nvidia-b200;us-south1 nvidia-h100-80gb;europe-west4
nvidia-h100-80gb;us-central1 nvidia-h100-80gb;us-east4 nvidia-h100-80gb;us-east5 nvidia-h100-80gb;us-west1
nvidia-h100-80gb;us-west4 nvidia-h100-mega-80gb;europe-west4 nvidia-h100-mega-80gb;us-central1
nvidia-h100-mega-80gb;us-east4 nvidia-h100-mega-80gb;us-east5 nvidia-h100-mega-80gb;us-west1
nvidia-h100-mega-80gb;us-west4 nvidia-h200-141gb;europe-west4 nvidia-h200-141gb;us-central1
nvidia-h200-141gb;us-east4 nvidia-h200-141gb;us-east5 nvidia-h200-141gb;us-south1 nvidia-h200-141gb;us-west1
nvidia-l4;europe-west4 nvidia-l4;us-central1 nvidia-l4;us-east1 nvidia-l4;us-east4 nvidia-l4;us-west1
nvidia-l4;us-west4 nvidia-rtx-pro-6000;europe-west4 nvidia-rtx-pro-6000;us-central1
nvidia-rtx-pro-6000;us-east1 nvidia-rtx-pro-6000;us-east4 nvidia-rtx-pro-6000;us-east5
nvidia-rtx-pro-6000;us-south1 nvidia-rtx-pro-6000;us-west1 nvidia-rtx-pro-6000;us-west4
nvidia-tesla-a100;europe-west4 nvidia-tesla-a100;us-central1 nvidia-tesla-a100;us-east1
nvidia-tesla-a100;us-west1 nvidia-tesla-a100;us-west4 tpu7x;us-central1 tpu7x;us-east1
"""
#: Compute Engine accelerator-type names of the TPUs -> GKE's node label values (tpu-v5-lite-podslice = ct5lp, ...).
TPU_TYPE_LABELS = {
    "ct5lp": "tpu-v5-lite-podslice",
    "ct5l": "tpu-v5-lite-device",
    "ct6e": "tpu-v6e-slice",
    "tpu7x": "tpu7x",
}

#: The same repository's tools/machinetypes.csv @dac31281 (2026-07-01): NAME;CPUS;SHARED_CPU;MEMORY_GB;DEPRECATED;ZONE.
MACHINE_TYPES_CSV = """
a2-highgpu-1g;12;False;85.00;; a2-highgpu-2g;24;False;170.00;; a2-highgpu-4g;48;False;340.00;;
a2-highgpu-8g;96;False;680.00;; a2-ultragpu-1g;12;False;170.00;; a2-ultragpu-2g;24;False;340.00;;
a2-ultragpu-4g;48;False;680.00;; a2-ultragpu-8g;96;False;1360.00;; a3-highgpu-1g;26;False;234.00;;
a3-highgpu-2g;52;False;468.00;; a3-highgpu-4g;104;False;936.00;; a3-highgpu-8g;208;False;1872.00;;
a3-megagpu-8g;208;False;1872.00;; a3-ultragpu-8g;224;False;2952.00;; a4-highgpu-8g;224;False;3968.00;;
ct5l-hightpu-1t;24;False;48.00;; ct5l-hightpu-4t;112;False;192.00;; ct5l-hightpu-8t;224;False;384.00;;
ct5lp-hightpu-1t;24;False;48.00;; ct5lp-hightpu-4t;112;False;192.00;; ct5lp-hightpu-8t;224;False;384.00;;
ct6e-standard-1t;44;False;176.00;; ct6e-standard-4t;180;False;720.00;; ct6e-standard-8t;360;False;1440.00;;
g2-standard-12;12;False;48.00;; g2-standard-16;16;False;64.00;; g2-standard-24;24;False;96.00;;
g2-standard-32;32;False;128.00;; g2-standard-48;48;False;192.00;; g2-standard-4;4;False;16.00;;
g2-standard-8;8;False;32.00;; g2-standard-96;96;False;384.00;; g4-standard-192;192;False;720.00;;
g4-standard-384;384;False;1440.00;; g4-standard-48;48;False;180.00;; g4-standard-96;96;False;360.00;;
tpu7x-standard-1t;56;False;240.00;; tpu7x-standard-4t;224;False;960.00;;
"""

#: docs.cloud.google.com/compute/docs/gpus/gpu-regions-zones as recorded in sean-reid/cloud-atlas
#: tests/fixtures/gcp-gpu-zones.html @bec943e8: the "GPU machine type" cell of each row of the catalog's regions.
GPU_PAGE_ROWS = """
us-central1-a: A4X, A3 Mega, A3 High, A2 Ultra, A2 Standard, G2, N1+T4, N1+P4, N1+V100
us-central1-b: A4X Max, A4X, A4, A3 Ultra, A3 Mega, A3 High, A2 Standard, G4, G4 (Fractional GPU), G2, N1+T4, N1+V100
us-central1-c: A3 Mega, A3 High, A2 Ultra, A2 Standard, G4, G2, N1+T4, N1+P4, N1+V100
us-central1-f: A2 Standard, G4, N1+T4, N1+V100
us-east1-b: A4, A2 Standard, G4, G2, N1+T4, N1+V100
us-east1-c: G2, N1+T4
us-east1-d: A4X, A4, G4
us-east4-a: A4X Max, A3 Mega, A3 High, G2, N1+T4, N1+P4
us-east4-b: A4X Max, A4X, A4, A3 Ultra, A3 Mega, A3 High, G4, N1+T4, N1+P4
us-east4-c: A3 High, A2 Ultra, G4, G2, N1+T4, N1+P4
us-west1-a: A3 Mega, A3 High, G4, G2, N1+T4, N1+V100
us-west1-b: A3 Mega, A3 High, A2 Standard, G4, G2, N1+T4, N1+V100
us-west1-c: A3 Ultra, G4
europe-west4-a: A3 Ultra, A2 Ultra, A2 Standard, G4, G2, N1+T4, N1+V100
europe-west4-b: A4X, A4, A3 Mega, A3 High, A2 Standard, G4, G2, N1+T4, N1+P4, N1+V100
europe-west4-c: A3 Mega, A3 High, G4, G2, N1+T4, N1+P4, N1+V100
"""
#: The page's series -> the GPU type Compute Engine attaches (accelerator-optimized-machines: A2 Standard = A100 40GB
#: nvidia-tesla-a100, A2 Ultra = nvidia-a100-80gb, A3 High = nvidia-h100-80gb, A3 Mega = H100 Mega, A3 Ultra =
#: nvidia-h200-141gb, A4 = nvidia-b200, G4 = nvidia-rtx-pro-6000, G2 = nvidia-l4); A4X, N1 and fractional G4 are
#: series the kit does not build pools of.
SERIES_GPU = {
    "A2 Standard": "nvidia-tesla-a100",
    "A2 Ultra": "nvidia-a100-80gb",
    "A3 High": "nvidia-h100-80gb",
    "A3 Mega": "nvidia-h100-mega-80gb",
    "A3 Ultra": "nvidia-h200-141gb",
    "A4": "nvidia-b200",
    "G4": "nvidia-rtx-pro-6000",
    "G2": "nvidia-l4",
}

#: skypilot-org/skypilot-catalog catalogs/v8/gcp/vms.csv @006059e0: the zones of us-east5, us-south1 and us-west4 in
#: the rows of each machine type (InstanceType,...,AvailabilityZone); no g4-standard rows at all.
SKYPILOT_ROWS = """
a2-highgpu-1g: us-west4-b
a2-ultragpu-1g: us-east5-a, us-east5-b
a3-highgpu-1g: us-east5-a, us-west4-a
a3-megagpu-8g: us-east5-a, us-west4-a
a3-ultragpu-8g: us-east5-a, us-south1-b
a4-highgpu-8g: us-south1-b
g2-standard-4: us-west4-a, us-west4-c
"""

#: docs.cloud.google.com/tpu/docs/types-zones (docs-corpus copy), North America table, AI zones left out; the Europe
#: v6e row of cloud.google.com/tpu/docs/regions; SkyPilot's tpu-v5litepod rows for Europe.
TPU_ROWS = {
    "tpu-v5-lite-podslice": [
        "us-central1-a",
        "us-south1-a",
        "us-west1-c",
        "us-west4-a",
        "europe-west4-a",
        "europe-west4-b",
    ],
    "tpu-v6e-slice": ["us-central1-b", "us-east1-d", "us-east5-a", "us-east5-b", "europe-west4-a"],
    "tpu7x": ["us-central1-c"],
    "tpu-v5-lite-device": [],
}


def parsed_rows(text: str) -> dict[str, list[str]]:
    rows = {}
    for line in text.strip().splitlines():
        key, _, values = line.partition(": ")
        rows[key] = [v.strip() for v in values.split(",")]
    return rows


def export_regions() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for entry in ACCELERATOR_REGION_CSV.split():
        name, region = entry.split(";")
        found.setdefault(TPU_TYPE_LABELS.get(name, name), set()).add(region)
    return found


def test_region_cross_check_table_is_the_2026_export() -> None:
    assert {accelerator: set(regions) for accelerator, regions in ACCELERATOR_REGIONS.items()} == export_regions()


def test_every_catalog_zone_fact_holds_in_the_2026_region_export() -> None:
    exported = export_regions()
    for zone in ZONES.values():
        for accelerator in zone.tpus | zone.gpus:
            assert zone.name.rsplit("-", 1)[0] in exported[accelerator], (zone.name, accelerator)


def test_a_zone_whose_region_the_export_does_not_list_is_dropped() -> None:
    """The rule of modules/catalog/zones.py: the TPU page lists v6e in an AI zone of us-south1 and SkyPilot in
    us-south1-a, but the 2026 export has no ct6e in us-south1, so such a listing keeps only the other zones."""
    listing = Listing("tpu-v6e-slice", ("us-south1-a", "us-east5-a"), sources.SKYPILOT_GCP_VMS)
    assert cross_checked(listing) == ("us-east5-a",)
    assert "tpu-v6e-slice" not in ZONES["us-south1-a"].tpus


def test_gpu_zones_are_the_recorded_page_rows() -> None:
    kit_gpus = {m.accelerator for m in GPU_MACHINE_TYPES.values()}
    exported = export_regions()
    for zone, series in parsed_rows(GPU_PAGE_ROWS).items():
        region = zone.rsplit("-", 1)[0]
        expected = {SERIES_GPU[s] for s in series if s in SERIES_GPU} & kit_gpus
        expected = {gpu for gpu in expected if region in exported[gpu]}
        assert ZONES[zone].gpus == expected, zone


def test_gpu_zones_of_regions_the_page_recording_lacks_are_skypilots() -> None:
    expected: dict[str, set[str]] = {}
    for machine, zones in parsed_rows(SKYPILOT_ROWS).items():
        for zone in zones:
            expected.setdefault(zone, set()).add(GPU_MACHINE_TYPES[machine].accelerator)
    for region in ("us-east5", "us-south1", "us-west4"):
        for name, zone in REGIONS[region].zones.items():
            assert zone.gpus == expected.get(name, set()), name


@pytest.mark.parametrize("accelerator", list(TPU_ROWS))
def test_tpu_zones_are_the_documented_ones(accelerator: str) -> None:
    """Also the zones issue 13's v6e (ct6e-standard-*) and TPU7x (tpu7x-standard-*) pools will be checked against."""
    found = [zone for region in REGIONS for zone in zones_offering(accelerator, region)]
    assert sorted(found) == sorted(TPU_ROWS[accelerator])


def test_ct5l_is_known_by_region_only() -> None:
    """No zone-level source lists ct5l; the 2026 export does, in us-central1 and europe-west4."""
    assert regions_listing("tpu-v5-lite-device") == ["us-central1", "europe-west4"]
    assert not any("tpu-v5-lite-device" in zone.tpus for zone in ZONES.values())


def test_zone_generations_name_the_tpu_catalogs_generations() -> None:
    """tpu-v6e-slice and tpu7x zones map to modules/catalog/tpu.py's v6e and TPU7x entries (issue 13)."""
    assert ZONES["europe-west4-a"].tpus == {"tpu-v5-lite-podslice", "tpu-v6e-slice"}
    assert ZONES["europe-west4-a"].tpu_generations == {"v5e", "v6e"}
    assert ZONES["us-central1-c"].offers("tpu7x")
    assert ZONES["us-central1-c"].tpu_generations == {"tpu7x"}


def test_machine_vcpus_and_memory_are_the_gcloud_export() -> None:
    exported = {}
    for line in MACHINE_TYPES_CSV.split():
        name, cpus, _shared, memory, *_ = line.split(";")
        exported[name] = (int(cpus), int(float(memory)))
    assert exported == MACHINE_VCPUS_MEMORY_GB


def test_boot_disks_agree_with_gkes_autoscaler_machine_families() -> None:
    """GKE cluster-autoscaler machine families (read_file id 56690376758) supportedBootDiskTypes, with the
    a3-ultragpu-8g override to Hyperdisk Balanced; the accelerator-optimized page says the same of A4, A3 Ultra, G4
    ('the only disk type that is supported for the boot disk') and lists pd-balanced, pd-ssd for G2."""
    autoscaler = {
        "G2": {"pd-balanced", "pd-ssd"},
        "A2": {"pd-standard", "pd-balanced", "pd-ssd"},
        "A3 High": {"pd-balanced", "pd-ssd", "hyperdisk-balanced"},
        "A3 Mega": {"pd-balanced", "pd-ssd", "hyperdisk-balanced"},
        "A3 Ultra": {"hyperdisk-balanced"},
        "A4": {"hyperdisk-balanced"},
        "G4": {"hyperdisk-balanced"},
    }
    assert {name: set(series.boot_disk_types) for name, series in GPU_SERIES.items()} == autoscaler
    # The first type is a pool's default: pd-balanced where the series has it (README config reference).
    assert all(s.boot_disk_types[0] in ("pd-balanced", "hyperdisk-balanced") for s in GPU_SERIES.values())


def test_no_catalog_fact_rests_on_a_page_not_read_offline() -> None:
    cited = [value for value in vars(sources).values() if isinstance(value, sources.Source)]
    assert cited and all(source.offline_copy and source.read in sources.READ_DATES for source in cited)
