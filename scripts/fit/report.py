"""The fit as a person reads it (the arithmetic, line by line) or as a machine does (one JSON document)."""

from __future__ import annotations

from typing import Any

from modules.catalog.engines import SAFETY_MARGIN
from modules.fit.kv import FULL
from modules.fit.memory import Fit, PoolShape
from modules.fit.profile import ModelProfile
from scripts.fit.source import StagedProfile

GiB = 1024**3


def gib(n: int) -> str:
    return f"{n / GiB:,.2f} GiB"


def _files(paths: tuple[str, ...]) -> str:
    return ", ".join(paths) if len(paths) <= 3 else f"{paths[0]} ... {paths[-1]} ({len(paths)} files)"


def profile_lines(profile: ModelProfile, sized: StagedProfile | None = None) -> list[str]:
    p, c = profile, profile.config
    dtypes = ", ".join(f"{dtype} {count:,}" for dtype, count in p.parameters_by_dtype.items())
    experts = f", {p.experts} experts (all resident)" if p.experts else ""
    attention = (
        f"multi-head latent attention (latent {c.kv_lora_rank} + rope {c.qk_rope_head_dim})"
        if c.mla
        else f"{p.attention_heads} attention / {p.kv_heads} KV heads, head dim {p.head_dim}"
    )
    kinds = {kind: c.layer_types.count(kind) for kind in dict.fromkeys(c.layer_types)}
    if set(kinds) != {FULL}:
        windows = {"sliding_attention": c.sliding_window, "chunked_attention": c.attention_chunk_size}
        attention += "; " + ", ".join(
            f"{n} {kind.replace('_attention', '')}" + (f" ({windows[kind]})" if kind in windows else "")
            for kind, n in kinds.items()
        )
    stored = f"weights    {p.weight_bytes:,} B as stored ({gib(p.weight_bytes)})"
    if p.quantized:
        stored += f", {c.quantization} quantized: held as stored"
    lines = [
        f"model      {p.model_type}: {p.parameters:,} parameters ({dtypes}){experts}",
        f"           {p.layers} layers, {attention}, context {p.context_length:,}",
        stored,
    ]
    if p.skipped_parameters:
        lines.append(f"           not loaded: {p.skipped_parameters:,} parameters of multi-token-prediction layers")
    if sized is not None:
        lines.append(f"           loaded: {_files(sized.loaded)}")
        if sized.ignored:
            lines.append(f"           not counted (a duplicate copy, or not in the index): {_files(sized.ignored)}")
    if c.defaults_used:
        lines.append(f"defaults   {'; '.join(c.defaults_used)}")
    return lines


def fit_lines(fit: Fit, pool: str, alternative: PoolShape | None) -> list[str]:
    shape, tp = fit.shape, fit.tensor_parallel
    lines = [f"pool       {pool}: {shape.describe()}"]
    if fit.facts is None or fit.layout is None:
        return [*lines, "", f"does not fit: {fit.problem}", *_alternative(alternative)]
    util = fit.engine.memory_utilization * fit.facts.kv_fraction_factor
    r = fit.reservation
    held = "as stored" if fit.profile.quantized else fit.served_dtype
    lines += [
        f"engine     {fit.engine.name} ({fit.facts.version}), served in {fit.served_dtype}, KV cache {fit.kv_dtype}, "
        f"memory utilisation {util:.2f}, tensor parallel {tp} (every device of the node)",
        f"KV cache   {fit.layout.token_bytes:,} B per token per layer per device = {fit.layout.detail}",
        "",
        "per device",
    ]
    activation = (
        f"profile pass: {r.prefill_tokens:,} tokens"
        + (f" + sampler {r.sampler_sequences} seqs x vocab" if r.sampler_sequences else "")
        if r.activation
        else "none (sized before compilation)"
    )
    # Collective buffers are charged on GPUs only (MemoryFacts.tensor_parallel_bytes is 0 for tpu-inference).
    collectives = " + collectives" if tp > 1 and fit.facts.tensor_parallel_bytes else ""
    rows = [
        ("usable", fit.usable_bytes, f"{util:.2f} x {shape.device_bytes:,} B"),
        ("weights", fit.weight_bytes, f"{held}, {tp}-way tensor parallel"),
        ("activation", r.activation, activation),
        *(
            [("CUDA graphs", r.cuda_graphs, f"{r.cuda_graph_count} graphs, charged before the KV cache")]
            if r.cuda_graphs
            else []
        ),
        ("runtime", r.runtime, "outside the engine's accounting" + collectives),
        ("safety margin", r.margin, f"{SAFETY_MARGIN:.0%} of device memory"),
        ("KV budget", fit.kv_budget_bytes, ""),
    ]
    if fit.kv_budget_bytes > 0 and fit.max_model_len:
        rows += [
            ("KV cache", fit.kv_bytes, f"{fit.max_model_len:,} tokens x {fit.max_num_seqs} seq"),
            ("headroom", fit.headroom_bytes, "left for more sequences"),
        ]
    for label, value, note in rows:
        lines.append(f"{label:16}{gib(value):>12}  {note}".rstrip())
    lines.append("")
    if fit.fits:
        lines.append(
            f"fits: largest context {fit.context_limit:,} tokens for {fit.max_num_seqs} sequence(s); "
            f"serve with --tensor-parallel-size {tp} --max-model-len {fit.max_model_len}"
        )
        if fit.prompt_cap is not None:
            lines.append(
                f"           capped at {fit.prompt_cap:,}: {fit.engine.name} does not chunk "
                f"{fit.profile.config.top_model_type} prompts, so a prompt must fit one prefill batch of "
                f"{r.prefill_tokens:,} tokens"
            )
        return lines
    return [*lines, f"does not fit: {fit.problem}", *_alternative(alternative)]


