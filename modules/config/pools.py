"""Node pool config: TPU (v5e, v6e, TPU7x) and GPU pools, validated against the catalogs at load time.

Every rule here exists because GKE would otherwise reject the pool at `apply` time (or, worse, accept a pool that
never gets capacity): failing while the config is read turns a 3 a.m. apply failure into a one-line review comment.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from modules.catalog.gpu import FRACTIONAL_G4, GPU_DRIVER_VERSIONS, GPU_MACHINE_TYPES, GPU_SERIES, GpuMachineType
from modules.catalog.tpu import (
    TPU_GENERATION_OF,
    TPU_MACHINE_TYPES,
    TpuGeneration,
    TpuMachineType,
    chips_in,
)
from modules.config.common import (
    KUBERNETES_KEY_RULE,
    KUBERNETES_VALUE_RULE,
    Model,
    NodeLabels,
    ProjectId,
    ResourceName,
    Zone,
    is_kubernetes_key,
    is_kubernetes_value,
)
from modules.config.errors import FieldError

#: Topology syntax by number of sides: `AxB` (v5e, v6e), `AxBxC` (TPU7x).
_TOPOLOGY = {
    2: (re.compile(r"[1-9][0-9]*x[1-9][0-9]*"), "AxB, e.g. 2x4 or 4x8"),
    3: (re.compile(r"[1-9][0-9]*x[1-9][0-9]*x[1-9][0-9]*"), "AxBxC, e.g. 2x2x1 or 4x4x4"),
}


class Autoscaling(Model):
    """Cluster-autoscaler bounds per zone. `min_nodes: 0` lets an idle accelerator pool cost nothing."""

    min_nodes: int = Field(default=0, ge=0)
    max_nodes: int = Field(ge=1)


class Reservation(Model):
    """A specific Compute Engine reservation the pool consumes (in `project`, default: the environment's)."""

    name: str = Field(pattern=r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
    project: ProjectId | None = None


class Taint(Model):
    """A Kubernetes node taint: key and value follow the label syntax (modules/config/common.py)."""

    key: str
    value: str = ""
    effect: Literal["NO_SCHEDULE", "PREFER_NO_SCHEDULE", "NO_EXECUTE"] = "NO_SCHEDULE"

    @model_validator(mode="after")
    def _syntax(self) -> Taint:
        if not is_kubernetes_key(self.key):
            raise FieldError("key", f"{self.key!r} is not a Kubernetes taint key; allowed: {KUBERNETES_KEY_RULE}")
        if not is_kubernetes_value(self.value):
            raise FieldError(
                "value", f"{self.value!r} is not a Kubernetes taint value; allowed: {KUBERNETES_VALUE_RULE}"
            )
        return self


#: Node labels the kit sets on every pool (modules/node_pool.py); a user label with the same key would be overwritten.
KIT_NODE_LABELS: tuple[str, ...] = ("hfkit.dev/pool", "hfkit.dev/accelerator")


class PoolBase(Model):
    """What TPU and GPU pools share: sizing, capacity model (on-demand, spot, reservation, DWS), scheduling."""

    name: ResourceName
    machine_type: str
    zones: list[Zone] | None = Field(
        default=None, description="Node locations; default: the environment's zones. Multi-host TPU needs one."
    )
    node_count: int | None = Field(
        default=None, ge=0, description="Fixed size when autoscaling is off (default 1; multi-host: chips / 4)."
    )
    autoscaling: Autoscaling | None = None
    spot: bool = False
    reservation: Reservation | None = None
    queued_provisioning: bool = Field(
        default=False, description="Dynamic Workload Scheduler queued provisioning (ProvisioningRequest)."
    )
    flex_start: bool = Field(default=False, description="DWS flex-start VMs (auto-repair is turned off for them).")
    placement: Literal["COMPACT"] | None = None
    disk_type: str | None = Field(
        default=None,
        description="Boot disk type; default: pd-balanced, or hyperdisk-balanced on Hyperdisk-only machine series.",
    )
    disk_size_gb: int = Field(default=200, ge=50, le=65536)
    labels: NodeLabels = Field(default_factory=dict, description="Kubernetes node labels (Kubernetes syntax).")
    taints: list[Taint] = Field(default_factory=list)
    allow_unlisted_zone: bool = Field(
        default=False,
        description="Accept a zone the kit's catalog does not list for this pool's accelerator (a warning is printed).",
    )

    @property
    def compact(self) -> bool:
        return self.placement == "COMPACT"

    def zone_accelerator(self) -> str:
        """GKE accelerator label (TPU) or type (GPU): what each of the pool's zones must offer."""
        raise NotImplementedError

    def boot_disk_types(self) -> tuple[str, ...]:
        raise NotImplementedError

    @property
    def boot_disk(self) -> str:
        """The disk type the pool's nodes boot from (`disk_type`, else the first type the machine accepts)."""
        return self.disk_type or self.boot_disk_types()[0]

    @property
    def capacity_model(self) -> str:
        """One of modules.catalog.tpu.CAPACITY_MODELS."""
        if self.queued_provisioning:
            return "queued-provisioning"
        if self.flex_start:
            return "flex-start"
        if self.spot:
            return "spot"
        return "reservation" if self.reservation is not None else "on-demand"

    def _check_labels_and_disk(self, what: str) -> None:
        for key in self.labels:
            if key in KIT_NODE_LABELS:
                raise FieldError(
                    "labels",
                    f"node label key {key!r} is set by hfkit itself; allowed: any key but {', '.join(KIT_NODE_LABELS)}",
                )
        allowed = self.boot_disk_types()
        if self.disk_type is not None and self.disk_type not in allowed:
            raise FieldError(
                "disk_type", f"{self.disk_type!r} is not a boot disk of {what}; allowed: {', '.join(allowed)}"
            )

    def _check_offered(self, capacity_models: tuple[str, ...]) -> None:
        """The machine type must be offered with the pool's capacity model (the catalogs cite who says so)."""
        if self.capacity_model not in capacity_models:
            raise FieldError(
                "machine_type",
                f"{self.machine_type!r} is not offered as {self.capacity_model}; allowed: {', '.join(capacity_models)}",
            )

    def _check_capacity_rules(self) -> None:
        a = self.autoscaling
        if a is not None and a.min_nodes > a.max_nodes:
            raise FieldError(
                "autoscaling.min_nodes",
                f"{a.min_nodes} is greater than autoscaling.max_nodes {a.max_nodes}; allowed: min_nodes <= max_nodes",
            )
        if self.autoscaling is not None and self.node_count is not None and not self._node_count_derived():
            raise FieldError(
                "node_count",
                f"{self.node_count} is set together with autoscaling; allowed: one of node_count or autoscaling",
            )
        if self.spot and self.reservation is not None:
            raise FieldError(
                "spot",
                f"true conflicts with reservation {self.reservation.name!r}; allowed: spot or a reservation, not both",
            )
        # Cluster Toolkit's node pool refuses both (modules/catalog/sources.py: CLUSTER_TOOLKIT_NODE_POOL).
        if self.queued_provisioning and self.spot:
            raise FieldError(
                "queued_provisioning",
                "true conflicts with spot: true; allowed: DWS queued provisioning or spot, not both",
            )
        if self.flex_start and self.spot:
            raise FieldError("flex_start", "true conflicts with spot: true; allowed: flex-start VMs are never spot")
        if self.flex_start and self.reservation is not None:
            raise FieldError(
                "flex_start",
                f"true conflicts with reservation {self.reservation.name!r}; allowed: flex-start needs NO_RESERVATION",
            )
        # Flex-start pools scale from zero: xpk creates them with --enable-autoscaling --num-nodes=0 (XPK_NODEPOOL).
        if self.flex_start and (self.autoscaling is None or self.autoscaling.min_nodes != 0):
            got = "no autoscaling" if self.autoscaling is None else f"min_nodes {self.autoscaling.min_nodes}"
            if self.autoscaling is None and self.node_count is not None:
                got = f"a fixed node_count {self.node_count}"
            raise FieldError(
                "flex_start",
                f"true needs autoscaling from zero, got {got}; allowed: autoscaling: {{min_nodes: 0, max_nodes: N}}",
            )
        if self.queued_provisioning:
            if self.reservation is not None:
                raise FieldError(
                    "queued_provisioning",
                    f"true conflicts with reservation {self.reservation.name!r}; "
                    "allowed: DWS queued provisioning needs NO_RESERVATION",
                )
            if self.autoscaling is None or self.autoscaling.min_nodes != 0:
                got = "no autoscaling" if self.autoscaling is None else f"min_nodes {self.autoscaling.min_nodes}"
                raise FieldError(
                    "queued_provisioning",
                    f"true needs autoscaling with min_nodes 0, got {got}; allowed: autoscaling.min_nodes: 0",
                )
            # A multi-host TPU slice's own COMPACT placement (with its topology) is what DWS provisions atomically:
            # Cluster Toolkit refuses COMPACT with queued provisioning "unless using TPUs" (modules/catalog/sources.py:
            # CLUSTER_TOOLKIT_NODE_POOL, XPK_NODEPOOL); an explicit `placement: COMPACT` is refused on every pool.
            # Queued provisioning together with flex-start is GKE's documented mode (GKE_FLEX_START_QUEUED): accepted.
            if self.compact:
                raise FieldError(
                    "queued_provisioning",
                    "true conflicts with COMPACT placement; allowed: DWS queued provisioning without placement",
                )
        zones = self.zones or []
        if (self.compact or self._implies_compact()) and len(zones) > 1:
            raise FieldError(
                "zones",
                f"{zones} spans {len(zones)} zones but the pool uses COMPACT placement; allowed: exactly one zone",
            )

    def _implies_compact(self) -> bool:
        return False

    def _node_count_derived(self) -> bool:
        return False

    def fixed_node_count(self) -> int:
        """Nodes when the pool does not autoscale."""
        return 1 if self.node_count is None else self.node_count


class TpuPool(PoolBase):
    """A TPU node pool of any catalog generation (v5e, v6e, TPU7x): a single-host VM shape, or a multi-host slice of
    the generation's multi-host VMs. The keys are the same for every generation; the allowed values are the
    generation's (modules/catalog/tpu.py)."""

    topology: str | None = Field(
        default=None,
        description="Chips as AxB (v5e, v6e) or AxBxC (TPU7x). Default: the machine type's own (e.g. 2x2, 2x2x1). "
        "Multi-host: v5e ct5lp-hightpu-4t and v6e ct6e-standard-4t 2x4..16x16; TPU7x tpu7x-standard-4t 2x2x2 and up.",
    )

    @property
    def generation(self) -> TpuGeneration:
        return TPU_GENERATION_OF[self.machine_type]

    @property
    def machine(self) -> TpuMachineType:
        return TPU_MACHINE_TYPES[self.machine_type]

    @property
    def accelerator(self) -> str:
        return self.machine.accelerator

    def zone_accelerator(self) -> str:
        return self.accelerator

    def boot_disk_types(self) -> tuple[str, ...]:
        return self.generation.boot_disk_types

    @property
    def resolved_topology(self) -> str:
        return self.topology or self.machine.single_host_topology

    @property
    def chips_per_node(self) -> int:
        return self.machine.chips

    @property
    def slice_chips(self) -> int:
        return chips_in(self.resolved_topology)

    @property
    def multi_host(self) -> bool:
        """A slice of several VMs: more chips than one VM of this machine type carries."""
        return self.slice_chips > self.chips_per_node

    @property
    def slice_nodes(self) -> int:
        """Nodes in one slice: 1 single-host, chips / chips per VM multi-host."""
        return self.slice_chips // self.chips_per_node

    def fixed_node_count(self) -> int:
        if self.multi_host:
            return self.slice_nodes
        return super().fixed_node_count()

    def _implies_compact(self) -> bool:
        return self.multi_host

    def _node_count_derived(self) -> bool:
        return self.multi_host and self.node_count == self.slice_nodes

    @model_validator(mode="after")
    def _check(self) -> TpuPool:
        if self.machine_type not in TPU_MACHINE_TYPES:
            raise FieldError(
                "machine_type",
                f"{self.machine_type!r} is not a TPU machine type the kit knows; "
                f"allowed: {', '.join(TPU_MACHINE_TYPES)}",
            )
        self._check_topology()
        self._check_labels_and_disk(self.generation.display)
        self._check_offered(self.generation.capacity_models)
        self._check_capacity_rules()
        if self.multi_host:
            self._check_multi_host_size()
        return self

    def _check_topology(self) -> None:
        machine, generation = self.machine, self.generation
        topology = self.resolved_topology
        syntax, example = _TOPOLOGY[generation.topology_dims]
        if not syntax.fullmatch(topology):
            raise FieldError("topology", f"{topology!r} is not a {generation.display} topology; allowed: {example}")
        if topology == machine.single_host_topology:
            return
        hosts = ", ".join(generation.multi_host_machine_types)
        if topology not in generation.multi_host_topologies:
            raise FieldError(
                "topology",
                f"{topology!r} is not a {generation.display} shape for {machine.name}; allowed: "
                f"{machine.single_host_topology} (single-host) or a multi-host slice on {hosts}: "
                f"{generation.allowed_multi_host()}",
            )
        if machine.accelerator in generation.single_host_only_accelerators:
            raise FieldError(
                "machine_type",
                f"{machine.name!r} ({machine.accelerator}) is single-host only, but topology {topology} is multi-host; "
                f"allowed: {hosts} for multi-host slices",
            )
        if machine.name not in generation.multi_host_machine_types:
            raise FieldError(
                "machine_type",
                f"{machine.name!r} cannot form multi-host topology {topology}; allowed: {hosts} "
                f"({generation.machine(generation.multi_host_machine_types[0]).chips} chips per VM)",
            )

    def _check_multi_host_size(self) -> None:
        nodes = self.slice_nodes
        topology = self.resolved_topology
        if self.node_count is not None and self.node_count != nodes:
            raise FieldError(
                "node_count",
                f"{self.node_count} does not match topology {topology} ({self.slice_chips} chips / "
                f"{self.chips_per_node} per node); allowed: {nodes} (or leave it out: it is derived)",
            )
        a = self.autoscaling
        if a is not None and (a.max_nodes != nodes or a.min_nodes not in (0, nodes)):
            raise FieldError(
                "autoscaling",
                f"min_nodes {a.min_nodes} / max_nodes {a.max_nodes} would split a {topology} slice; "
                f"allowed: max_nodes {nodes} with min_nodes 0 or {nodes} (a slice is atomic)",
            )


class GpuAccelerator(Model):
    """The GPUs per node. Optional: the machine type fixes both; when given they must agree with it."""

    type: str
    count: int = Field(ge=1)


class GpuSharing(Model):
    """Several containers on one GPU (GKE GPU sharing)."""

    strategy: Literal["TIME_SHARING", "MPS"] = "TIME_SHARING"
    max_shared_clients_per_gpu: int = Field(default=2, ge=2, le=48)


class GpuPool(PoolBase):
    """A GPU node pool; drivers are installed by GKE."""

    accelerator: GpuAccelerator | None = None
    driver_version: str = "LATEST"
    sharing: GpuSharing | None = None

    @property
    def machine(self) -> GpuMachineType:
        return GPU_MACHINE_TYPES[self.machine_type]

    @property
    def gpu_type(self) -> str:
        return self.machine.accelerator

    def zone_accelerator(self) -> str:
        return self.gpu_type

    def boot_disk_types(self) -> tuple[str, ...]:
        return self.machine.boot_disk_types

    @property
    def gpus_per_node(self) -> int:
        return self.machine.count

    @model_validator(mode="after")
    def _check(self) -> GpuPool:
        if self.machine_type in FRACTIONAL_G4:
            whole = ", ".join(name for name, m in GPU_MACHINE_TYPES.items() if m.series == "G4")
            raise FieldError(
                "machine_type",
                f"{self.machine_type!r} is a fractional G4 shape ({FRACTIONAL_G4[self.machine_type]} of an "
                "nvidia-rtx-pro-6000 vGPU, GKE Preview) the kit does not size or serve; "
                f"allowed: a whole-GPU G4 shape ({whole}) or another GPU machine type the kit knows",
            )
        if self.machine_type not in GPU_MACHINE_TYPES:
            raise FieldError(
                "machine_type",
                f"{self.machine_type!r} is not a GPU machine type the kit knows; "
                f"allowed: {', '.join(GPU_MACHINE_TYPES)}",
            )
        machine = self.machine
        if self.accelerator is not None:
            if self.accelerator.type != machine.accelerator:
                raise FieldError(
                    "accelerator.type",
                    f"{self.accelerator.type!r} does not pair with {machine.name}; "
                    f"allowed: {machine.accelerator} ({machine.name} carries {machine.count} x {machine.accelerator})",
                )
            if self.accelerator.count != machine.count:
                raise FieldError(
                    "accelerator.count",
                    f"{self.accelerator.count} does not pair with {machine.name}; "
                    f"allowed: {machine.count} ({machine.name} carries {machine.count} x {machine.accelerator})",
                )
        self._check_labels_and_disk(f"{machine.series} machines ({machine.name})")
        if self.driver_version not in GPU_DRIVER_VERSIONS:
            raise FieldError(
                "driver_version",
                f"{self.driver_version!r} is not a GKE driver version; allowed: {', '.join(GPU_DRIVER_VERSIONS)}",
            )
        # A4, A3 Ultra: reservation, spot or DWS only; a3-highgpu-1g/2g/4g: spot or DWS only (modules/catalog/gpu.py).
        self._check_offered(machine.capacity_models)
        self._check_capacity_rules()
        if self.flex_start and self.compact and not machine.compact_flex_start:
            allowed = " or ".join(s.name for s in GPU_SERIES.values() if s.compact_flex_start)
            raise FieldError(
                "placement",
                f"COMPACT conflicts with flex_start: true on {machine.series} machines ({machine.name}); "
                f"allowed: no placement, or COMPACT with flex-start on {allowed} machines",
            )
        return self
