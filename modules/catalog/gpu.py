"""GPU machine types on GKE and the accelerators they carry (Compute Engine "GPU machine types")."""

from __future__ import annotations

from dataclasses import dataclass

#: Memory per GPU, in GB as the vendors state it (used for fit checks and for documentation).
GPU_MEMORY_GB: dict[str, int] = {
    "nvidia-l4": 24,
    "nvidia-tesla-a100": 40,
    "nvidia-a100-80gb": 80,
    "nvidia-h100-80gb": 80,
    "nvidia-h100-mega-80gb": 80,
    "nvidia-h200-141gb": 141,
}


@dataclass(frozen=True)
class GpuMachineType:
    """A machine type with attached GPUs: the accelerator type and count are fixed by the machine type."""

    name: str
    accelerator: str
    count: int


def _family(accelerator: str, shapes: dict[str, int]) -> dict[str, GpuMachineType]:
    return {name: GpuMachineType(name, accelerator, count) for name, count in shapes.items()}


GPU_MACHINE_TYPES: dict[str, GpuMachineType] = {
    **_family(
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
    **_family("nvidia-tesla-a100", {"a2-highgpu-1g": 1, "a2-highgpu-2g": 2, "a2-highgpu-4g": 4, "a2-highgpu-8g": 8}),
    **_family("nvidia-a100-80gb", {"a2-ultragpu-1g": 1, "a2-ultragpu-2g": 2, "a2-ultragpu-4g": 4, "a2-ultragpu-8g": 8}),
    **_family("nvidia-h100-80gb", {"a3-highgpu-8g": 8}),
    **_family("nvidia-h100-mega-80gb", {"a3-megagpu-8g": 8}),
    **_family("nvidia-h200-141gb", {"a3-ultragpu-8g": 8}),
}

#: Values of gpu_driver_installation_config.gpu_driver_version GKE accepts.
GPU_DRIVER_VERSIONS: tuple[str, ...] = ("DEFAULT", "LATEST", "INSTALLATION_DISABLED")
