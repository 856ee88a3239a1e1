"""What a model server pod asks of its node's memory, and whether the in-memory weights cache fits beside it.

A replica takes a whole node. The server container requests half the node's memory and may use three quarters
(unchanged rule). When weights come through GCS FUSE, the sidecar's file cache lives in a memory-backed
`gke-gcsfuse-cache` emptyDir sized from the staged manifest: its bytes are charged to the sidecar, so the sidecar's
memory request grows by the cache size, and the server's limit shrinks so the pod never outgrows the node's
allocatable memory. A model whose cache cannot fit is refused before anything is written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from modules.catalog.machines import MACHINE_VCPUS_MEMORY_GB
from modules.catalog.serving import (
    CACHE_VOLUME_SLACK_MIB,
    GIB,
    LOAD_PATHS,
    MIB,
    SIDECAR_BASE_MEMORY_MIB,
    SYSTEM_PODS_HEADROOM_MIB,
    LoadPath,
    allocatable_memory_mib,
)


def load_path(engine: str, accelerator: str) -> LoadPath:
    """`accelerator` is "tpu" or "gpu"."""
    return LOAD_PATHS[(engine, accelerator)]


@dataclass(frozen=True)
class PodMemory:
    """Memory figures of one model server pod, in MiB."""

    node: int
    allocatable: int
    server_request: int
    server_limit: int
    cache: int = 0
    """GCS FUSE `file-cache:max-size-mb` (0: no file cache)."""
    cache_volume: int = 0
    """sizeLimit of the memory-backed `gke-gcsfuse-cache` emptyDir."""
    sidecar_request: int = 0

    @property
    def cache_room(self) -> int:
        """The largest cache (MiB) that fits beside the server's request, the sidecar and the system pods."""
        spare = self.allocatable - SYSTEM_PODS_HEADROOM_MIB - self.server_request - SIDECAR_BASE_MEMORY_MIB
        return max(spare - CACHE_VOLUME_SLACK_MIB, 0)

    @property
    def fits(self) -> bool:
        return self.cache <= self.cache_room


def cache_mib(staged_bytes: int) -> int:
    """The file cache that holds every staged byte (gcsfuse counts `max-size-mb` in MiB)."""
    return math.ceil(staged_bytes / MIB)


def pod_memory(machine_type: str, staged_bytes: int | None = None) -> PodMemory:
    """The pod's memory on `machine_type`; with `staged_bytes`, room for an in-memory cache of them."""
    node = MACHINE_VCPUS_MEMORY_GB[machine_type][1] * 1024
    allocatable = allocatable_memory_mib(node // 1024)
    request, limit = node // 2, node * 3 // 4
    if staged_bytes is None:
        return PodMemory(node, allocatable, request, limit)
    cache = cache_mib(staged_bytes)
    volume = cache + CACHE_VOLUME_SLACK_MIB
    sidecar = SIDECAR_BASE_MEMORY_MIB + volume
    limit = min(limit, allocatable - SYSTEM_PODS_HEADROOM_MIB - sidecar)
    return PodMemory(node, allocatable, request, limit, cache, volume, sidecar)


def quantity(mib: int) -> str:
    """A Kubernetes memory quantity: whole GiB as `Gi`, else `Mi`."""
    return f"{mib // 1024}Gi" if mib % 1024 == 0 else f"{mib}Mi"


def cache_fit_error(engine: str, machine_type: str, pool: str, staged_bytes: int) -> str | None:
    """Why the staged model cannot be cached in memory on the pool's nodes, as the body of a one-line error (None when
    it fits): the numbers, the most it could take, and what else would work."""
    memory = pod_memory(machine_type, staged_bytes)
    if memory.fits:
        return None
    most = memory.cache_room * MIB
    other = "or engine vllm on a GPU pool (it streams from GCS without a cache)" if engine == "tgi" else ""
    return (
        f"{staged_bytes} bytes ({staged_bytes / GIB:.1f} GiB) do not fit the in-memory GCS FUSE file cache on pool "
        f"{pool!r} ({machine_type}: {memory.allocatable / 1024:.1f} GiB allocatable, "
        f"{memory.server_request / 1024:.0f} GiB requested by the server, "
        f"{(SIDECAR_BASE_MEMORY_MIB + CACHE_VOLUME_SLACK_MIB) / 1024:.1f} GiB for GCS FUSE, "
        f"{SYSTEM_PODS_HEADROOM_MIB / 1024:.0f} GiB for system pods); allowed: at most {most} bytes "
        f"({most / GIB:.1f} GiB) on {machine_type}, else a machine type with more memory{', ' + other if other else ''}"
    )
