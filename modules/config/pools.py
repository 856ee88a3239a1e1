"""Node pool config: TPU v5e and GPU pools, validated against the catalogs at load time.

Every rule here exists because GKE would otherwise reject the pool at `apply` time (or, worse, accept a pool that
never gets capacity): failing while the config is read turns a 3 a.m. apply failure into a one-line review comment.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from modules.catalog.gpu import GPU_DRIVER_VERSIONS, GPU_MACHINE_TYPES, GpuMachineType
from modules.catalog.tpu import (
    CHIPS_PER_MULTI_HOST_NODE,
    MULTI_HOST_MACHINE_TYPE,
    MULTI_HOST_TOPOLOGIES,
    TPU_BOOT_DISK_TYPES,
    TPU_V5E_MACHINE_TYPES,
    TPU_V5E_ZONES,
    TpuMachineType,
    chips_in,
)
from modules.config.common import Labels, Model, ResourceName, Zone
from modules.config.errors import FieldError

_TOPOLOGY = re.compile(r"[1-9][0-9]*x[1-9][0-9]*")


class Autoscaling(Model):
    """Cluster-autoscaler bounds per zone. `min_nodes: 0` lets an idle accelerator pool cost nothing."""

    min_nodes: int = Field(default=0, ge=0)
    max_nodes: int = Field(ge=1)


class Reservation(Model):
    """A specific Compute Engine reservation the pool consumes (in `project`, default: the environment's)."""

    name: str = Field(pattern=r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
    project: str | None = None


class Taint(Model):
    key: str
    value: str = ""
    effect: Literal["NO_SCHEDULE", "PREFER_NO_SCHEDULE", "NO_EXECUTE"] = "NO_SCHEDULE"


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
    disk_type: str = "pd-balanced"
    disk_size_gb: int = Field(default=200, ge=50, le=65536)
    labels: Labels = Field(default_factory=dict)
    taints: list[Taint] = Field(default_factory=list)

    @property
    def compact(self) -> bool:
        return self.placement == "COMPACT"

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
        if self.flex_start and self.spot:
            raise FieldError("flex_start", "true conflicts with spot: true; allowed: flex-start VMs are never spot")
        if self.flex_start and self.reservation is not None:
            raise FieldError(
                "flex_start",
                f"true conflicts with reservation {self.reservation.name!r}; allowed: flex-start needs NO_RESERVATION",
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
            if self.compact or self._implies_compact():
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
    """A TPU v5e node pool: a single-host VM shape, or a multi-host slice of ct5lp-hightpu-4t VMs."""

    topology: str | None = Field(
        default=None, description="AxB chips. Default: the machine type's own (1x1, 2x2, 2x4). Multi-host: 4x4..16x16."
    )
    allow_unlisted_zone: bool = Field(
        default=False, description="Accept a zone missing from the kit's v5e zone list (a warning is printed)."
    )

    @property
    def machine(self) -> TpuMachineType:
        return TPU_V5E_MACHINE_TYPES[self.machine_type]

    @property
    def accelerator(self) -> str:
        return self.machine.accelerator

    @property
    def resolved_topology(self) -> str:
        return self.topology or self.machine.single_host_topology

    @property
    def multi_host(self) -> bool:
        return self.resolved_topology in MULTI_HOST_TOPOLOGIES

    @property
    def chips_per_node(self) -> int:
        return self.machine.chips

    @property
    def slice_chips(self) -> int:
        return chips_in(self.resolved_topology)

    @property
    def slice_nodes(self) -> int:
        """Nodes in one slice: 1 single-host, chips / 4 multi-host."""
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
        if self.machine_type not in TPU_V5E_MACHINE_TYPES:
            raise FieldError(
                "machine_type",
                f"{self.machine_type!r} is not a TPU v5e machine type; allowed: {', '.join(TPU_V5E_MACHINE_TYPES)}",
            )
        self._check_topology()
        if self.disk_type not in TPU_BOOT_DISK_TYPES:
            raise FieldError(
                "disk_type", f"{self.disk_type!r} is not a TPU boot disk; allowed: {', '.join(TPU_BOOT_DISK_TYPES)}"
            )
        self._check_capacity_rules()
        if self.multi_host:
            self._check_multi_host_size()
        if not self.allow_unlisted_zone:
            for zone in self.zones or []:
                if zone not in TPU_V5E_ZONES:
                    raise FieldError(
                        "zones",
                        f"{zone!r} is not known to offer TPU v5e; allowed: {', '.join(sorted(TPU_V5E_ZONES))} "
                        "(or set allow_unlisted_zone: true after checking availability)",
                    )
        return self

    def _check_topology(self) -> None:
        machine = self.machine
        topology = self.resolved_topology
        if not _TOPOLOGY.fullmatch(topology):
            raise FieldError("topology", f"{topology!r} is not a topology; allowed: AxB, e.g. 2x4 or 4x8")
        if topology == machine.single_host_topology:
            return
        valid = ", ".join(MULTI_HOST_TOPOLOGIES)
        if topology not in MULTI_HOST_TOPOLOGIES:
            raise FieldError(
                "topology",
                f"{topology!r} is not a TPU v5e shape for {machine.name}; allowed: {machine.single_host_topology} "
                f"(single-host) or a multi-host slice on {MULTI_HOST_MACHINE_TYPE}: {valid}",
            )
        if machine.name.startswith("ct5l-"):
            raise FieldError(
                "machine_type",
                f"{machine.name!r} (tpu-v5-lite-device) is single-host only, but topology {topology} is multi-host; "
                f"allowed: {MULTI_HOST_MACHINE_TYPE} for multi-host slices",
            )
        if not machine.multi_host_capable:
            raise FieldError(
                "machine_type",
                f"{machine.name!r} cannot form multi-host topology {topology}; allowed: {MULTI_HOST_MACHINE_TYPE} "
                f"({CHIPS_PER_MULTI_HOST_NODE} chips per VM)",
            )

    def _check_multi_host_size(self) -> None:
        nodes = self.slice_nodes
        topology = self.resolved_topology
        if self.node_count is not None and self.node_count != nodes:
            raise FieldError(
                "node_count",
                f"{self.node_count} does not match topology {topology} ({self.slice_chips} chips / "
                f"{CHIPS_PER_MULTI_HOST_NODE} per node); allowed: {nodes} (or leave it out: it is derived)",
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

    @property
    def gpus_per_node(self) -> int:
        return self.machine.count

    @model_validator(mode="after")
    def _check(self) -> GpuPool:
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
        if self.driver_version not in GPU_DRIVER_VERSIONS:
            raise FieldError(
                "driver_version",
                f"{self.driver_version!r} is not a GKE driver version; allowed: {', '.join(GPU_DRIVER_VERSIONS)}",
            )
        self._check_capacity_rules()
        return self