def _alternative(alternative: PoolShape | None) -> list[str]:
    if alternative is not None:
        return [f"smallest shape that fits: {alternative.describe()}"]
    return ["no single-host shape in the catalog fits; quantize the model or shorten the context"]


def fit_document(
    staged_uri: str,
    commit: str,
    pool: str,
    fit: Fit,
    alternative: PoolShape | None,
    sized: StagedProfile | None = None,
) -> dict[str, Any]:
    p, c, r = fit.profile, fit.profile.config, fit.reservation
    return {
        "model": staged_uri,
        "commit": commit,
        "pool": pool,
        "engine": fit.engine.name,
        "engine_version": fit.facts.version if fit.facts else None,
        "fits": fit.fits,
        "problem": fit.problem,
        "profile": {
            "model_type": p.model_type,
            "parameters": p.parameters,
            "parameters_by_dtype": p.parameters_by_dtype,
            "weight_bytes": p.weight_bytes,
            "quantization": c.quantization,
            "not_loaded_parameters": p.skipped_parameters,
            "layers": p.layers,
            "layer_types": {kind: c.layer_types.count(kind) for kind in dict.fromkeys(c.layer_types)},
            "sliding_window": c.sliding_window,
            "attention_chunk_size": c.attention_chunk_size,
            "attention_heads": p.attention_heads,
            "kv_heads": p.kv_heads,
            "head_dim": p.head_dim,
            "kv_lora_rank": c.kv_lora_rank,
            "qk_rope_head_dim": c.qk_rope_head_dim,
            "context_length": p.context_length,
            "experts": p.experts,
            "defaults_used": list(c.defaults_used),
            "loaded_files": list(sized.loaded) if sized else None,
            "ignored_files": list(sized.ignored) if sized else None,
        },
        "served_dtype": fit.served_dtype or None,
        "kv_cache_dtype": fit.kv_dtype or None,
        "memory_utilization": fit.engine.memory_utilization,
        "tensor_parallel_size": fit.tensor_parallel,
        "per_device": {
            "device_bytes": fit.shape.device_bytes,
            "usable_bytes": fit.usable_bytes,
            "weight_bytes": fit.weight_bytes,
            "activation_bytes": r.activation,
            "cuda_graph_bytes": r.cuda_graphs,
            "prefill_tokens": r.prefill_tokens,
            "sampler_sequences": r.sampler_sequences,
            "runtime_bytes": r.runtime,
            "safety_margin_bytes": r.margin,
            "kv_budget_bytes": fit.kv_budget_bytes,
            "kv_bytes_per_token_per_layer": fit.layout.token_bytes if fit.layout else None,
            "kv_bytes": fit.kv_bytes,
            "headroom_bytes": fit.headroom_bytes if fit.fits else None,
        },
        "kv_tokens": fit.kv_tokens,
        "max_num_seqs": fit.max_num_seqs,
        "max_model_len": fit.max_model_len,
        "largest_context": fit.context_limit,
        "prompt_cap": fit.prompt_cap,
        "smallest_fitting_shape": alternative.machine_type if alternative else None,
    }
