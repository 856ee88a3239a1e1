"""Regions the kit supports, their zones, and per zone which TPU generations and GPU types Google offers there.

A zone that is missing here, or that does not list a pool's accelerator, is refused with the list of known ones
unless the pool sets `allow_unlisted_zone` (availability changes: the list is a reviewed snapshot, not the truth
itself; the escape hatch prints a warning). Every entry names its source (`modules/catalog/sources.py`); entries
whose page could not be re-read offline say so, and are the first to re-check.
"""

from __future__ import annotations

from dataclasses import dataclass

from modules.catalog.sources import GKE_TPU_PLAN, GPU_REGIONS_ZONES, REGIONS_ZONES, TPU_REGIONS_ZONES, Source
from modules.catalog.tpu import DEVICE_ACCELERATOR, PODSLICE_ACCELERATOR, TPU_ACCELERATOR_GENERATION


@dataclass(frozen=True)
class Zone:
    name: str
    tpus: frozenset[str]
    """GKE TPU accelerator labels offered here (`tpu-v5-lite-podslice` = ct5lp, `tpu-v5-lite-device` = ct5l)."""
    gpus: frozenset[str]
    """GKE GPU accelerator types offered here."""

    @property
    def tpu_generations(self) -> frozenset[str]:
        return frozenset(TPU_ACCELERATOR_GENERATION[a] for a in self.tpus)

    def offers(self, accelerator: str) -> bool:
        return accelerator in self.tpus or accelerator in self.gpus


@dataclass(frozen=True)
class Region:
    name: str
    zones: dict[str, Zone]


#: Sources of the tables below: zones per region, TPUs per zone, GPUs per zone.
SOURCES: tuple[Source, ...] = (REGIONS_ZONES, TPU_REGIONS_ZONES, GKE_TPU_PLAN, GPU_REGIONS_ZONES)

_POD, _DEV = PODSLICE_ACCELERATOR, DEVICE_ACCELERATOR
_L4, _A100, _A100_80 = "nvidia-l4", "nvidia-tesla-a100", "nvidia-a100-80gb"
_H100, _MEGA, _H200 = "nvidia-h100-80gb", "nvidia-h100-mega-80gb", "nvidia-h200-141gb"
_B200, _RTX = "nvidia-b200", "nvidia-rtx-pro-6000"

#: region -> zone suffix -> (TPU accelerator labels, GPU types). TPU v5e: TPU_REGIONS_ZONES (ct5lp) and
#: GKE_TPU_PLAN (ct5l only in us-central1-a and europe-west4-b). GPUs: GPU_REGIONS_ZONES (not re-read offline).
_TABLE: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "us-central1": {
        "a": ((_POD, _DEV), (_L4, _A100, _A100_80, _H100, _MEGA)),
        "b": ((), (_L4, _A100, _H100, _MEGA, _H200, _B200, _RTX)),
        "c": ((), (_L4, _A100, _A100_80, _H100, _MEGA)),
        "f": ((), (_A100,)),
    },
    "us-east1": {"b": ((), (_L4, _A100)), "c": ((), (_L4,)), "d": ((), (_L4,))},
    "us-east4": {"a": ((), (_L4, _H100, _MEGA)), "b": ((), (_H100, _MEGA)), "c": ((), (_L4, _A100_80, _H100, _MEGA))},
    "us-east5": {"a": ((_POD,), (_H100, _MEGA)), "b": ((_POD,), (_A100_80,)), "c": ((_POD,), ())},
    "us-south1": {"a": ((_POD,), ()), "b": ((), ()), "c": ((), ())},
    "us-west1": {"a": ((), (_L4, _H100)), "b": ((), (_L4, _A100, _H100)), "c": ((_POD,), (_L4,))},
    "us-west4": {"a": ((_POD,), (_L4, _H100)), "b": ((), ()), "c": ((), (_L4,))},
    "europe-west4": {
        "a": ((), (_L4, _A100, _A100_80)),
        "b": ((_POD, _DEV), (_L4, _A100, _H100, _MEGA)),
        "c": ((), (_L4, _H100, _MEGA)),
    },
}

REGIONS: dict[str, Region] = {
    region: Region(
        region,
        {
            f"{region}-{suffix}": Zone(f"{region}-{suffix}", frozenset(tpus), frozenset(gpus))
            for suffix, (tpus, gpus) in zones.items()
        },
    )
    for region, zones in _TABLE.items()
}
ZONES: dict[str, Zone] = {name: zone for region in REGIONS.values() for name, zone in region.zones.items()}


def zones_offering(accelerator: str, region: str) -> list[str]:
    """Known zones of `region` that offer `accelerator` (a GKE TPU accelerator label or GPU type), sorted."""
    known = REGIONS.get(region)
    return sorted(name for name, zone in known.zones.items() if zone.offers(accelerator)) if known else []
