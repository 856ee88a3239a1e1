"""Does a model fit a pool? Weights plus KV cache against the engine's share of accelerator memory.

The rule (vLLM's own start-up check, applied to both engines):
    usable      = memory_utilization x memory per device x tensor-parallel size
    KV budget   = usable - weight bytes
    KV tokens   = KV budget // KV bytes per token
    fits        = the weights fit and KV tokens >= context x concurrent sequences
Tensor-parallel size is every device of one node (all chips of a single-host TPU slice, all GPUs of a GPU node): a
deployment takes the whole node, so sharding wider costs nothing and leaves the most KV cache. When TP exceeds the
model's KV heads, each device still holds one head (vLLM replicates them), which the KV size accounts for.

Memory per device: TPU v5e 16 GiB HBM; GPUs by the catalog's vendor figure read as decimal GB (24 GB L4 =
24e9 bytes), which is slightly below what the driver reports and so errs on the safe side.
"""

from __future__ import annotations

from dataclasses import dataclass

from modules.catalog.engines import Engine
from modules.catalog.gpu import GPU_MACHINE_TYPES, GPU_MEMORY_GB
from modules.catalog.tpu import HBM_GIB_PER_CHIP, PODSLICE_ACCELERATOR, TPU_V5E_MACHINE_TYPES
from modules.config.pools import GpuPool, TpuPool
from modules.fit.profile import ModelProfile

GiB = 1024**3
TPU_V5E_BYTES_PER_CHIP = HBM_GIB_PER_CHIP * GiB
#: vLLM allocates the KV cache in blocks of 16 tokens: a recommended context is a multiple of it.
KV_BLOCK_TOKENS = 16
#: Without --max-model-len, a pool "fits" when at least this context (or the model's own, if shorter) fits.
MIN_CONTEXT = 2048


@dataclass(frozen=True)
class PoolShape:
    """What one node of a pool offers a model server."""

    kind: str  # "tpu" or "gpu"
    machine_type: str
    accelerator: str
    devices: int
    device_bytes: int
    topology: str | None = None
    multi_host: bool = False

    @property
    def total_bytes(self) -> int:
        return self.devices * self.device_bytes

    def describe(self) -> str:
        if self.kind == "tpu":
            return f"{self.machine_type} (TPU v5e {self.topology}, {self.devices} chips x 16 GiB)"
        return f"{self.machine_type} ({self.devices} x {self.accelerator}, {GPU_MEMORY_GB[self.accelerator]} GB each)"


def tpu_shape(machine_type: str, topology: str | None = None, slice_chips: int | None = None) -> PoolShape:
    machine = TPU_V5E_MACHINE_TYPES[machine_type]
    topology = topology or machine.single_host_topology
    chips = slice_chips or machine.chips
    return PoolShape(
        "tpu", machine_type, machine.accelerator, chips, TPU_V5E_BYTES_PER_CHIP, topology, chips > machine.chips
    )


def gpu_shape(machine_type: str) -> PoolShape:
    machine = GPU_MACHINE_TYPES[machine_type]
    return PoolShape(
        "gpu", machine_type, machine.accelerator, machine.count, GPU_MEMORY_GB[machine.accelerator] * 10**9
    )


def catalog_shapes() -> list[PoolShape]:
    """Every single-host shape a deployment could run on, smallest total memory first (ties: fewer devices)."""
    shapes = [tpu_shape(m.name) for m in TPU_V5E_MACHINE_TYPES.values() if m.accelerator == PODSLICE_ACCELERATOR]
    seen: set[tuple[str, int]] = set()
    for name, machine in GPU_MACHINE_TYPES.items():
        if (machine.accelerator, machine.count) not in seen:  # g2-standard-4/8/... share one GPU shape
            seen.add((machine.accelerator, machine.count))
            shapes.append(gpu_shape(name))
    return sorted(shapes, key=lambda s: (s.total_bytes, s.devices))


