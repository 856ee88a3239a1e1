"""Public model configs (config.json values as published on the Hub) and safetensors headers built from their
architecture with the checkpoints' real tensor names, shapes and dtypes (header bytes only: fit reads nothing else).

The parameter counts the builders produce are checked against the published totals in the tests, which is what makes
the shapes trustworthy: a wrong shape would miss the published figure."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from math import ceil
from typing import Any

from modules.fit.profile import ModelProfile, profile_model

Tensors = dict[str, tuple[str, list[int]]]
"""name -> (safetensors dtype, shape)"""

LLAMA_3_1_8B: dict[str, Any] = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "vocab_size": 128256,
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "max_position_embeddings": 131072,
    "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                     "original_max_position_embeddings": 8192, "rope_type": "llama3"},
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}  # fmt: skip
LLAMA_3_1_70B: dict[str, Any] = {
    **LLAMA_3_1_8B,
    "hidden_size": 8192,
    "intermediate_size": 28672,
    "num_hidden_layers": 80,
    "num_attention_heads": 64,
    "num_key_value_heads": 8,
}
GEMMA_2_27B: dict[str, Any] = {
    "architectures": ["Gemma2ForCausalLM"],
    "model_type": "gemma2",
    "vocab_size": 256000,
    "hidden_size": 4608,
    "intermediate_size": 36864,
    "num_hidden_layers": 46,
    "num_attention_heads": 32,
    "num_key_value_heads": 16,
    "head_dim": 128,
    "max_position_embeddings": 8192,
    "sliding_window": 4096,
    "query_pre_attn_scalar": 144,
    "tie_word_embeddings": True,
    "torch_dtype": "bfloat16",
}
MIXTRAL_8X7B: dict[str, Any] = {
    "architectures": ["MixtralForCausalLM"],
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
    "sliding_window": None,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}
#: mistralai/Mistral-7B-v0.3: HF shards plus `consolidated.safetensors` in Mistral's own names.
MISTRAL_7B_V03: dict[str, Any] = {
    "architectures": ["MistralForCausalLM"],
    "model_type": "mistral",
    "vocab_size": 32768,
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "max_position_embeddings": 32768,
    "rope_theta": 1000000.0,
    "sliding_window": None,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}
#: google/gemma-3-27b-it: the language model nests in `text_config`, which has no max_position_embeddings.
GEMMA_3_27B: dict[str, Any] = {
    "architectures": ["Gemma3ForConditionalGeneration"],
    "model_type": "gemma3",
    "boi_token_index": 255999,
    "eoi_token_index": 256000,
    "image_token_index": 262144,
    "initializer_range": 0.02,
    "mm_tokens_per_image": 256,
    "text_config": {
        "head_dim": 128,
        "hidden_size": 5376,
        "intermediate_size": 21504,
        "model_type": "gemma3_text",
        "num_attention_heads": 32,
        "num_hidden_layers": 62,
        "num_key_value_heads": 16,
        "query_pre_attn_scalar": 168,
        "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
        "sliding_window": 1024,
    },
    "torch_dtype": "bfloat16",
    "vision_config": {
        "hidden_size": 1152,
        "image_size": 896,
        "intermediate_size": 4304,
        "model_type": "siglip_vision_model",
        "num_attention_heads": 16,
        "num_hidden_layers": 27,
        "patch_size": 14,
        "vision_use_head": False,
    },
}
#: deepseek-ai/DeepSeek-V3: MLA, 256 routed experts, fp8 block-quantized weights, one MTP layer.
DEEPSEEK_V3: dict[str, Any] = {
    "architectures": ["DeepseekV3ForCausalLM"],
    "model_type": "deepseek_v3",
    "vocab_size": 129280,
    "hidden_size": 7168,
    "intermediate_size": 18432,
    "moe_intermediate_size": 2048,
    "num_hidden_layers": 61,
    "num_nextn_predict_layers": 1,
    "num_attention_heads": 128,
    "num_key_value_heads": 128,
    "n_shared_experts": 1,
    "n_routed_experts": 256,
    "num_experts_per_tok": 8,
    "first_k_dense_replace": 3,
    "q_lora_rank": 1536,
    "kv_lora_rank": 512,
    "qk_nope_head_dim": 128,
    "qk_rope_head_dim": 64,
    "v_head_dim": 128,
    "max_position_embeddings": 163840,
    "rope_scaling": {"beta_fast": 32, "beta_slow": 1, "factor": 40, "mscale": 1.0, "mscale_all_dim": 1.0,
                     "original_max_position_embeddings": 4096, "type": "yarn"},
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "quantization_config": {"activation_scheme": "dynamic", "fmt": "e4m3", "quant_method": "fp8",
                            "weight_block_size": [128, 128]},
}  # fmt: skip
#: moonshotai/Kimi-K2-Instruct: DeepSeek V3's architecture with 384 experts and 64 heads, its own model_type.
KIMI_K2: dict[str, Any] = {
    **DEEPSEEK_V3,
    "model_type": "kimi_k2",
    "vocab_size": 163840,
    "num_attention_heads": 64,
    "num_key_value_heads": 64,
    "n_routed_experts": 384,
    "first_k_dense_replace": 1,
    "num_nextn_predict_layers": 0,
    "max_position_embeddings": 131072,
    "rope_scaling": {"beta_fast": 1.0, "beta_slow": 1.0, "factor": 32.0, "mscale": 1.0, "mscale_all_dim": 1.0,
                     "original_max_position_embeddings": 4096, "type": "yarn"},
}  # fmt: skip
#: meta-llama/Llama-4-Scout-17B-16E-Instruct: chunked attention on 3 of 4 layers, 16 experts on every layer.
LLAMA_4_SCOUT: dict[str, Any] = {
    "architectures": ["Llama4ForConditionalGeneration"],
    "model_type": "llama4",
    "text_config": {
        "attention_chunk_size": 8192,
        "head_dim": 128,
        "hidden_size": 5120,
        "interleave_moe_layer_step": 1,
        "intermediate_size": 8192,
        "intermediate_size_mlp": 16384,
        "max_position_embeddings": 10485760,
        "model_type": "llama4_text",
        "num_attention_heads": 40,
        "num_experts_per_tok": 1,
        "num_hidden_layers": 48,
        "num_key_value_heads": 8,
        "num_local_experts": 16,
        "rope_scaling": {"factor": 16.0, "high_freq_factor": 1.0, "low_freq_factor": 1.0,
                         "original_max_position_embeddings": 8192, "rope_type": "llama3"},
        "vocab_size": 202048,
    },
    "torch_dtype": "bfloat16",
}  # fmt: skip
#: TinyLlama/TinyLlama_v1.1: a Llama checkpoint published in float32.
TINYLLAMA_V1_1: dict[str, Any] = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "vocab_size": 32000,
    "hidden_size": 2048,
    "intermediate_size": 5632,
    "num_hidden_layers": 22,
    "num_attention_heads": 32,
    "num_key_value_heads": 4,
    "max_position_embeddings": 2048,
    "tie_word_embeddings": False,
    "torch_dtype": "float32",
}
#: hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4: AWQ GEMM, 4 bits, group size 128, float16.
LLAMA_3_1_8B_AWQ: dict[str, Any] = {
    **LLAMA_3_1_8B,
    "torch_dtype": "float16",
    "quantization_config": {"bits": 4, "group_size": 128, "modules_to_not_convert": None, "quant_method": "awq",
                            "version": "gemm", "zero_point": True},
}  # fmt: skip
#: A GPTQ int4 checkpoint of Llama-3.1-8B-Instruct as AutoGPTQ / GPTQModel write it (quant_method gptq, 4 bits,
#: group size 128, act-order: the layout of e.g. hugging-quants/Meta-Llama-3.1-8B-Instruct-GPTQ-INT4), float16.
LLAMA_3_1_8B_GPTQ: dict[str, Any] = {
    **LLAMA_3_1_8B,
    "torch_dtype": "float16",
    "quantization_config": {"bits": 4, "group_size": 128, "desc_act": True, "sym": True, "quant_method": "gptq",
                            "checkpoint_format": "gptq"},
}  # fmt: skip
#: An FP8 compressed-tensors checkpoint of Llama-3.1-8B-Instruct as llm-compressor writes it (float-quantized, static
#: per-tensor scales, lm_head kept in bfloat16: the layout of e.g. RedHatAI/Meta-Llama-3.1-8B-Instruct-FP8).
LLAMA_3_1_8B_FP8: dict[str, Any] = {
    **LLAMA_3_1_8B,
    "quantization_config": {"quant_method": "compressed-tensors", "format": "float-quantized", "ignore": ["lm_head"],
                            "config_groups": {"group_0": {"targets": ["Linear"],
                                                          "weights": {"type": "float", "num_bits": 8,
                                                                      "strategy": "tensor"},
                                                          "input_activations": {"type": "float", "num_bits": 8,
                                                                                "strategy": "tensor"}}}},
}  # fmt: skip
#: Qwen/Qwen2.5-7B-Instruct: 28 query heads, 4 KV heads, biases on q/k/v.
QWEN2_5_7B: dict[str, Any] = {
    "architectures": ["Qwen2ForCausalLM"],
    "model_type": "qwen2",
    "vocab_size": 152064,
    "hidden_size": 3584,
    "intermediate_size": 18944,
    "num_hidden_layers": 28,
    "num_attention_heads": 28,
    "num_key_value_heads": 4,
    "max_position_embeddings": 32768,
    "max_window_layers": 28,
    "sliding_window": 131072,
    "use_sliding_window": False,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}


def _linear(t: Tensors, name: str, rows: int, cols: int, dtype: str = "BF16") -> None:
    t[name] = (dtype, [rows, cols])


def _attention(t: Tensors, p: str, heads: int, kv: int, head_dim: int, hidden: int, dtype: str = "BF16") -> None:
    """`self_attn.q/k/v/o_proj.weight` of one decoder layer (prefix `p`)."""
    _linear(t, p + "self_attn.q_proj.weight", heads * head_dim, hidden, dtype)
    _linear(t, p + "self_attn.k_proj.weight", kv * head_dim, hidden, dtype)
    _linear(t, p + "self_attn.v_proj.weight", kv * head_dim, hidden, dtype)
    _linear(t, p + "self_attn.o_proj.weight", hidden, heads * head_dim, dtype)


def _mlp(t: Tensors, p: str, inter: int, hidden: int, dtype: str = "BF16") -> None:
    """`gate_proj`, `up_proj`, `down_proj` of a gated MLP (prefix `p`, e.g. `model.layers.0.mlp.`)."""
    _linear(t, p + "gate_proj.weight", inter, hidden, dtype)
    _linear(t, p + "up_proj.weight", inter, hidden, dtype)
    _linear(t, p + "down_proj.weight", hidden, inter, dtype)


def llama_tensors(config: dict[str, Any], dtype: str = "BF16", prefix: str = "") -> Tensors:
    """A Llama/Mistral/Mixtral/Gemma 2/Qwen 2 decoder in transformers' names (Gemma 2: four norms per layer;
    Mixtral: `block_sparse_moe.experts.E.w1/w2/w3`; Qwen 2: q/k/v biases)."""
    hidden, inter, vocab = config["hidden_size"], config["intermediate_size"], config["vocab_size"]
    heads, kv = config["num_attention_heads"], config["num_key_value_heads"]
    head_dim = config.get("head_dim") or hidden // heads
    kind = config["model_type"]
    t: Tensors = {f"{prefix}model.embed_tokens.weight": (dtype, [vocab, hidden])}
    for layer in range(config["num_hidden_layers"]):
        p = f"{prefix}model.layers.{layer}."
        _attention(t, p, heads, kv, head_dim, hidden, dtype)
        if kind == "qwen2":
            t[p + "self_attn.q_proj.bias"] = (dtype, [heads * head_dim])
            t[p + "self_attn.k_proj.bias"] = (dtype, [kv * head_dim])
            t[p + "self_attn.v_proj.bias"] = (dtype, [kv * head_dim])
        norms = ["input_layernorm", "post_attention_layernorm"]
        if kind == "gemma2":
            norms += ["pre_feedforward_layernorm", "post_feedforward_layernorm"]
        for norm in norms:
            t[p + norm + ".weight"] = (dtype, [hidden])
        if experts := config.get("num_local_experts"):
            _linear(t, p + "block_sparse_moe.gate.weight", experts, hidden, dtype)
            for e in range(experts):
                q = p + f"block_sparse_moe.experts.{e}."
                _linear(t, q + "w1.weight", inter, hidden, dtype)
                _linear(t, q + "w2.weight", hidden, inter, dtype)
                _linear(t, q + "w3.weight", inter, hidden, dtype)
        else:
            _mlp(t, p + "mlp.", inter, hidden, dtype)
    t[f"{prefix}model.norm.weight"] = (dtype, [hidden])
    if not config.get("tie_word_embeddings", False):
        _linear(t, f"{prefix}lm_head.weight", vocab, hidden, dtype)
    return t


def mistral_consolidated_tensors(config: dict[str, Any]) -> Tensors:
    """The same weights in Mistral's own format (`consolidated.safetensors`)."""
    hidden, inter, vocab = config["hidden_size"], config["intermediate_size"], config["vocab_size"]
    heads, kv = config["num_attention_heads"], config["num_key_value_heads"]
    head_dim = hidden // heads
    t: Tensors = {"tok_embeddings.weight": ("BF16", [vocab, hidden])}
    for layer in range(config["num_hidden_layers"]):
        p = f"layers.{layer}."
        _linear(t, p + "attention.wq.weight", heads * head_dim, hidden)
        _linear(t, p + "attention.wk.weight", kv * head_dim, hidden)
        _linear(t, p + "attention.wv.weight", kv * head_dim, hidden)
        _linear(t, p + "attention.wo.weight", hidden, heads * head_dim)
        _linear(t, p + "feed_forward.w1.weight", inter, hidden)
        _linear(t, p + "feed_forward.w2.weight", hidden, inter)
        _linear(t, p + "feed_forward.w3.weight", inter, hidden)
        t[p + "attention_norm.weight"] = ("BF16", [hidden])
        t[p + "ffn_norm.weight"] = ("BF16", [hidden])
    t["norm.weight"] = ("BF16", [hidden])
    _linear(t, "output.weight", vocab, hidden)
    return t


