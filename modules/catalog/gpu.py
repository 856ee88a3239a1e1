"""GPU machine types on GKE, the accelerators they carry, the boot disks each machine series accepts and the capacity
models each machine type can be had with.

The accelerator type and count are fixed by the machine type (Compute Engine attaches them), so a pool names only
the machine type. Sources: `modules/catalog/sources.py` (read 2026-12-02).
"""

from __future__ import annotations

from dataclasses import dataclass

from modules.catalog.sources import (
    ACCELERATED_PLATFORMS_CLASSES,
    AI_HYPERCOMPUTER_CONSUMPTION,
    CLUSTER_TOOLKIT_NODE_POOL,
    COMPUTE_ACCELERATOR_MACHINES,
    GKE_AUTOSCALER_MACHINES,
    GKE_GPUS_G4,
    GPUHUNT_GCP,
    VERTEX_DISK_SPEC,
    XPK_A4,
    Source,
)
from modules.catalog.tpu import CAPACITY_MODELS

#: Memory per GPU, in GB as Google states it (COMPUTE_ACCELERATOR_MACHINES: each series' "GPU memory" column divided
#: by its GPU count, e.g. a4-highgpu-8g 1,440 GB / 8 = 180, a3-ultragpu-8g 1,128 GB / 8 = 141, g4-standard-384
#: 768 GB / 8 = 96), used for fit checks and for documentation.
GPU_MEMORY_GB: dict[str, int] = {
    "nvidia-l4": 24,
    "nvidia-tesla-a100": 40,
    "nvidia-a100-80gb": 80,
    "nvidia-h100-80gb": 80,
    "nvidia-h100-mega-80gb": 80,
    "nvidia-h200-141gb": 141,
    "nvidia-b200": 180,
    "nvidia-rtx-pro-6000": 96,
}

PD_BOOT = ("pd-balanced", "pd-ssd")
HYPERDISK_BOOT = ("hyperdisk-balanced",)

#: Capacity models of A4 and A3 Ultra: "you must reserve capacity ..., use Spot VMs, use Flex-start VMs, or create a
#: resize request in a MIG" (COMPUTE_ACCELERATOR_MACHINES; a MIG resize request is how GKE's queued provisioning
#: obtains nodes); no on-demand (GPUHUNT_GCP drops those offers; AI_HYPERCOMPUTER_CONSUMPTION lists no on-demand).
RESERVED_OR_DWS: tuple[str, ...] = ("spot", "reservation", "flex-start", "queued-provisioning")
#: Capacity models of a3-highgpu-1g/2g/4g: "you must create instances by using Spot VMs or Flex-start VMs" (a
#: standalone flex-start VM or a MIG resize request), so neither on-demand nor a reservation.
SPOT_OR_DWS: tuple[str, ...] = ("spot", "flex-start", "queued-provisioning")


@dataclass(frozen=True)
class GpuSeries:
    """A Compute Engine machine series: the boot disk types its VMs accept (a node pool's `disk_type`, the first is
    the default) and whether GKE takes COMPACT placement together with flex-start for it."""

    name: str
    boot_disk_types: tuple[str, ...]
    sources: tuple[Source, ...] = (COMPUTE_ACCELERATOR_MACHINES, GKE_AUTOSCALER_MACHINES)
    compact_flex_start: bool = False
    """CLUSTER_TOOLKIT_NODE_POOL: 'Compact placement with DWS Flex start is only supported for A3 Ultra, A4, and H4D
    machine types'."""


GPU_SERIES: dict[str, GpuSeries] = {
    s.name: s
    for s in (
        GpuSeries("G2", PD_BOOT),
        # pd-balanced first: the pool's documented default boot disk (pd-standard is accepted, not the default).
        GpuSeries("A2", (*PD_BOOT, "pd-standard")),
        GpuSeries("A3 High", (*PD_BOOT, *HYPERDISK_BOOT)),
        GpuSeries("A3 Mega", (*PD_BOOT, *HYPERDISK_BOOT)),
        GpuSeries(
            "A3 Ultra",
            HYPERDISK_BOOT,
            (COMPUTE_ACCELERATOR_MACHINES, GKE_AUTOSCALER_MACHINES, VERTEX_DISK_SPEC, CLUSTER_TOOLKIT_NODE_POOL),
            compact_flex_start=True,
        ),
        GpuSeries(
            "A4",
            HYPERDISK_BOOT,
            (COMPUTE_ACCELERATOR_MACHINES, GKE_AUTOSCALER_MACHINES, XPK_A4, CLUSTER_TOOLKIT_NODE_POOL),
            compact_flex_start=True,
        ),
        GpuSeries("G4", HYPERDISK_BOOT),
    )
}


