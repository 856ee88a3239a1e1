"""Will the engine start with this context on this pool? Weights, start-up reservations and KV cache per device.

The rule, per device of one node (tensor-parallel size = every device of the node: a deployment takes the whole node,
so sharding wider costs nothing and leaves the most KV cache):

    usable     = memory_utilization x kv_fraction_factor x device memory   (engine facts: modules/catalog/engines.py)
    reserved   = activation peak of the engine's profiling / warm-up pass  (vLLM on GPU, TGI)
               + CUDA graphs, where the engine charges them before sizing the KV cache (vLLM's V1 model runner)
               + runtime memory outside that accounting (+ collective buffers when TP > 1)
               + the kit's safety margin, SAFETY_MARGIN x device memory
    KV budget  = usable - weights on the device - reserved
    fits       = the KV cache of `max_num_seqs` sequences of `max_model_len` tokens (modules/fit/kv.py) fits the budget

`max_model_len` (what `hfkit serve` writes) is the largest context, in KV-block steps and capped at the model's
derived length, whose KV cache fits: the engine then passes its own check (vLLM `_check_enough_kv_cache_memory`,
vllm/v1/core/kv_cache_utils.py line 751, called from `get_kv_cache_configs` line 2132; TGI `max_total_tokens <=
max_batch_total_tokens`) with the margin to spare.

Activation peak, per device (an upper estimate of what vLLM's `profile_run` / TGI's warm-up allocate through torch):
    prefill tokens x dtype bytes x (4 x hidden + 3 x query heads per rank x head dim + MLP width per rank)
    + sampler sequences x vocabulary x sampler bytes per logit          (vLLM's dummy sampler run)
where the MLP width is 3 x intermediate / TP for dense layers and experts per token x (3 x expert intermediate / TP +
hidden) for MoE layers (fused MoE's intermediate caches), whichever is larger. vLLM 0.26.0's V2 model runner profiles
with attention skipped (`profile_run` -> `_dummy_run(max_num_tokens, skip_attn=True)`, vllm/v1/worker/gpu/
model_runner.py line 673), so the attention term only makes the figure larger; the V1 runner (vllm/v1/worker/
gpu_model_runner.py `profile_run` line 6364) runs it.

CUDA graphs (vLLM 0.26.0 on GPU, V1 runner only: modules/fit/engine_paths.py): the engine captures sample graphs
before sizing the KV cache and charges `first capture + per-graph x (graphs - 1)` per mode (gpu_worker.py lines
494-545). The kit charges the largest graph's pool (its batch, at most 512 tokens, x the activation bytes per token)
plus `VLLM_CUDA_GRAPH_BYTES` for each PIECEWISE and FULL graph of the default capture sizes. The V2 runner captures
after the KV cache is sized, from the memory above the utilisation, and tpu-inference compiles its XLA programs
there too: nothing is charged to their KV budget.

Memory per device comes from the shape: TPU devices from the catalog generation's HBM per chip divided among the
chip's JAX devices (one on v5e and v6e, two on TPU7x: `TPU_DEVICES_PER_CHIP`; tensor parallelism counts devices),
GPUs from the catalog's vendor figure read as decimal GB (24 GB L4 = 24e9 bytes), slightly below what the driver
reports, so it errs safe. On TPU the runtime allowance is per generation (`TPU_RUNTIME_BYTES`): XLA keeps part of
each device's HBM below the `bytes_limit` tpu-inference sizes from.
"""

from __future__ import annotations

from dataclasses import dataclass

from modules.catalog.engines import (
    SAFETY_MARGIN,
    TGI_CARD_F16_FLOPS,
    TGI_DEFAULT_PREFILL_TOKENS,
    TGI_LAUNCHER_WIGGLE_ROOM,
    TPU_DEVICES_PER_CHIP,
    TPU_QUANTIZATION,
    VLLM_MLA_BLOCK_TOKENS,
    VLLM_MLA_DEFAULT_BLOCK_TOKENS,
    Engine,
    MemoryFacts,
    tpu_image_problem,
)
from modules.catalog.gpu import GPU_MACHINE_TYPES, GPU_MEMORY_GB
from modules.catalog.serving import MULTI_HOST_REASON
from modules.catalog.tpu import TPU_GENERATION_OF, TPU_GENERATIONS, TPU_MACHINE_TYPES
from modules.config.pools import GpuPool, TpuPool
from modules.fit.dtypes import DTYPE_BYTES, kv_cache_dtype, served_dtype
from modules.fit.engine_paths import (
    cuda_graph_sizes,
    keeps_sliding_window,
    tgi_attention,
    tgi_chunks_prefill,
    tpu_model_path,
    vllm_gpu_charges_cuda_graphs,
)
from modules.fit.kv import KvLayout, cdiv, kv_layout
from modules.fit.profile import ModelProfile