def gemma3_tensors(config: dict[str, Any]) -> Tensors:
    """Gemma3ForConditionalGeneration: `language_model.model.*` (q/k norms, four layer norms, tied embeddings),
    the SigLIP vision tower `vision_tower.vision_model.*` and `multi_modal_projector.*`."""
    text, vision = config["text_config"], config["vision_config"]
    hidden, inter, heads, kv = (
        text["hidden_size"],
        text["intermediate_size"],
        text["num_attention_heads"],
        text["num_key_value_heads"],
    )
    head_dim, vocab = text["head_dim"], text.get("vocab_size", 262208)
    t: Tensors = {"language_model.model.embed_tokens.weight": ("BF16", [vocab, hidden])}
    for layer in range(text["num_hidden_layers"]):
        p = f"language_model.model.layers.{layer}."
        _attention(t, p, heads, kv, head_dim, hidden)
        t[p + "self_attn.q_norm.weight"] = ("BF16", [head_dim])
        t[p + "self_attn.k_norm.weight"] = ("BF16", [head_dim])
        for norm in ("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                     "post_feedforward_layernorm"):  # fmt: skip
            t[p + norm + ".weight"] = ("BF16", [hidden])
        _mlp(t, p + "mlp.", inter, hidden)
    t["language_model.model.norm.weight"] = ("BF16", [hidden])
    v_hidden, v_inter, patch = vision["hidden_size"], vision["intermediate_size"], vision["patch_size"]
    v = "vision_tower.vision_model."
    t[v + "embeddings.patch_embedding.weight"] = ("BF16", [v_hidden, 3, patch, patch])
    t[v + "embeddings.patch_embedding.bias"] = ("BF16", [v_hidden])
    t[v + "embeddings.position_embedding.weight"] = ("BF16", [(vision["image_size"] // patch) ** 2, v_hidden])
    for layer in range(vision["num_hidden_layers"]):
        p = f"{v}encoder.layers.{layer}."
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            _linear(t, p + f"self_attn.{proj}.weight", v_hidden, v_hidden)
            t[p + f"self_attn.{proj}.bias"] = ("BF16", [v_hidden])
        for norm in ("layer_norm1", "layer_norm2"):
            t[p + f"{norm}.weight"] = ("BF16", [v_hidden])
            t[p + f"{norm}.bias"] = ("BF16", [v_hidden])
        _linear(t, p + "mlp.fc1.weight", v_inter, v_hidden)
        t[p + "mlp.fc1.bias"] = ("BF16", [v_inter])
        _linear(t, p + "mlp.fc2.weight", v_hidden, v_inter)
        t[p + "mlp.fc2.bias"] = ("BF16", [v_hidden])
    t[v + "post_layernorm.weight"] = ("BF16", [v_hidden])
    t[v + "post_layernorm.bias"] = ("BF16", [v_hidden])
    _linear(t, "multi_modal_projector.mm_input_projection_weight", v_hidden, hidden)
    t["multi_modal_projector.mm_soft_emb_norm.weight"] = ("BF16", [v_hidden])
    return t


def llama4_text_tensors(config: dict[str, Any]) -> Tensors:
    """The language model of Llama4ForConditionalGeneration (`language_model.*`): fused expert tensors
    `feed_forward.experts.gate_up_proj` [experts, hidden, 2 x intermediate] and `down_proj`, a replicated router and
    a shared expert on every layer (interleave step 1). The vision tower is left out: fit counts it like any tensor."""
    text = config["text_config"]
    hidden, inter, vocab = text["hidden_size"], text["intermediate_size"], text["vocab_size"]
    heads, kv, head_dim, experts = (
        text["num_attention_heads"],
        text["num_key_value_heads"],
        text["head_dim"],
        text["num_local_experts"],
    )
    t: Tensors = {"language_model.model.embed_tokens.weight": ("BF16", [vocab, hidden])}
    for layer in range(text["num_hidden_layers"]):
        p = f"language_model.model.layers.{layer}."
        _attention(t, p, heads, kv, head_dim, hidden)
        t[p + "input_layernorm.weight"] = ("BF16", [hidden])
        t[p + "post_attention_layernorm.weight"] = ("BF16", [hidden])
        _linear(t, p + "feed_forward.router.weight", experts, hidden)
        t[p + "feed_forward.experts.gate_up_proj"] = ("BF16", [experts, hidden, 2 * inter])
        t[p + "feed_forward.experts.down_proj"] = ("BF16", [experts, inter, hidden])
        _mlp(t, p + "feed_forward.shared_expert.", inter, hidden)
    t["language_model.model.norm.weight"] = ("BF16", [hidden])
    _linear(t, "language_model.lm_head.weight", vocab, hidden)
    return t


def _fp8(t: Tensors, name: str, rows: int, cols: int) -> None:
    """An fp8 block-quantized linear: the F8_E4M3 weight and its float32 `weight_scale_inv` per 128 x 128 block."""
    t[name + ".weight"] = ("F8_E4M3", [rows, cols])
    t[name + ".weight_scale_inv"] = ("F32", [ceil(rows / 128), ceil(cols / 128)])


def deepseek_v3_tensors(config: dict[str, Any]) -> Tensors:
    """DeepseekV3ForCausalLM as published: bf16 embeddings, norms, router and lm_head; every other linear fp8 with
    block scales; layers >= num_hidden_layers are the MTP module (with its own embedding, projections and head)."""
    hidden, inter, moe, vocab = (config["hidden_size"], config["intermediate_size"], config["moe_intermediate_size"],
                                 config["vocab_size"])  # fmt: skip
    heads, q_rank, kv_rank = config["num_attention_heads"], config["q_lora_rank"], config["kv_lora_rank"]
    nope, rope, v_dim = config["qk_nope_head_dim"], config["qk_rope_head_dim"], config["v_head_dim"]
    experts = config["n_routed_experts"]
    t: Tensors = {"model.embed_tokens.weight": ("BF16", [vocab, hidden])}
    layers = config["num_hidden_layers"]
    for layer in range(layers + config.get("num_nextn_predict_layers", 0)):
        p = f"model.layers.{layer}."
        t[p + "input_layernorm.weight"] = ("BF16", [hidden])
        t[p + "post_attention_layernorm.weight"] = ("BF16", [hidden])
        _fp8(t, p + "self_attn.q_a_proj", q_rank, hidden)
        t[p + "self_attn.q_a_layernorm.weight"] = ("BF16", [q_rank])
        _fp8(t, p + "self_attn.q_b_proj", heads * (nope + rope), q_rank)
        _fp8(t, p + "self_attn.kv_a_proj_with_mqa", kv_rank + rope, hidden)
        t[p + "self_attn.kv_a_layernorm.weight"] = ("BF16", [kv_rank])
        _fp8(t, p + "self_attn.kv_b_proj", heads * (nope + v_dim), kv_rank)
        _fp8(t, p + "self_attn.o_proj", hidden, heads * v_dim)
        if layer < config["first_k_dense_replace"]:
            _fp8(t, p + "mlp.gate_proj", inter, hidden)
            _fp8(t, p + "mlp.up_proj", inter, hidden)
            _fp8(t, p + "mlp.down_proj", hidden, inter)
        else:
            t[p + "mlp.gate.weight"] = ("BF16", [experts, hidden])
            t[p + "mlp.gate.e_score_correction_bias"] = ("F32", [experts])
            for e in [*(f"experts.{i}" for i in range(experts)), "shared_experts"]:
                _fp8(t, p + f"mlp.{e}.gate_proj", moe, hidden)
                _fp8(t, p + f"mlp.{e}.up_proj", moe, hidden)
                _fp8(t, p + f"mlp.{e}.down_proj", hidden, moe)
        if layer >= layers:  # the MTP module's own parts
            t[p + "embed_tokens.weight"] = ("BF16", [vocab, hidden])
            t[p + "enorm.weight"] = ("BF16", [hidden])
            t[p + "hnorm.weight"] = ("BF16", [hidden])
            t[p + "eh_proj.weight"] = ("BF16", [hidden, 2 * hidden])
            t[p + "shared_head.norm.weight"] = ("BF16", [hidden])
            t[p + "shared_head.head.weight"] = ("BF16", [vocab, hidden])
    t["model.norm.weight"] = ("BF16", [hidden])
    t["lm_head.weight"] = ("BF16", [vocab, hidden])
    return t


def awq_llama_tensors(config: dict[str, Any]) -> Tensors:
    """AutoAWQ GEMM layout: per quantized linear `qweight` [in, out / 8] and `qzeros` [in / 128, out / 8] packed in
    int32, `scales` [in / 128, out] float16; embeddings, norms and lm_head stay float16."""
    plain = llama_tensors(config, dtype="F16")
    t: Tensors = {}
    for name, (dtype, shape) in plain.items():
        if name.endswith("_proj.weight"):
            out, inp = shape
            base = name.removesuffix(".weight")
            t[base + ".qweight"] = ("I32", [inp, out // 8])
            t[base + ".qzeros"] = ("I32", [inp // 128, out // 8])
            t[base + ".scales"] = ("F16", [inp // 128, out])
        else:
            t[name] = (dtype, shape)
    return t


def gptq_llama_tensors(config: dict[str, Any]) -> Tensors:
    """AutoGPTQ layout: per quantized linear `qweight` [in / 8, out] and `qzeros` [in / 128, out / 8] packed in int32,
    `scales` [in / 128, out] float16 and the act-order `g_idx` [in] int32; embeddings, norms and lm_head float16."""
    plain = llama_tensors(config, dtype="F16")
    t: Tensors = {}
    for name, (dtype, shape) in plain.items():
        if name.endswith("_proj.weight"):
            out, inp = shape
            base = name.removesuffix(".weight")
            t[base + ".qweight"] = ("I32", [inp // 8, out])
            t[base + ".qzeros"] = ("I32", [inp // 128, out // 8])
            t[base + ".scales"] = ("F16", [inp // 128, out])
            t[base + ".g_idx"] = ("I32", [inp])
        else:
            t[name] = (dtype, shape)
    return t


def fp8_llama_tensors(config: dict[str, Any]) -> Tensors:
    """llm-compressor's FP8 layout: per linear the F8_E4M3 `weight` and bfloat16 `weight_scale` and `input_scale` of
    one element each; embeddings, norms and lm_head bfloat16."""
    t: Tensors = {}
    for name, (dtype, shape) in llama_tensors(config).items():
        if name.endswith("_proj.weight"):
            base = name.removesuffix(".weight")
            t[name] = ("F8_E4M3", shape)
            t[base + ".weight_scale"] = ("BF16", [1])
            t[base + ".input_scale"] = ("BF16", [1])
        else:
            t[name] = (dtype, shape)
    return t


def headers(tensors: Tensors, shards: int = 2) -> list[dict[str, Any]]:
    """Safetensors headers (one dict per shard, tensors dealt round-robin), data offsets left at zero."""
    out: list[dict[str, Any]] = [{"__metadata__": {"format": "pt"}} for _ in range(shards)]
    for index, (name, (dtype, shape)) in enumerate(tensors.items()):
        out[index % shards][name] = {"dtype": dtype, "shape": shape, "data_offsets": [0, 0]}
    return out


def decoder_headers(config: dict[str, Any], shards: int = 2, dtype: str = "BF16") -> list[dict[str, Any]]:
    """Headers of a Llama-style decoder of this config (the builder for Llama, Mistral, Mixtral, Gemma 2, Qwen 2)."""
    return headers(llama_tensors(config, dtype), shards)


def parameters(tensors: Iterable[tuple[str, list[int]]]) -> int:
    total = 0
    for _, shape in tensors:
        n = 1
        for d in shape:
            n *= d
        total += n
    return total


@cache
def deepseek_v3_profile() -> ModelProfile:
    """DeepSeek-V3's 91,991 tensors take a second to build and count: once per test session."""
    return profile_model(DEEPSEEK_V3, headers(deepseek_v3_tensors(DEEPSEEK_V3), shards=8))
