"""TPU facts, one generation as data: machine types, chips per VM, HBM, topologies, accelerator labels, boot disks,
capacity models, placement and the minimum GKE version. A generation (v5e, Trillium v6e, Ironwood TPU7x) is a
`TpuGeneration` entry plus its zones in `modules/catalog/zones.py`, not new validation code.

HBM is recorded in GiB per chip (`hbm_gib_per_chip`): the TPU7x page's table gives 'HBM capacity per chip (GiB)' as
v6e 32 and TPU7x 192; the v5e and v6e pages write the same 16 and 32 as 'GB'. The kit reads all three as GiB (HBM
stacks are binary-sized) and fit sizes on GiB (modules/catalog/sources.py: TPU7X_DOC).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from modules.catalog.sources import (
    CLUSTER_TOOLKIT_TPU,
    GKE_AUTOSCALER_TPU_FAMILIES,
    GKE_CHANNEL_DEFAULTS,
    GKE_TPU_CAPACITY,
    GKE_TPU_IRONWOOD,
    GKE_V6E_MIN_VERSION,
    TPU7X_DOC,
    TPU_CONSUMPTION_OPTIONS,
    TPU_V5E_DOC,
    TPU_V6E_DOC,
    XPK_TPU_GENERATIONS,
    XPK_V5E,
    Source,
)

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


#: How a generation's multi-host slices are placed (modules/tpu_pool.py emits the matching Terraform).
COMPACT_TOPOLOGY = "compact-topology"
"""placement_policy {type = COMPACT, tpu_topology = AxB} on the node pool (v5e, v6e)."""
WORKLOAD_POLICY = "workload-policy"
"""A google_compute_resource_policy with workload_policy {type = HIGH_THROUGHPUT, accelerator_topology = AxBxC},
named in the node pool's placement_policy.policy_name, no tpu_topology (TPU7x: GKE_TPU_IRONWOOD)."""


@dataclass(frozen=True)
class TpuGeneration:
    """One TPU generation. Fields after `capacity_models` have defaults so older call sites keep working."""

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
    topology_dims: int = 2
    """Sides of a topology: 2 (`AxB`, v5e and v6e) or 3 (`AxBxC`, TPU7x)."""
    multi_host_rule: str = ""
    """The allowed multi-host topologies in words, for error messages where listing them all would be unreadable
    (TPU7x has 431); empty: list `multi_host_topologies` itself."""
    multi_host_placement: str = COMPACT_TOPOLOGY
    """COMPACT_TOPOLOGY or WORKLOAD_POLICY."""
    min_gke_version: str | None = None
    """Oldest GKE Standard version that runs this generation; None: every GKE version the kit can create does. Every
    release channel's default for new clusters has been above v6e's and TPU7x's minimums since 2026-05
    (GKE_CHANNEL_DEFAULTS); the config still asks for a `cluster.min_master_version` pin at or above it."""
    title: str = ""
    """Marketing name (Trillium, Ironwood) for README and messages."""
    devices_per_chip: int = 1
    """JAX devices a chip shows (its HBM split evenly among them): one per chip on v5e and v6e; two on TPU7x, whose
    two TensorCores are separate devices ('access two TPU devices instead of the single logical core': TPU7X_DOC).
    Tensor parallelism counts devices (modules/catalog/engines.py, TPU_DEVICES_PER_CHIP, cites tpu-inference)."""

    def machine(self, name: str) -> TpuMachineType:
        return next(m for m in self.machine_types if m.name == name)

    @property
    def display(self) -> str:
        """How messages name the generation: 'TPU v5e', 'TPU v6e', 'TPU7x' (Google's own spelling of each)."""
        return f"TPU{self.name[3:]}" if self.name.startswith("tpu") else f"TPU {self.name}"

    @property
    def accelerators(self) -> tuple[str, ...]:
        """GKE accelerator labels of this generation's machine types, in catalog order."""
        return tuple(dict.fromkeys(m.accelerator for m in self.machine_types))

    def allowed_multi_host(self) -> str:
        """The allowed multi-host topologies, as an error message names them."""
        return self.multi_host_rule or ", ".join(self.multi_host_topologies)


PODSLICE_ACCELERATOR = "tpu-v5-lite-podslice"
DEVICE_ACCELERATOR = "tpu-v5-lite-device"
#: GKE `cloud.google.com/gke-tpu-accelerator` values of v6e (every ct6e-standard-*) and TPU7x (every tpu7x-standard-*).
V6E_ACCELERATOR = "tpu-v6e-slice"
TPU7X_ACCELERATOR = "tpu7x"

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
    # Spot and reservations: GKE supports both for Cloud TPUs; flex-start: GKE's DWS page names TPUs; queued
    # provisioning on TPU slices: Cluster Toolkit's node pool (GKE_TPU_CAPACITY, CLUSTER_TOOLKIT_NODE_POOL).
    capacity_models=CAPACITY_MODELS,
    single_host_only_accelerators=(DEVICE_ACCELERATOR,),
    sources=(TPU_V5E_DOC, XPK_V5E, GKE_TPU_CAPACITY),
)


def chips_in(topology: str) -> int:
    """Chips in an `AxB` (or `AxBxC`) topology."""
    chips = 1
    for side in topology.split("x"):
        chips *= int(side)
    return chips


