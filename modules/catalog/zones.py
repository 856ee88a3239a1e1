"""Regions the kit supports, their zones, and per zone which TPU accelerators and GPU types Google offers there.

A zone that is missing here, or that does not list a pool's accelerator, is refused with the list of known ones
unless the pool sets `allow_unlisted_zone` (availability changes: the list is a reviewed snapshot, not the truth
itself; the escape hatch prints a warning).

How the data is built (every source in `modules/catalog/sources.py`, read 2026-12-02):
- Zone facts come from the newest zone-level source that covers the zone: for GPUs the recorded GPU regions-and-zones
  page (GPU_ZONES_PAGE), else the SkyPilot per-zone catalog (SKYPILOT_GCP_VMS) for the regions that recording lacks
  (us-east5, us-south1, us-west4); for TPUs Google's TPU regions-and-zones page (TPU_REGIONS_ZONES), else SkyPilot's
  Cloud TPU rows where every copy of the page is cut off (Europe v5e).
- The only 2026 availability data read is region-level (CYC_ACCELERATOR_REGIONS, August 2026). It is the cross-check:
  a zone whose region does not list the accelerator in that export is dropped (`ACCELERATOR_REGIONS`, applied when
  the zones are built). It never adds a zone: where no zone-level source names a zone, the zone is left out.
- Left out on purpose, each reachable with `allow_unlisted_zone`: tpu-v5-lite-device (ct5l) everywhere, since no
  zone-level source lists it (the 2026 export has it in us-central1 and europe-west4 only); nvidia-rtx-pro-6000 (G4)
  in us-east5, us-south1 and us-west4, listed by the export but by no zone-level source read; single-tenant TPU zones
  (an older TPU page marks v5e us-east5-a/b/c and v6e us-east4-a/b, us-east5-c, us-west1-c so); AI zones
  (us-central1-ai1a, us-south1-ai1b, europe-west4-ai1a: the config's zone syntax takes `<region>-<letter>` only).
- TPU v6e (`tpu-v6e-slice`, ct6e-standard-*) and TPU7x (`tpu7x`, tpu7x-standard-*) zones are checked for their
  pools like v5e's; the labels are GKE's `cloud.google.com/gke-tpu-accelerator` values (modules/catalog/tpu.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from modules.catalog.sources import (
    CYC_ACCELERATOR_REGIONS,
    CYC_ZONES,
    GPU_ZONES_PAGE,
    SKYPILOT_GCP_VMS,
    TPU_REGIONS_ZONES,
    VLLM_CI_V7X,
    Source,
)
from modules.catalog.tpu import (
    DEVICE_ACCELERATOR,
    PODSLICE_ACCELERATOR,
    TPU7X_ACCELERATOR,
    TPU_ACCELERATOR_GENERATION,
    V6E_ACCELERATOR,
)

TPU_ACCELERATORS: tuple[str, ...] = (PODSLICE_ACCELERATOR, DEVICE_ACCELERATOR, V6E_ACCELERATOR, TPU7X_ACCELERATOR)

_L4, _A100, _A100_80 = "nvidia-l4", "nvidia-tesla-a100", "nvidia-a100-80gb"
_H100, _MEGA, _H200 = "nvidia-h100-80gb", "nvidia-h100-mega-80gb", "nvidia-h200-141gb"
_B200, _RTX = "nvidia-b200", "nvidia-rtx-pro-6000"


@dataclass(frozen=True)
class Zone:
    name: str
    tpus: frozenset[str]
    """GKE TPU accelerator labels offered here (`tpu-v5-lite-podslice` = ct5lp, `tpu-v6e-slice` = ct6e, `tpu7x`)."""
    gpus: frozenset[str]
    """GKE GPU accelerator types offered here."""

    @property
    def tpu_generations(self) -> frozenset[str]:
        """Generations of the TPU catalog offered here (labels of generations the catalog lacks are skipped)."""
        return frozenset(TPU_ACCELERATOR_GENERATION[a] for a in self.tpus if a in TPU_ACCELERATOR_GENERATION)

    def offers(self, accelerator: str) -> bool:
        return accelerator in self.tpus or accelerator in self.gpus


@dataclass(frozen=True)
class Region:
    name: str
    zones: dict[str, Zone]


@dataclass(frozen=True)
class Listing:
    """The zones one zone-level source lists for one accelerator (before the cross-check with the region export)."""

    accelerator: str
    zones: tuple[str, ...]
    source: Source


#: The catalog's regions and their zones: CYC_ZONES (2023), unchanged in SKYPILOT_GCP_VMS' e2-standard-4 rows and in
#: GPU_ZONES_PAGE's rows for the regions it keeps (apart from AI zones: us-south1-ai1b, europe-west4-ai1a).
REGION_ZONES: dict[str, tuple[str, ...]] = {
    "us-central1": ("a", "b", "c", "f"),
    "us-east1": ("b", "c", "d"),
    "us-east4": ("a", "b", "c"),
    "us-east5": ("a", "b", "c"),
    "us-south1": ("a", "b", "c"),
    "us-west1": ("a", "b", "c"),
    "us-west4": ("a", "b", "c"),
    "europe-west4": ("a", "b", "c"),
}

_ALL = frozenset(REGION_ZONES)

#: Accelerator -> the catalog regions that list it in CYC_ACCELERATOR_REGIONS (acceleratortyperegion.csv, 2026-08-10;
#: `ct5lp` = tpu-v5-lite-podslice, `ct5l` = tpu-v5-lite-device, `ct6e` = tpu-v6e-slice, `tpu7x` = tpu7x).
ACCELERATOR_REGIONS: dict[str, frozenset[str]] = {
    PODSLICE_ACCELERATOR: _ALL,
    DEVICE_ACCELERATOR: frozenset({"us-central1", "europe-west4"}),
    V6E_ACCELERATOR: frozenset({"us-central1", "us-east1", "us-east4", "us-east5", "us-west1", "europe-west4"}),
    TPU7X_ACCELERATOR: frozenset({"us-central1", "us-east1"}),
    _L4: frozenset({"us-central1", "us-east1", "us-east4", "us-west1", "us-west4", "europe-west4"}),
    _A100: frozenset({"us-central1", "us-east1", "us-west1", "us-west4", "europe-west4"}),
    _A100_80: frozenset({"us-central1", "us-east4", "us-east5", "europe-west4"}),
    _H100: frozenset({"us-central1", "us-east4", "us-east5", "us-west1", "us-west4", "europe-west4"}),
    _MEGA: frozenset({"us-central1", "us-east4", "us-east5", "us-west1", "us-west4", "europe-west4"}),
    _H200: frozenset({"us-central1", "us-east4", "us-east5", "us-south1", "us-west1", "europe-west4"}),
    _B200: frozenset({"us-central1", "us-east1", "us-east4", "us-south1", "europe-west4"}),
    _RTX: _ALL,
}


def _zones(*spec: str) -> tuple[str, ...]:
    """'us-central1-a,b,c' -> ('us-central1-a', 'us-central1-b', 'us-central1-c')."""
    found: list[str] = []
    for item in spec:
        region, _, suffixes = item.rpartition("-")
        found += [f"{region}-{suffix}" for suffix in suffixes.split(",")]
    return tuple(found)


#: GPU_ZONES_PAGE rows (machine series -> GKE GPU type: A2 Standard = nvidia-tesla-a100, A2 Ultra = a100-80gb,
#: A3 High = h100-80gb, A3 Mega = h100-mega-80gb, A3 Ultra = h200-141gb, A4 = b200, G4 = rtx-pro-6000, G2 = l4).
_GPU_PAGE: tuple[Listing, ...] = tuple(
    Listing(accelerator, zones, GPU_ZONES_PAGE)
    for accelerator, zones in (
        (_A100, _zones("us-central1-a,b,c,f", "us-east1-b", "us-west1-b", "europe-west4-a,b")),
        (_A100_80, _zones("us-central1-a,c", "us-east4-c", "europe-west4-a")),
        (_H100, _zones("us-central1-a,b,c", "us-east4-a,b,c", "us-west1-a,b", "europe-west4-b,c")),
        (_MEGA, _zones("us-central1-a,b,c", "us-east4-a,b", "us-west1-a,b", "europe-west4-b,c")),
        (_H200, _zones("us-central1-b", "us-east4-b", "us-west1-c", "europe-west4-a")),
        (_B200, _zones("us-central1-b", "us-east1-b,d", "us-east4-b", "europe-west4-b")),
        (_RTX, _zones("us-central1-b,c,f", "us-east1-b,d", "us-east4-b,c", "us-west1-a,b,c", "europe-west4-a,b,c")),
        (_L4, _zones("us-central1-a,b,c", "us-east1-b,c", "us-east4-a,c", "us-west1-a,b", "europe-west4-a,b,c")),
    )
)

#: SKYPILOT_GCP_VMS rows for the regions GPU_ZONES_PAGE's recording lacks, by the machine types carrying each GPU
#: (a2-highgpu, a2-ultragpu, a3-highgpu, a3-megagpu, a3-ultragpu, a4-highgpu, g2-standard; it has no g4 rows).
_GPU_SKYPILOT: tuple[Listing, ...] = tuple(
    Listing(accelerator, zones, SKYPILOT_GCP_VMS)
    for accelerator, zones in (
        (_A100, _zones("us-west4-b")),
        (_A100_80, _zones("us-east5-a,b")),
        (_H100, _zones("us-east5-a", "us-west4-a")),
        (_MEGA, _zones("us-east5-a", "us-west4-a")),
        (_H200, _zones("us-east5-a", "us-south1-b")),
        (_B200, _zones("us-south1-b")),
        (_L4, _zones("us-west4-a,c")),
    )
)

#: TPU_REGIONS_ZONES (North America, and Europe v6e), SKYPILOT_GCP_VMS' tpu-v5litepod rows (Europe v5e), and vLLM's
#: TPU7x CI zone as a corroboration.
_TPU: tuple[Listing, ...] = (
    Listing(
        PODSLICE_ACCELERATOR, _zones("us-central1-a", "us-south1-a", "us-west1-c", "us-west4-a"), TPU_REGIONS_ZONES
    ),
    Listing(PODSLICE_ACCELERATOR, _zones("europe-west4-a,b"), SKYPILOT_GCP_VMS),
    Listing(
        V6E_ACCELERATOR, _zones("us-central1-b", "us-east1-d", "us-east5-a,b", "europe-west4-a"), TPU_REGIONS_ZONES
    ),
    Listing(TPU7X_ACCELERATOR, _zones("us-central1-c"), TPU_REGIONS_ZONES),
    Listing(TPU7X_ACCELERATOR, _zones("us-central1-c"), VLLM_CI_V7X),
)

LISTINGS: tuple[Listing, ...] = (*_TPU, *_GPU_PAGE, *_GPU_SKYPILOT)

#: Sources of the tables above: zones per region, zone-level listings, and the region-level cross-check.
SOURCES: tuple[Source, ...] = (CYC_ZONES, CYC_ACCELERATOR_REGIONS, GPU_ZONES_PAGE, SKYPILOT_GCP_VMS, TPU_REGIONS_ZONES)


def region_of(zone: str) -> str:
    return zone.rsplit("-", 1)[0]


def cross_checked(listing: Listing) -> tuple[str, ...]:
    """The listing's zones whose region lists the accelerator in the 2026 region export (the others are dropped)."""
    regions = ACCELERATOR_REGIONS.get(listing.accelerator, frozenset())
    return tuple(zone for zone in listing.zones if region_of(zone) in regions)


