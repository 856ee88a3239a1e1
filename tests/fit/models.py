"""Public model configs (config.json values as published) and safetensors headers built from their architecture.

The headers list every tensor of a Llama/Gemma/Mixtral-style decoder with its real shape, so the parameter counts the
profiler derives can be checked against the published totals."""

from __future__ import annotations

from typing import Any

LLAMA_3_1_8B: dict[str, Any] = {
    "model_type": "llama",
    "vocab_size": 128256,
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "max_position_embeddings": 131072,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}
LLAMA_3_1_70B: dict[str, Any] = {
    **LLAMA_3_1_8B,
    "hidden_size": 8192,
    "intermediate_size": 28672,
    "num_hidden_layers": 80,
    "num_attention_heads": 64,
    "num_key_value_heads": 8,
}
GEMMA_2_27B: dict[str, Any] = {
    "model_type": "gemma2",
    "vocab_size": 256000,
    "hidden_size": 4608,
    "intermediate_size": 36864,
    "num_hidden_layers": 46,
    "num_attention_heads": 32,
    "num_key_value_heads": 16,
    "head_dim": 128,
    "max_position_embeddings": 8192,
    "tie_word_embeddings": True,
    "torch_dtype": "bfloat16",
}
MIXTRAL_8X7B: dict[str, Any] = {
    "model_type": "mixtral",
    "vocab_size": 32000,
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "num_local_experts": 8,
    "num_experts_per_tok": 2,
    "max_position_embeddings": 32768,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}


def decoder_headers(config: dict[str, Any], shards: int = 2, dtype: str = "BF16") -> list[dict[str, Any]]:
    """Safetensors headers (one dict per shard, tensors dealt round-robin) for a decoder of this config."""
    hidden, inter, vocab = config["hidden_size"], config["intermediate_size"], config["vocab_size"]
    heads, kv = config["num_attention_heads"], config["num_key_value_heads"]
    head_dim = config.get("head_dim", hidden // heads)
    norms = 4 if config["model_type"] == "gemma2" else 2
    experts = config.get("num_local_experts")
    shapes: dict[str, list[int]] = {"model.embed_tokens.weight": [vocab, hidden], "model.norm.weight": [hidden]}
    if not config["tie_word_embeddings"]:
        shapes["lm_head.weight"] = [vocab, hidden]
    for layer in range(config["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        shapes[p + "self_attn.q_proj.weight"] = [heads * head_dim, hidden]
        shapes[p + "self_attn.k_proj.weight"] = [kv * head_dim, hidden]
        shapes[p + "self_attn.v_proj.weight"] = [kv * head_dim, hidden]
        shapes[p + "self_attn.o_proj.weight"] = [hidden, heads * head_dim]
        for n in range(norms):
            shapes[p + f"norm{n}.weight"] = [hidden]
        if experts:
            shapes[p + "block_sparse_moe.gate.weight"] = [experts, hidden]
            mlps = [p + f"block_sparse_moe.experts.{e}." for e in range(experts)]
        else:
            mlps = [p + "mlp."]
        for mlp in mlps:
            shapes[mlp + "gate_proj.weight"] = [inter, hidden]
            shapes[mlp + "up_proj.weight"] = [inter, hidden]
            shapes[mlp + "down_proj.weight"] = [hidden, inter]
    headers: list[dict[str, Any]] = [{"__metadata__": {"format": "pt"}} for _ in range(shards)]
    for index, (name, shape) in enumerate(shapes.items()):
        headers[index % shards][name] = {"dtype": dtype, "shape": shape, "data_offsets": [0, 0]}
    return headers