#: v6e multi-host slices on ct6e-standard-4t (4 chips per VM): xpk's v6e entry (XPK_TPU_GENERATIONS), the v5e
#: shapes again, inside the 256-chip v6e Pod (TPU_V6E_DOC). 2x4 here is two 4-chip VMs; on ct6e-standard-8t one VM.
_V6E_MULTI_HOST = ("2x4", "4x4", "4x8", "8x8", "8x16", "16x16")

V6E = TpuGeneration(
    name="v6e",
    title="Trillium",
    machine_types=(
        TpuMachineType("ct6e-standard-1t", V6E_ACCELERATOR, 1, "1x1"),
        TpuMachineType("ct6e-standard-4t", V6E_ACCELERATOR, 4, "2x2"),
        # Not in xpk; GKE's autoscaler families and the gcloud machine-type export list it: an 8-chip single host.
        TpuMachineType("ct6e-standard-8t", V6E_ACCELERATOR, 8, "2x4"),
    ),
    hbm_gib_per_chip=32,
    bf16_tflops_per_chip=918,
    multi_host_machine_types=("ct6e-standard-4t",),
    multi_host_topologies={t: chips_in(t) for t in _V6E_MULTI_HOST},
    # GKE's autoscaler: ct6e boots from hyperdisk-balanced only; Cluster Toolkit's v6e pools set it too.
    boot_disk_types=("hyperdisk-balanced",),
    # On-demand and reservations: every TPU version (TPU_CONSUMPTION_OPTIONS); spot, flex-start and flex-start with
    # queued provisioning: Cluster Toolkit's v6e daily test and examples (CLUSTER_TOOLKIT_TPU).
    capacity_models=CAPACITY_MODELS,
    multi_host_placement=COMPACT_TOPOLOGY,
    min_gke_version="1.31.2-gke.1115000",
    sources=(
        TPU_V6E_DOC,
        TPU7X_DOC,
        XPK_TPU_GENERATIONS,
        GKE_AUTOSCALER_TPU_FAMILIES,
        CLUSTER_TOOLKIT_TPU,
        TPU_CONSUMPTION_OPTIONS,
        GKE_V6E_MIN_VERSION,
        GKE_CHANNEL_DEFAULTS,
    ),
)

#: TPU7x's largest slice in 4x4x4 cubes: 144 cubes x 64 chips = 9,216 chips, the TPU7x Pod (TPU7X_DOC, xpk).
TPU7X_MAX_CUBES = 144


def _tpu7x_multi_host() -> tuple[str, ...]:
    """xpk's TPU7x rule (XPK_TPU_GENERATIONS), written out: 2x2x2, 2x2x4, 2x4x4, then every AxBxC with A <= B <= C,
    each a multiple of 4 up to 256, spanning at most TPU7X_MAX_CUBES 4x4x4 cubes. (2x2x1 is one VM: single-host.)"""
    shapes = ["2x2x2", "2x2x4", "2x4x4"]
    sides = range(4, 257, 4)
    for a in sides:
        for b in (s for s in sides if s >= a):
            for c in (s for s in sides if s >= b):
                if (a // 4) * (b // 4) * (c // 4) <= TPU7X_MAX_CUBES:
                    shapes.append(f"{a}x{b}x{c}")
    return tuple(shapes)


TPU7X = TpuGeneration(
    name="tpu7x",
    title="Ironwood",
    machine_types=(
        TpuMachineType("tpu7x-standard-1t", TPU7X_ACCELERATOR, 1, "1x1x1"),
        TpuMachineType("tpu7x-standard-4t", TPU7X_ACCELERATOR, 4, "2x2x1"),
    ),
    hbm_gib_per_chip=192,
    bf16_tflops_per_chip=2307,
    multi_host_machine_types=("tpu7x-standard-4t",),
    multi_host_topologies={t: chips_in(t) for t in _tpu7x_multi_host()},
    multi_host_rule=(
        "2x2x2, 2x2x4, 2x4x4, or AxBxC with A <= B <= C, each a multiple of 4 up to 256, "
        f"and (A/4)*(B/4)*(C/4) <= {TPU7X_MAX_CUBES} (4x4x4 cubes; e.g. 4x4x4, 4x4x8, 8x8x8)"
    ),
    topology_dims=3,
    devices_per_chip=2,
    # GKE's autoscaler: tpu7x boots from hyperdisk-balanced only; Cluster Toolkit's TPU7x pools set it too.
    boot_disk_types=("hyperdisk-balanced",),
    # On-demand and reservations: every TPU version (TPU_CONSUMPTION_OPTIONS); spot (daily test), flex-start and
    # flex-start with queued provisioning: Cluster Toolkit's TPU7x examples (CLUSTER_TOOLKIT_TPU).
    capacity_models=CAPACITY_MODELS,
    multi_host_placement=WORKLOAD_POLICY,
    min_gke_version="1.34.0-gke.2201000",
    sources=(
        TPU7X_DOC,
        GKE_TPU_IRONWOOD,
        XPK_TPU_GENERATIONS,
        GKE_AUTOSCALER_TPU_FAMILIES,
        CLUSTER_TOOLKIT_TPU,
        TPU_CONSUMPTION_OPTIONS,
        GKE_CHANNEL_DEFAULTS,
    ),
)

#: Every generation the kit builds pools for.
TPU_GENERATIONS: dict[str, TpuGeneration] = {g.name: g for g in (V5E, V6E, TPU7X)}
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