@dataclass(frozen=True)
class GpuMachineType:
    """A machine type with attached GPUs: the accelerator type and count are fixed by the machine type."""

    name: str
    accelerator: str
    count: int
    series: str = ""
    capacity_models: tuple[str, ...] = CAPACITY_MODELS
    """The capacity models (modules/catalog/tpu.py CAPACITY_MODELS) Google offers this machine type with."""

    @property
    def boot_disk_types(self) -> tuple[str, ...]:
        return GPU_SERIES[self.series].boot_disk_types

    @property
    def compact_flex_start(self) -> bool:
        return GPU_SERIES[self.series].compact_flex_start


def _family(
    series: str, accelerator: str, shapes: dict[str, int], capacity_models: tuple[str, ...] = CAPACITY_MODELS
) -> dict[str, GpuMachineType]:
    return {name: GpuMachineType(name, accelerator, count, series, capacity_models) for name, count in shapes.items()}


#: Machine type -> GPUs: COMPUTE_ACCELERATOR_MACHINES' tables (GPU count column), with ACCELERATED_PLATFORMS_CLASSES
#: (a3-highgpu-*, g4-standard-*) and XPK_A4 (a4-highgpu-8g) as Google repositories that pair them the same way.
GPU_MACHINE_TYPES: dict[str, GpuMachineType] = {
    **_family(
        "G2",
        "nvidia-l4",
        {
            "g2-standard-4": 1,
            "g2-standard-8": 1,
            "g2-standard-12": 1,
            "g2-standard-16": 1,
            "g2-standard-24": 2,
            "g2-standard-32": 1,
            "g2-standard-48": 4,
            "g2-standard-96": 8,
        },
    ),
    **_family(
        "A2",
        "nvidia-tesla-a100",
        {"a2-highgpu-1g": 1, "a2-highgpu-2g": 2, "a2-highgpu-4g": 4, "a2-highgpu-8g": 8},
    ),
    **_family(
        "A2",
        "nvidia-a100-80gb",
        {"a2-ultragpu-1g": 1, "a2-ultragpu-2g": 2, "a2-ultragpu-4g": 4, "a2-ultragpu-8g": 8},
    ),
    **_family("A3 High", "nvidia-h100-80gb", {"a3-highgpu-8g": 8}),
    **_family("A3 Mega", "nvidia-h100-mega-80gb", {"a3-megagpu-8g": 8}),
    **_family("A3 Ultra", "nvidia-h200-141gb", {"a3-ultragpu-8g": 8}, RESERVED_OR_DWS),
    # Added for issue 9, after the shapes above so that the fit code, which keeps the first machine of each
    # (accelerator, count), still names the machines it named before.
    **_family("A3 High", "nvidia-h100-80gb", {"a3-highgpu-1g": 1, "a3-highgpu-2g": 2, "a3-highgpu-4g": 4}, SPOT_OR_DWS),
    **_family("A4", "nvidia-b200", {"a4-highgpu-8g": 8}, RESERVED_OR_DWS),
    **_family(
        "G4",
        "nvidia-rtx-pro-6000",
        {"g4-standard-48": 1, "g4-standard-96": 2, "g4-standard-192": 4, "g4-standard-384": 8},
    ),
}

MACHINE_SOURCES: tuple[Source, ...] = (COMPUTE_ACCELERATOR_MACHINES, ACCELERATED_PLATFORMS_CLASSES, XPK_A4)
CAPACITY_SOURCES: tuple[Source, ...] = (COMPUTE_ACCELERATOR_MACHINES, GPUHUNT_GCP, AI_HYPERCOMPUTER_CONSUMPTION)

#: G4 shapes with a fraction of a GPU, left out of GPU_MACHINE_TYPES. GKE runs them as node pools (GKE_GPUS_G4:
#: Preview, GKE 1.34.5-gke.1153000 / 1.35.2-gke.1485000 or later), but a node reports one whole nvidia-rtx-pro-6000
#: (GKE_AUTOSCALER_MACHINES: 'the same accelerator name & count as the non-frac ones'), so the per-type GPU memory the
#: fit and serving code size with (96 GB) would overstate a 1/8 vGPU's 12 GB eightfold, and their workloads need the
#: extra preparation GKE documents for less than one GPU, which the kit's serving does not do.
FRACTIONAL_G4: dict[str, str] = {"g4-standard-6": "1/8", "g4-standard-12": "1/4", "g4-standard-24": "1/2"}
FRACTIONAL_G4_SOURCES: tuple[Source, ...] = (COMPUTE_ACCELERATOR_MACHINES, GKE_GPUS_G4, GKE_AUTOSCALER_MACHINES)

#: Values of gpu_driver_installation_config.gpu_driver_version the kit accepts (the provider also takes
#: GPU_DRIVER_VERSION_UNSPECIFIED, which means "let GKE decide" like DEFAULT; node_config.go @v6.50.0).
GPU_DRIVER_VERSIONS: tuple[str, ...] = ("DEFAULT", "LATEST", "INSTALLATION_DISABLED")