@dataclass(frozen=True)
class Fit:
    profile: ModelProfile
    shape: PoolShape
    engine: Engine
    tensor_parallel: int
    usable_bytes: int
    kv_bytes_per_token: int
    kv_budget_bytes: int
    kv_tokens: int
    max_num_seqs: int
    context_limit: int
    """Largest context that fits `max_num_seqs` sequences (capped at the model's), 0 when nothing fits."""
    required_context: int
    max_model_len: int
    """The context to serve with: --max-model-len when given, else `context_limit`."""
    problem: str | None
    """Why it does not fit (None when it fits)."""

    @property
    def fits(self) -> bool:
        return self.problem is None

    @property
    def kv_bytes(self) -> int:
        """KV cache for `max_model_len` x `max_num_seqs` tokens."""
        return self.kv_bytes_per_token * self.max_model_len * self.max_num_seqs

    @property
    def headroom_bytes(self) -> int:
        return self.usable_bytes - self.profile.weight_bytes - self.kv_bytes


def _unsupported(profile: ModelProfile, shape: PoolShape, engine: Engine) -> str | None:
    if shape.kind not in engine.accelerators:
        return f"{engine.name} does not run on {shape.kind.upper()}"
    if shape.multi_host:
        return f"{shape.topology} is a multi-host TPU slice and {engine.name} on TPU on GKE is single-host"
    if profile.attention_heads % shape.devices:
        return f"{profile.attention_heads} attention heads do not split across {shape.devices} devices"
    return None


def fit(
    profile: ModelProfile,
    shape: PoolShape,
    engine: Engine,
    max_model_len: int | None = None,
    max_num_seqs: int = 1,
) -> Fit:
    tp = shape.devices
    usable = int(engine.memory_utilization * shape.device_bytes) * tp
    kv_per_token = profile.kv_bytes_per_token(max(profile.kv_heads, tp))
    budget = usable - profile.weight_bytes
    kv_tokens = max(budget, 0) // kv_per_token
    per_seq = kv_tokens // max_num_seqs
    limit = (
        profile.context_length if per_seq >= profile.context_length else per_seq // KV_BLOCK_TOKENS * KV_BLOCK_TOKENS
    )
    required = max_model_len or min(MIN_CONTEXT, profile.context_length)
    problem = _unsupported(profile, shape, engine)
    if problem is None and budget <= 0:
        problem = "the weights alone exceed the usable memory"
    elif problem is None and max_model_len is not None and max_model_len > profile.context_length:
        problem = f"--max-model-len {max_model_len} exceeds the model's context length {profile.context_length}"
    elif problem is None and limit < required:
        problem = f"the KV cache for {required} tokens x {max_num_seqs} sequence(s) does not fit"
    return Fit(
        profile=profile,
        shape=shape,
        engine=engine,
        tensor_parallel=tp,
        usable_bytes=usable,
        kv_bytes_per_token=kv_per_token,
        kv_budget_bytes=budget,
        kv_tokens=kv_tokens,
        max_num_seqs=max_num_seqs,
        context_limit=limit,
        required_context=required,
        max_model_len=max_model_len or limit,
        problem=problem,
    )


def smallest_fitting_shape(
    profile: ModelProfile, engine: Engine, max_model_len: int | None = None, max_num_seqs: int = 1
) -> PoolShape | None:
    """The catalog shape with the least accelerator memory that serves the model at the requested context."""
    for shape in catalog_shapes():
        if fit(profile, shape, engine, max_model_len, max_num_seqs).fits:
            return shape
    return None


def pool_shape(pool: TpuPool | GpuPool) -> PoolShape:
    """One node of an environment's pool (for a multi-host TPU pool: the whole slice, which vLLM cannot use)."""
    if isinstance(pool, TpuPool):
        return tpu_shape(pool.machine_type, pool.resolved_topology, pool.slice_chips)
    return gpu_shape(pool.machine_type)
