"""The fit as a person reads it (the arithmetic, line by line) or as a machine does (one JSON document)."""

from __future__ import annotations

from typing import Any

from modules.fit.memory import Fit, PoolShape
from modules.fit.profile import ModelProfile

GiB = 1024**3


def gib(n: int) -> str:
    return f"{n / GiB:,.2f} GiB"


def profile_lines(profile: ModelProfile) -> list[str]:
    dtypes = ", ".join(f"{dtype} {count:,}" for dtype, count in profile.parameters_by_dtype.items())
    experts = f", {profile.experts} experts (all resident)" if profile.experts else ""
    p = profile
    return [
        f"model      {p.model_type}: {p.parameters:,} parameters ({dtypes}){experts}",
        f"           {p.layers} layers, {p.attention_heads} attention / {p.kv_heads} KV heads, head dim "
        f"{p.head_dim}, context {p.context_length:,}",
        f"weights    {p.weight_bytes:,} B ({gib(p.weight_bytes)})",
        f"KV cache   {p.kv_bytes_per_token():,} B per token = 2 x {p.layers} layers x {p.kv_heads} KV heads x "
        f"{p.head_dim} x {p.kv_dtype_bytes} B ({p.kv_dtype})",
    ]


def fit_lines(fit: Fit, pool: str, alternative: PoolShape | None) -> list[str]:
    shape, tp = fit.shape, fit.tensor_parallel
    util = fit.engine.memory_utilization
    rows = [
        ("usable memory", fit.usable_bytes, f"{util:.2f} x {shape.device_bytes:,} B x {tp}"),
        ("weights", fit.profile.weight_bytes, ""),
        (
            "KV cache",
            fit.kv_bytes,
            f"{fit.max_model_len:,} tokens x {fit.max_num_seqs} seq x {fit.kv_bytes_per_token:,} B",
        ),
        ("headroom", fit.headroom_bytes, "left for more sequences"),
    ]
    lines = [
        f"pool       {pool}: {shape.describe()}",
        f"engine     {fit.engine.name}, memory utilisation {util:.2f}, tensor parallel {tp} (every device of the node)",
        "",
        f"{'':16}{'total':>14}{'per device':>14}",
    ]
    shown = rows if fit.kv_budget_bytes > 0 else rows[:2]  # no KV rows when the weights alone do not fit
    for label, value, note in shown:
        lines.append(f"{label:16}{gib(value):>14}{gib(value // tp):>14}  {note}".rstrip())
    lines.append("")
    if fit.fits:
        lines.append(
            f"fits: largest context {fit.context_limit:,} tokens for {fit.max_num_seqs} sequence(s) "
            f"({fit.kv_tokens:,} KV tokens in all); serve with --tensor-parallel-size {tp} "
            f"--max-model-len {fit.max_model_len}"
        )
    else:
        lines.append(f"does not fit: {fit.problem}")
        if alternative is not None:
            lines.append(f"smallest shape that fits: {alternative.describe()}")
        else:
            lines.append("no single-host shape in the catalog fits; quantize the model or shorten the context")
    return lines


def fit_document(staged_uri: str, commit: str, pool: str, fit: Fit, alternative: PoolShape | None) -> dict[str, Any]:
    p = fit.profile
    return {
        "model": staged_uri,
        "commit": commit,
        "pool": pool,
        "engine": fit.engine.name,
        "fits": fit.fits,
        "problem": fit.problem,
        "profile": {
            "model_type": p.model_type,
            "parameters": p.parameters,
            "parameters_by_dtype": p.parameters_by_dtype,
            "weight_bytes": p.weight_bytes,
            "layers": p.layers,
            "attention_heads": p.attention_heads,
            "kv_heads": p.kv_heads,
            "head_dim": p.head_dim,
            "context_length": p.context_length,
            "experts": p.experts,
            "kv_bytes_per_token": p.kv_bytes_per_token(),
        },
        "memory_utilization": fit.engine.memory_utilization,
        "tensor_parallel_size": fit.tensor_parallel,
        "usable_bytes": fit.usable_bytes,
        "kv_budget_bytes": fit.kv_budget_bytes,
        "kv_tokens": fit.kv_tokens,
        "max_num_seqs": fit.max_num_seqs,
        "max_model_len": fit.max_model_len,
        "largest_context": fit.context_limit,
        "headroom_bytes": fit.headroom_bytes if fit.fits else None,
        "smallest_fitting_shape": alternative.machine_type if alternative else None,
    }