GiB = 1024**3
#: A recommended context is a multiple of vLLM's 16-token KV block.
KV_BLOCK_TOKENS = 16
#: Without --max-model-len, a pool "fits" when at least this context (or the model's own, if shorter) fits.
MIN_CONTEXT = 2048
#: Query/key head width of DeepSeek's MLA attention in the prefill (qk_nope_head_dim 128 + qk_rope_head_dim 64).
MLA_QK_HEAD_DIM = 192


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
    generation: str | None = None
    """TPU: the catalog generation (`TpuGeneration.name`)."""
    chips: int = 0
    """TPU: chips in the slice (`devices` counts their JAX devices)."""

    @property
    def total_bytes(self) -> int:
        return self.devices * self.device_bytes

    def describe(self) -> str:
        if self.kind == "tpu":
            label = TPU_GENERATIONS[self.generation or ""].display
            memory = f"{self.chips} chips x {self.chips and self.total_bytes // self.chips / GiB:g} GiB"
            if self.devices != self.chips:
                memory += f" = {self.devices} devices x {self.device_bytes / GiB:g} GiB"
            return f"{self.machine_type} ({label} {self.topology}, {memory})"
        return f"{self.machine_type} ({self.devices} x {self.accelerator}, {self.device_bytes / 10**9:g} GB each)"


def tpu_shape(machine_type: str, topology: str | None = None, slice_chips: int | None = None) -> PoolShape:
    """A TPU slice of `machine_type` VMs (default: one VM, its own topology), sized from its generation's HBM."""
    machine, generation = TPU_MACHINE_TYPES[machine_type], TPU_GENERATION_OF[machine_type]
    topology = topology or machine.single_host_topology
    chips = slice_chips or machine.chips
    per_chip = TPU_DEVICES_PER_CHIP[generation.name]
    device_bytes = generation.hbm_gib_per_chip * GiB // per_chip
    return PoolShape(
        "tpu",
        machine_type,
        machine.accelerator,
        chips * per_chip,
        device_bytes,
        topology,
        chips > machine.chips,
        generation.name,
        chips,
    )


def gpu_shape(machine_type: str) -> PoolShape:
    machine = GPU_MACHINE_TYPES[machine_type]
    return PoolShape(
        "gpu", machine_type, machine.accelerator, machine.count, GPU_MEMORY_GB[machine.accelerator] * 10**9
    )


def catalog_shapes() -> list[PoolShape]:
    """Every single-host shape a deployment could run on, smallest total memory first (ties: fewer devices). Of a
    generation's machine types with the same chips (v5e's ct5lp- and ct5l-hightpu-Nt) the first listed stands for
    them: the accelerator that also forms multi-host slices."""
    seen: set[tuple[str, int]] = set()
    shapes = []
    for generation in TPU_GENERATIONS.values():
        for machine in generation.machine_types:
            if (generation.name, machine.chips) not in seen:
                seen.add((generation.name, machine.chips))
                shapes.append(tpu_shape(machine.name))
    for name, machine in GPU_MACHINE_TYPES.items():
        if (machine.accelerator, machine.count) not in seen:  # g2-standard-4/8/... share one GPU shape
            seen.add((machine.accelerator, machine.count))
            shapes.append(gpu_shape(name))
    return sorted(shapes, key=lambda s: (s.total_bytes, s.devices))


@dataclass(frozen=True)
class Reservation:
    """Memory taken per device before the KV cache is sized, besides the weights."""

    activation: int
    prefill_tokens: int
    sampler_sequences: int
    runtime: int
    margin: int
    cuda_graphs: int = 0
    """The engine's CUDA-graph estimate, where it charges one before sizing the KV cache (module doc)."""
    cuda_graph_count: int = 0

    @property
    def total(self) -> int:
        return self.activation + self.cuda_graphs + self.runtime + self.margin


