"""GPU machine types on GKE, the accelerators they carry and the boot disks each machine series accepts.

The accelerator type and count are fixed by the machine type (Compute Engine attaches them), so a pool names only
the machine type. Sources: `modules/catalog/sources.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from modules.catalog.sources import (
    COMPUTE_GPU_MACHINES,
    VERTEX_DISK_SPEC,
    XPK_A4,
    Source,
)

#: Memory per GPU, in GB as the vendors state it (used for fit checks and for documentation).
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


@dataclass(frozen=True)
class GpuSeries:
    """A Compute Engine machine series: the boot disk types its VMs accept (a node pool's `disk_type`)."""

    name: str
    boot_disk_types: tuple[str, ...]
    sources: tuple[Source, ...] = (COMPUTE_GPU_MACHINES,)


GPU_SERIES: dict[str, GpuSeries] = {
    s.name: s
    for s in (
        GpuSeries("G2", PD_BOOT),
        GpuSeries("A2", ("pd-standard", *PD_BOOT)),
        GpuSeries("A3 High", (*PD_BOOT, *HYPERDISK_BOOT)),
        GpuSeries("A3 Mega", (*PD_BOOT, *HYPERDISK_BOOT)),
        GpuSeries("A3 Ultra", HYPERDISK_BOOT, (COMPUTE_GPU_MACHINES, VERTEX_DISK_SPEC)),
        GpuSeries("A4", HYPERDISK_BOOT, (COMPUTE_GPU_MACHINES, XPK_A4)),
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

    @property
    def boot_disk_types(self) -> tuple[str, ...]:
        return GPU_SERIES[self.series].boot_disk_types


def _family(series: str, accelerator: str, shapes: dict[str, int]) -> dict[str, GpuMachineType]:
    return {name: GpuMachineType(name, accelerator, count, series) for name, count in shapes.items()}


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
    **_family("A3 Ultra", "nvidia-h200-141gb", {"a3-ultragpu-8g": 8}),
    # Added for issue 9 (ACCELERATED_PLATFORMS_CLASSES, XPK_A4), after the shapes above so that the fit code, which
    # keeps the first machine of each (accelerator, count), still names the machines it named before.
    **_family("A3 High", "nvidia-h100-80gb", {"a3-highgpu-1g": 1, "a3-highgpu-2g": 2, "a3-highgpu-4g": 4}),
    **_family("A4", "nvidia-b200", {"a4-highgpu-8g": 8}),
    **_family(
        "G4",
        "nvidia-rtx-pro-6000",
        {"g4-standard-48": 1, "g4-standard-96": 2, "g4-standard-192": 4, "g4-standard-384": 8},
    ),
}

#: Values of gpu_driver_installation_config.gpu_driver_version the kit accepts (the provider also takes
#: GPU_DRIVER_VERSION_UNSPECIFIED, which means "let GKE decide" like DEFAULT; node_config.go @v6.50.0).
GPU_DRIVER_VERSIONS: tuple[str, ...] = ("DEFAULT", "LATEST", "INSTALLATION_DISABLED")
