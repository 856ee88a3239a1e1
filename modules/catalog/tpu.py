"""TPU facts, one generation as data: machine types, chips per VM, HBM, topologies, accelerator labels, boot disks and
capacity models. A new generation (Trillium v6e, Ironwood TPU7x) is a new `TpuGeneration` entry plus its zones in
`modules/catalog/zones.py`, not new validation code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from modules.catalog.sources import TPU_V5E_DOC, XPK_V5E, Source

#: The capacity models a pool can ask for (modules/config/pools.py names the one a pool uses).
CAPACITY_MODELS: tuple[str, ...] = ("on-demand", "spot", "reservation", "flex-start", "queued-provisioning")


@dataclass(frozen=True)
class TpuMachineType:
    """One TPU VM shape: how many chips it carries and the topology it forms alone."""

    name: str
    accelerator: str
    """GKE's `cloud.google.com/gke-tpu-accelerator` value (node selector, zone availability)."""
    chips: int
    single_host_topology: str


@dataclass(frozen=True)
class TpuGeneration:
    name: str
    machine_types: tuple[TpuMachineType, ...]
    hbm_gib_per_chip: int
    bf16_tflops_per_chip: int
    multi_host_machine_types: tuple[str, ...]
    """Machine types multi-host slices are built from (one VM per node)."""
    multi_host_topologies: dict[str, int]
    """Slice shape -> chips, for slices spanning several VMs of a multi-host machine type."""
    boot_disk_types: tuple[str, ...]
    capacity_models: tuple[str, ...]
    single_host_only_accelerators: tuple[str, ...] = ()
    """Accelerator labels whose machine types never form multi-host slices."""
    sources: tuple[Source, ...] = field(default=())

    def machine(self, name: str) -> TpuMachineType:
        return next(m for m in self.machine_types if m.name == name)


PODSLICE_ACCELERATOR = "tpu-v5-lite-podslice"
DEVICE_ACCELERATOR = "tpu-v5-lite-device"

V5E = TpuGeneration(
    name="v5e",
    machine_types=(
        TpuMachineType("ct5lp-hightpu-1t", PODSLICE_ACCELERATOR, 1, "1x1"),
        TpuMachineType("ct5lp-hightpu-4t", PODSLICE_ACCELERATOR, 4, "2x2"),
        TpuMachineType("ct5lp-hightpu-8t", PODSLICE_ACCELERATOR, 8, "2x4"),
        TpuMachineType("ct5l-hightpu-1t", DEVICE_ACCELERATOR, 1, "1x1"),
        TpuMachineType("ct5l-hightpu-4t", DEVICE_ACCELERATOR, 4, "2x2"),
        TpuMachineType("ct5l-hightpu-8t", DEVICE_ACCELERATOR, 8, "2x4"),
    ),
    hbm_gib_per_chip=16,
    bf16_tflops_per_chip=197,
    multi_host_machine_types=("ct5lp-hightpu-4t",),
    # 2x4 on ct5lp-hightpu-4t is two 4-chip VMs (xpk's v5litepod entry); the same shape on ct5lp-hightpu-8t is one VM.
    multi_host_topologies={"2x4": 8, "4x4": 16, "4x8": 32, "8x8": 64, "8x16": 128, "16x16": 256},
    boot_disk_types=("pd-balanced", "pd-ssd"),
    capacity_models=CAPACITY_MODELS,
    single_host_only_accelerators=(DEVICE_ACCELERATOR,),
    sources=(TPU_V5E_DOC, XPK_V5E),
)

#: Every generation the kit builds pools for (issue 13 adds v6e and TPU7x here).
TPU_GENERATIONS: dict[str, TpuGeneration] = {g.name: g for g in (V5E,)}
#: Machine type -> its generation.
TPU_GENERATION_OF: dict[str, TpuGeneration] = {m.name: g for g in TPU_GENERATIONS.values() for m in g.machine_types}
#: Every TPU machine type the kit knows, by name.
TPU_MACHINE_TYPES: dict[str, TpuMachineType] = {m.name: m for g in TPU_GENERATIONS.values() for m in g.machine_types}
#: GKE accelerator label -> generation (zones list the labels they offer).
TPU_ACCELERATOR_GENERATION: dict[str, str] = {
    m.accelerator: g.name for g in TPU_GENERATIONS.values() for m in g.machine_types
}

# Names the fit, cost and summary code use for v5e (kept so those modules need no change).
HBM_GIB_PER_CHIP = V5E.hbm_gib_per_chip
BF16_TFLOPS_PER_CHIP = V5E.bf16_tflops_per_chip
TPU_V5E_MACHINE_TYPES: dict[str, TpuMachineType] = {m.name: m for m in V5E.machine_types}
MULTI_HOST_TOPOLOGIES: dict[str, int] = V5E.multi_host_topologies


def chips_in(topology: str) -> int:
    """Chips in an `AxB` (or `AxBxC`) topology."""
    chips = 1
    for side in topology.split("x"):
        chips *= int(side)
    return chips