@dataclass(frozen=True)
class Fit:
    profile: ModelProfile
    shape: PoolShape
    engine: Engine
    facts: MemoryFacts | None
    tensor_parallel: int
    served_dtype: str
    kv_dtype: str
    usable_bytes: int
    """Per device: what the engine may take for weights, activations and KV cache."""
    weight_bytes: int
    """Per device, as the engine holds them."""
    reservation: Reservation
    kv_budget_bytes: int
    """Per device: what is left for the KV cache."""
    layout: KvLayout | None
    max_num_seqs: int
    context_limit: int
    """Largest context whose KV cache fits `max_num_seqs` sequences (capped at the model's, and at `prompt_cap`), 0
    when nothing fits."""
    required_context: int
    max_model_len: int
    """The context to serve with: --max-model-len when given, else `context_limit`. What `hfkit serve` writes."""
    problem: str | None
    """Why it does not fit (None when it fits)."""
    prompt_cap: int | None = None
    """The longest context the engine accepts whatever the memory (TGI on a model it does not chunk prefills for:
    `tgi_prompt_cap`), None when only memory bounds it."""

    @property
    def fits(self) -> bool:
        return self.problem is None

    @property
    def kv_bytes(self) -> int:
        """KV cache per device for `max_model_len` x `max_num_seqs` tokens."""
        return self.layout.sequence_bytes(self.max_model_len) * self.max_num_seqs if self.layout else 0

    @property
    def headroom_bytes(self) -> int:
        return self.kv_budget_bytes - self.kv_bytes

    @property
    def kv_tokens(self) -> int:
        """Tokens the budget holds with every layer keeping every token (the simple capacity figure)."""
        if not self.layout or self.kv_budget_bytes <= 0:
            return 0
        return self.kv_budget_bytes // (self.layout.token_bytes * self.layout.layers)


def _heads_problem(profile: ModelProfile, shape: PoolShape, engine: Engine) -> str | None:
    """Tensor-parallel splits the engines refuse (vLLM: attention heads divide by TP, KV heads divide by TP or TP by
    KV heads, `QKVParallelLinear`; tpu-inference: `get_padded_num_heads` asserts the same; TGI: both divide)."""
    tp, heads, kv = shape.devices, profile.attention_heads, profile.kv_heads
    if heads % tp:
        return f"{heads} attention heads do not split across {tp} devices"
    if profile.config.mla:
        return None
    if engine.name == "tgi" and kv % tp:
        return f"{kv} KV heads do not split across {tp} devices (TGI needs num_key_value_heads divisible by shards)"
    if (kv >= tp and kv % tp) or (kv < tp and tp % kv):
        return f"{kv} KV heads do not split across {tp} devices"
    return None


def _tpu_problem(profile: ModelProfile) -> str | None:
    """What tpu-inference 0.27.0 refuses to start with the flags the serving stack passes."""
    c = profile.config
    if c.mla:
        # tpu_inference/platforms/tpu_platform.py lines 276-283: MLA models need NEW_MODEL_DESIGN=1 and DP attention
        return (
            "multi-head latent attention (kv_lora_rank) on TPU needs NEW_MODEL_DESIGN=1 and DP attention in "
            "tpu-inference 0.27.0, which the kit does not set"
        )
    path = tpu_model_path(c)
    if c.quantization is not None and c.quantization not in TPU_QUANTIZATION[path]:
        model = f"{c.architectures[0]}'s JAX model" if path == "jax" else "vLLM's model code"
        return (
            f"{c.quantization} checkpoints do not load on TPU: tpu-inference 0.27.0 runs {model}, which takes "
            f"{', '.join(TPU_QUANTIZATION[path])} (or unquantized) checkpoints"
        )
    return None


def _unsupported(profile: ModelProfile, shape: PoolShape, engine: Engine) -> str | None:
    if shape.kind not in engine.accelerators or shape.kind not in engine.memory:
        return f"{engine.name} does not run on {shape.kind.upper()}"
    if shape.multi_host:
        return f"{shape.topology} is a multi-host TPU slice and {MULTI_HOST_REASON}"
    if shape.kind == "tpu" and (problem := tpu_image_problem(shape.generation or "")):
        return problem
    if shape.kind == "tpu" and (problem := _tpu_problem(profile)):
        return problem
    return _heads_problem(profile, shape, engine)


def _large_device(facts: MemoryFacts, shape: PoolShape) -> bool:
    return shape.device_bytes >= facts.large_device_bytes and not any(
        name in shape.accelerator for name in facts.large_device_excluded
    )


