"""TPU v5e facts (GKE docs "TPUs in GKE", "Plan TPUs in GKE"; xpk's system catalog)."""

from __future__ import annotations

from dataclasses import dataclass

HBM_GIB_PER_CHIP = 16
BF16_TFLOPS_PER_CHIP = 197

PODSLICE_ACCELERATOR = "tpu-v5-lite-podslice"
DEVICE_ACCELERATOR = "tpu-v5-lite-device"

#: Multi-host slices are built only from 4-chip VMs.
MULTI_HOST_MACHINE_TYPE = "ct5lp-hightpu-4t"
CHIPS_PER_MULTI_HOST_NODE = 4


@dataclass(frozen=True)
class TpuMachineType:
    """One TPU v5e VM shape: how many chips it carries and the topology it forms alone."""

    name: str
    accelerator: str
    chips: int
    single_host_topology: str

    @property
    def multi_host_capable(self) -> bool:
        return self.name == MULTI_HOST_MACHINE_TYPE


TPU_V5E_MACHINE_TYPES: dict[str, TpuMachineType] = {
    m.name: m
    for m in (
        TpuMachineType("ct5lp-hightpu-1t", PODSLICE_ACCELERATOR, 1, "1x1"),
        TpuMachineType("ct5lp-hightpu-4t", PODSLICE_ACCELERATOR, 4, "2x2"),
        TpuMachineType("ct5lp-hightpu-8t", PODSLICE_ACCELERATOR, 8, "2x4"),
        TpuMachineType("ct5l-hightpu-1t", DEVICE_ACCELERATOR, 1, "1x1"),
        TpuMachineType("ct5l-hightpu-4t", DEVICE_ACCELERATOR, 4, "2x2"),
        TpuMachineType("ct5l-hightpu-8t", DEVICE_ACCELERATOR, 8, "2x4"),
    )
}

#: Multi-host v5e slice shapes and their chip counts (nodes = chips / 4, fixed: a slice is atomic).
MULTI_HOST_TOPOLOGIES: dict[str, int] = {"4x4": 16, "4x8": 32, "8x8": 64, "8x16": 128, "16x16": 256}

#: Zones known to offer TPU v5e. Availability changes: a pool may opt out of this check with `allow_unlisted_zone`.
TPU_V5E_ZONES: frozenset[str] = frozenset(
    {
        "us-central1-a",
        "us-south1-a",
        "us-west1-c",
        "us-west4-a",
        "us-east5-a",
        "us-east5-b",
        "us-east5-c",
        "europe-west4-b",
    }
)

#: Boot disk types TPU VMs accept.
TPU_BOOT_DISK_TYPES: tuple[str, ...] = ("pd-balanced", "pd-ssd")


def chips_in(topology: str) -> int:
    """Chips in an `AxB` topology."""
    a, b = topology.split("x")
    return int(a) * int(b)