def _offered() -> dict[str, set[str]]:
    offered: dict[str, set[str]] = {}
    for listing in LISTINGS:
        for zone in cross_checked(listing):
            offered.setdefault(zone, set()).add(listing.accelerator)
    return offered


def _build() -> dict[str, Region]:
    offered = _offered()
    regions = {}
    for region, suffixes in REGION_ZONES.items():
        zones = {}
        for suffix in suffixes:
            name = f"{region}-{suffix}"
            here = offered.get(name, set())
            zones[name] = Zone(name, frozenset(here & set(TPU_ACCELERATORS)), frozenset(here - set(TPU_ACCELERATORS)))
        regions[region] = Region(region, zones)
    return regions


REGIONS: dict[str, Region] = _build()
ZONES: dict[str, Zone] = {name: zone for region in REGIONS.values() for name, zone in region.zones.items()}


def zones_offering(accelerator: str, region: str) -> list[str]:
    """Known zones of `region` that offer `accelerator` (a GKE TPU accelerator label or GPU type), sorted."""
    known = REGIONS.get(region)
    return sorted(name for name, zone in known.zones.items() if zone.offers(accelerator)) if known else []


def regions_listing(accelerator: str) -> list[str]:
    """Catalog regions whose 2026 region export lists `accelerator`, whether or not a zone-level source names a zone
    there (e.g. tpu-v5-lite-device: us-central1 and europe-west4, no zone), in catalog order."""
    regions = ACCELERATOR_REGIONS.get(accelerator, frozenset())
    return [region for region in REGION_ZONES if region in regions]