def activation_bytes_per_token(profile: ModelProfile, tp: int, dtype_bytes: int) -> int:
    """Live activation bytes per scheduled token in one layer's forward pass on one rank (module doc)."""
    c = profile.config
    head = MLA_QK_HEAD_DIM if c.mla else c.head_dim
    attention = 3 * max(1, c.attention_heads // tp) * head
    mlp = 3 * cdiv(c.dense_intermediate_size, tp)
    if c.experts:
        expert = c.moe_intermediate_size or c.intermediate_size
        mlp = max(mlp, (c.experts_per_token or 1) * (3 * cdiv(expert, tp) + c.hidden_size))
    return dtype_bytes * (4 * c.hidden_size + attention + mlp)


def tgi_prefill_tokens(profile: ModelProfile, shape: PoolShape, engine: Engine, facts: MemoryFacts) -> int:
    """TGI's launcher default for --max-batch-prefill-tokens (modules/catalog/engines.py, TGI_CARD_F16_FLOPS).

    The memory cap uses the catalog's figure read as GiB (24 GB -> 24 GiB), which is at least what nvidia-smi reports
    (L4 23,034 MiB, H100 81,559 MiB, H200 143,771 MiB): the cap comes out no lower than TGI's, so the prefill (and the
    activation reserved for it) no smaller."""
    view = profile.config.tgi_launcher
    tokens = TGI_DEFAULT_PREFILL_TOKENS.get(profile.config.top_model_type, facts.prefill_tokens)
    flops = TGI_CARD_F16_FLOPS.get(shape.accelerator)
    if view is None:
        return tokens
    if view.flop and flops and flops * shape.devices // view.flop > 100:
        tokens = flops * shape.devices // view.flop
    if view.max_positions:
        tokens = min(tokens, view.max_positions)
    if view.model_vram and view.token_vram:
        total = shape.devices * shape.device_bytes // 10**9 * GiB  # the catalog's GB read as GiB
        vram = int(total * engine.memory_utilization * TGI_LAUNCHER_WIGGLE_ROOM)
        if vram > view.model_vram:
            tokens = min(tokens, (vram - view.model_vram) // view.token_vram)
    return tokens


def tgi_prompt_cap(profile: ModelProfile, engine: Engine, prefill_tokens: int) -> int | None:
    """The longest context TGI accepts for a model it does not chunk prefills for: `--max-input-tokens` (the serving
    stack passes the context - 1) must not exceed `max_batch_prefill_tokens` (modules/catalog/engines.py,
    `TGI_NO_PREFILL_CHUNKING_TYPES`). None where there is no such cap."""
    if engine.name != "tgi" or tgi_chunks_prefill(profile.config):
        return None
    return min(prefill_tokens + 1, profile.context_length)


def cuda_graph_bytes(
    profile: ModelProfile, shape: PoolShape, facts: MemoryFacts, dtype: str, tokens: int, sequences: int
) -> tuple[int, int]:
    """The kit's figure for the CUDA-graph estimate vLLM's V1 runner charges per device, and the number of graphs
    (module doc): 0 where the engine charges none."""
    if not facts.cuda_graph_bytes_per_graph or not vllm_gpu_charges_cuda_graphs(profile.config):
        return 0, 0
    piecewise, full = cuda_graph_sizes(sequences, tokens)
    pool = piecewise[-1] * activation_bytes_per_token(profile, shape.devices, DTYPE_BYTES[dtype])
    graphs = len(piecewise) + len(full)
    return pool + graphs * facts.cuda_graph_bytes_per_graph, graphs


def reservation(profile: ModelProfile, shape: PoolShape, engine: Engine, facts: MemoryFacts, dtype: str) -> Reservation:
    large = _large_device(facts, shape)
    tokens = facts.large_device_prefill_tokens if large else facts.prefill_tokens
    if engine.name == "tgi":
        tokens = tgi_prefill_tokens(profile, shape, engine, facts)
    max_num_seqs = facts.large_device_sampler_sequences if large else facts.sampler_sequences
    sequences = min(max_num_seqs, tokens)
    activation = 0
    if facts.reserves_profile_activation:
        per_token = activation_bytes_per_token(profile, shape.devices, DTYPE_BYTES[dtype])
        sampler = sequences * profile.config.vocab_size * facts.sampler_bytes_per_logit
        activation = tokens * per_token + sampler
    graphs, count = cuda_graph_bytes(profile, shape, facts, dtype, tokens, sequences)
    base = facts.runtime_bytes_by_generation[shape.generation] if shape.generation else facts.runtime_bytes
    runtime = base + (facts.tensor_parallel_bytes if shape.devices > 1 else 0)
    margin = int(SAFETY_MARGIN * shape.device_bytes)
    return Reservation(activation, tokens, sequences, runtime, margin, graphs, count)


def largest_context(layout: KvLayout, budget: int, sequences: int, model_context: int) -> int:
    """The largest context (the model's own, else a multiple of 16 tokens) whose KV cache fits `budget`."""

    def fits(tokens: int) -> bool:
        return sequences * layout.sequence_bytes(tokens) <= budget

    if budget <= 0 or not fits(KV_BLOCK_TOKENS):
        return 0
    if fits(model_context):
        return model_context
    low, high = 1, model_context // KV_BLOCK_TOKENS  # fits(low * 16), not fits(high * 16) unless high == low
    while low < high:
        mid = (low + high + 1) // 2
        if fits(mid * KV_BLOCK_TOKENS):
            low = mid
        else:
            high = mid - 1
    return low * KV_BLOCK_TOKENS


def fit(
    profile: ModelProfile,
    shape: PoolShape,
    engine: Engine,
    max_model_len: int | None = None,
    max_num_seqs: int = 1,
) -> Fit:
    tp = shape.devices
    problem = _unsupported(profile, shape, engine)
    facts = engine.memory.get(shape.kind)
    required = max_model_len or min(MIN_CONTEXT, profile.context_length)
    if problem is not None or facts is None:
        return Fit(profile, shape, engine, facts, tp, "", "", 0, 0, Reservation(0, 0, 0, 0, 0), 0, None,
                   max_num_seqs, 0, required, max_model_len or 0, problem)  # fmt: skip
    dtype = served_dtype(profile.config, engine.name, shape.kind, profile.parameters_by_dtype)
    kv_dtype = kv_cache_dtype(profile.config, engine.name, shape.kind, profile.parameters_by_dtype)
    usable = int(engine.memory_utilization * facts.kv_fraction_factor * shape.device_bytes)
    weights = profile.weight_bytes_per_device(DTYPE_BYTES[dtype], tp)
    reserved = reservation(profile, shape, engine, facts, dtype)
    budget = usable - weights - reserved.total
    layout = kv_layout(
        profile.config,
        engine.name,
        shape.kind,
        tp,
        kv_dtype,
        in_flight_tokens=facts.in_flight_batches * reserved.prefill_tokens,
        keeps_window=facts.hybrid_kv_cache and keeps_sliding_window(profile.config, engine.name, shape.kind),
        mla_block_tokens=VLLM_MLA_BLOCK_TOKENS.get(shape.accelerator, VLLM_MLA_DEFAULT_BLOCK_TOKENS),
        tgi_attention=tgi_attention(profile.config),
    )
    kv_limit = limit = largest_context(layout, budget, max_num_seqs, profile.context_length)
    prompt_cap = tgi_prompt_cap(profile, engine, reserved.prefill_tokens)
    if prompt_cap is not None and limit > prompt_cap:  # the context proposed: the cap, in 16-token steps
        limit = prompt_cap if prompt_cap == profile.context_length else prompt_cap // KV_BLOCK_TOKENS * KV_BLOCK_TOKENS
    if budget <= 0:
        problem = "the weights and start-up reservations exceed the usable memory"
    elif max_model_len is not None and max_model_len > profile.context_length:
        problem = f"--max-model-len {max_model_len} exceeds the model's context length {profile.context_length}"
    elif max_model_len is not None and prompt_cap is not None and max_model_len > prompt_cap:
        problem = (
            f"TGI 3.3.7 does not chunk {profile.config.top_model_type} prompts: --max-model-len {max_model_len} "
            f"needs max_batch_prefill_tokens >= {max_model_len - 1}, and its launcher sets "
            f"{reserved.prefill_tokens}; allowed: at most {prompt_cap}"
        )
    elif kv_limit < required:
        problem = f"the KV cache for {required} tokens x {max_num_seqs} sequence(s) does not fit"
    elif engine.name == "tgi" and budget < layout.sequence_bytes(reserved.prefill_tokens):
        problem = (
            f"TGI's KV cache would hold fewer tokens than its max_batch_prefill_tokens ({reserved.prefill_tokens})"
        )
    return Fit(
        profile=profile,
        shape=shape,
        engine=engine,
        facts=facts,
        tensor_parallel=tp,
        served_dtype=dtype,
        kv_dtype=kv_dtype,
        usable_bytes=usable,
        weight_bytes=weights,
        reservation=reserved,
        kv_budget_bytes=budget,
        layout=layout,
        max_num_seqs=max_num_seqs,
        context_limit=limit,
        required_context=required,
        max_model_len=max_model_len or limit,
        problem=problem,
        prompt_cap=prompt_cap,
    )


def serving_max_model_len(
    profile: ModelProfile, shape: PoolShape, engine: Engine, max_model_len: int | None = None
) -> int:
    """The `max_model_len` a deployment of this model on this shape starts with (0 when it does not fit): the one
    number `hfkit serve` writes and the serving stack passes to the engine."""
    result = fit(profile, shape, engine, max_model_len)
    return result.max_model_len if result.fits else 0


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
