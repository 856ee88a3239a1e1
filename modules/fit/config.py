"""The language model's shape from `config.json`, with the defaults its transformers config class would apply.

A `config.json` lists only what differs from the class defaults (Gemma 3's `text_config` has no
`max_position_embeddings`: Gemma3TextConfig's 131,072 applies), and the engines build their model from the
transformers config object, defaults included. So every field fit needs is read from the file, else taken from the
class default of its `model_type`, and each default taken is reported.

Defaults: transformers 5.14.1 (what tpu-inference 0.27.0 pins) and 5.5.3 (the oldest vLLM 0.26.0 accepts,
`transformers >= 5.5.3` in its wheel's metadata; the GPU image installs the newest release at build time), each
`transformers/models/<type>/configuration_<type>.py` read from the PyPI wheel on 2026-12-02: both declare the same
defaults for every field below as 4.57.1 did, and derive `layer_types` the same way (in `__post_init__` now).
`kimi_k2` has no transformers class (it ships its own code, architecture DeepseekV3ForCausalLM): DeepseekV3Config's
defaults are used for it.

Derived context: vLLM's own rule (vLLM 0.26.0 `vllm/config/model.py` `_get_and_verify_max_len` line 2152, unchanged
in 0.27.0): the smallest of the length keys the text config has (`derive_max_model_len_and_key`, vllm/
transformers_utils/model_arch_config_convertor.py line 328), capped by `model_max_length` of the staged
`tokenizer_config.json`, then the rope parameters (`rope_parameters`, into which transformers 5 reads a file's
`rope_scaling`; one set, or one per layer type), except rope types su, longrope, llama3 and model types containing
gemma3: yarn -> `original_max_position_embeddings x factor`, other types -> `x factor`. vLLM refuses a
--max-model-len above it, so it caps what `hfkit fit`/`hfkit serve` may propose.

KV cache quantization vLLM picks by itself (`kv_cache_quant_algo`): ModelOpt checkpoints only (`get_kv_cache_quant_
algo_string`, vllm/utils/torch_utils.py): `kv_cache_scheme` or `kv_cache_quant_algo` of the quantization config (or
of its `quantization` section), an FP8 one making vLLM's `auto` KV cache fp8; an NVFP4 KV cache is not modelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from modules.fit.errors import ProfileError

_UNSET = object()

#: Per model_type: the config class and the defaults of the fields fit reads (None = the class default is None).
CLASS_DEFAULTS: dict[str, tuple[str, dict[str, Any]]] = {
    "llama": ("LlamaConfig", {
        "vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": None, "head_dim": None, "max_position_embeddings": 2048,
    }),
    "mistral": ("MistralConfig", {
        "vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": None, "max_position_embeddings": 131072,
        "sliding_window": 4096,
    }),
    "mixtral": ("MixtralConfig", {
        "vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": None, "max_position_embeddings": 131072,
        "sliding_window": None, "num_local_experts": 8, "num_experts_per_tok": 2,
    }),
    "qwen2": ("Qwen2Config", {
        "vocab_size": 151936, "hidden_size": 4096, "intermediate_size": 22016, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": 32, "max_position_embeddings": 32768,
        "use_sliding_window": False, "sliding_window": 4096,
    }),
    "qwen3": ("Qwen3Config", {
        "vocab_size": 151936, "hidden_size": 4096, "intermediate_size": 22016, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": 32, "head_dim": 128, "max_position_embeddings": 32768,
        "use_sliding_window": False, "sliding_window": 4096,
    }),
    "qwen2_moe": ("Qwen2MoeConfig", {
        "vocab_size": 151936, "hidden_size": 2048, "intermediate_size": 5632, "num_hidden_layers": 24,
        "num_attention_heads": 16, "num_key_value_heads": 16, "max_position_embeddings": 32768,
        "use_sliding_window": False, "sliding_window": 4096, "moe_intermediate_size": 1408,
        "num_experts_per_tok": 4, "num_experts": 60,
    }),
    "qwen3_moe": ("Qwen3MoeConfig", {
        "vocab_size": 151936, "hidden_size": 2048, "intermediate_size": 6144, "num_hidden_layers": 24,
        "num_attention_heads": 32, "num_key_value_heads": 4, "max_position_embeddings": 32768,
        "use_sliding_window": False, "sliding_window": 4096, "moe_intermediate_size": 768,
        "num_experts_per_tok": 8, "num_experts": 128,
    }),
    "phi3": ("Phi3Config", {
        "vocab_size": 32064, "hidden_size": 3072, "intermediate_size": 8192, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": None, "max_position_embeddings": 4096,
        "sliding_window": None,
    }),
    "gemma": ("GemmaConfig", {
        "vocab_size": 256000, "hidden_size": 3072, "intermediate_size": 24576, "num_hidden_layers": 28,
        "num_attention_heads": 16, "num_key_value_heads": 16, "head_dim": 256, "max_position_embeddings": 8192,
    }),
    "gemma2": ("Gemma2Config", {
        "vocab_size": 256000, "hidden_size": 2304, "intermediate_size": 9216, "num_hidden_layers": 26,
        "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256, "max_position_embeddings": 8192,
        "sliding_window": 4096,
    }),
    "gemma3_text": ("Gemma3TextConfig", {
        "vocab_size": 262208, "hidden_size": 2304, "intermediate_size": 9216, "num_hidden_layers": 26,
        "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256, "max_position_embeddings": 131072,
        "sliding_window": 4096, "sliding_window_pattern": 6,
    }),
    "llama4_text": ("Llama4TextConfig", {
        "vocab_size": 202048, "hidden_size": 5120, "intermediate_size": 8192, "num_hidden_layers": 48,
        "num_attention_heads": 40, "num_key_value_heads": 8, "head_dim": 128, "max_position_embeddings": 131072,
        "num_local_experts": 16, "num_experts_per_tok": 1, "attention_chunk_size": 8192, "no_rope_layers": None,
        "no_rope_layer_interval": 4,
    }),
    "deepseek_v2": ("DeepseekV2Config", {
        "vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": None, "max_position_embeddings": 2048,
        "kv_lora_rank": 512, "q_lora_rank": 1536, "qk_rope_head_dim": 64, "moe_intermediate_size": 1407,
        "n_routed_experts": 64, "num_experts_per_tok": None,
    }),
    "deepseek_v3": ("DeepseekV3Config", {
        "vocab_size": 129280, "hidden_size": 7168, "intermediate_size": 18432, "num_hidden_layers": 61,
        "num_attention_heads": 128, "num_key_value_heads": 128, "max_position_embeddings": 4096,
        "kv_lora_rank": 512, "q_lora_rank": 1536, "qk_rope_head_dim": 64, "moe_intermediate_size": 2048,
        "n_routed_experts": 256, "num_experts_per_tok": 8,
    }),
}  # fmt: skip
#: Model types that use another type's class (see module doc).
ALIASES: dict[str, str] = {"kimi_k2": "deepseek_v3"}
#: Multimodal wrappers whose language model sits in `text_config`, and the text class it gets when unnamed.
TEXT_CONFIG_TYPES: dict[str, str] = {"gemma3": "gemma3_text", "llama4": "llama4_text"}
#: vLLM's multi-head latent attention model types among those modelled (vLLM 0.26.0 `is_deepseek_mla`, vllm/
#: transformers_utils/model_arch_config_convertor.py line 260).
MLA_TYPES = frozenset({"deepseek_v2", "deepseek_v3", "kimi_k2"})
#: The attention kinds transformers names in `layer_types` that the kit models (modules/fit/kv.py).
LAYER_KINDS = ("full_attention", "sliding_attention", "chunked_attention")
#: Keys vLLM takes the smallest of for the model's length (`_get_and_verify_max_len`, in its order).
LENGTH_KEYS = (
    "max_position_embeddings", "n_positions", "max_seq_len", "seq_length", "model_max_length",
    "max_target_positions", "max_sequence_length", "max_seq_length", "seq_len",
)  # fmt: skip


@dataclass(frozen=True)
class TgiLauncherView:
    """What TGI 3.3.7's launcher reads of config.json to default `--max-batch-prefill-tokens`
    (launcher/src/main.rs: `RawConfig` -> `Config`, top-level keys only; `flop` line 281, `token_vram` line 330,
    `model_vram` line 337)."""

    flop: int | None
    """FLOPs per token; None with a `vision_config` or a missing field."""
    max_positions: int | None
    model_vram: int | None
    """None for a quantized checkpoint."""
    token_vram: int | None
    head_dim: int | None = None
    """The head dim the launcher chooses TGI's attention backend by (`Config::get_head_dim`: top-level `head_dim`,
    else hidden_size / num_attention_heads when it divides, else `text_config.head_dim`, else 256 for gemma3)."""


def tgi_launcher_view(config: Mapping[str, Any]) -> TgiLauncherView:
    """The launcher's own arithmetic, reproduced as written (its attention term of `model_vram` has no hidden size;
    the kit keeps that, since it only caps the prefill)."""
    hidden = config.get("hidden_size") or config.get("n_embd")
    heads = config.get("num_attention_heads")
    head_dim = config.get("head_dim") or (hidden // heads if hidden and heads and hidden % heads == 0 else None)
    kv = config.get("num_key_value_heads") or heads
    inter, layers, vocab = config.get("intermediate_size"), config.get("num_hidden_layers"), config.get("vocab_size")
    experts_per_token = config.get("num_experts_per_tok") or 1
    shared, experts = config.get("n_shared_experts") or 0, config.get("num_local_experts") or 1
    quant = config.get("quantization_config")
    quantized = isinstance(quant, Mapping) and "quant_method" in quant
    flop = model_vram = token_vram = None
    if heads and kv and head_dim and hidden and inter and layers:
        attention = (2 * heads + 2 * kv + 2 * kv + 2 * heads + 2 * heads) * head_dim * hidden
        if "vision_config" not in config:
            flop = layers * (attention + 2 * 3 * hidden * inter * (experts_per_token + shared))
        if not quantized:
            token_vram = kv * 2 * head_dim * 2 * layers + (inter + inter // 2) * experts * 2 * 3
            if vocab:
                layer = 3 * inter * experts * hidden + (heads + 2 * kv) * head_dim + heads * head_dim * hidden
                model_vram = (layer * layers + 2 * hidden * vocab) * 2
    positions = config.get("max_position_embeddings") or config.get("max_seq_len") or config.get("n_positions")
    text = config.get("text_config")
    launcher_head_dim = head_dim or (text.get("head_dim") if isinstance(text, Mapping) else None)
    if launcher_head_dim is None and config.get("model_type") == "gemma3":
        launcher_head_dim = 256
    return TgiLauncherView(flop, positions, model_vram, token_vram, launcher_head_dim)


@dataclass(frozen=True)
class TextConfig:
    """What sizing needs of the language model, defaults applied."""

    model_type: str
    """The language model's type (`gemma3_text` inside a `gemma3` config)."""
    top_model_type: str
    """The file's own `model_type` (`gemma3`)."""
    architectures: tuple[str, ...]
    layers: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    hidden_size: int
    intermediate_size: int
    dense_intermediate_size: int
    """The widest dense MLP (Llama 4's dense layers use `intermediate_size_mlp`)."""
    vocab_size: int
    context_length: int
    torch_dtype: str | None
    layer_types: tuple[str, ...]
    """Per layer: "full_attention", "sliding_attention" or "chunked_attention" (transformers' names)."""
    sliding_window: int | None
    attention_chunk_size: int | None
    kv_lora_rank: int | None
    """Set for multi-head latent attention: the cache holds `kv_lora_rank + qk_rope_head_dim` per token per layer."""
    qk_rope_head_dim: int | None
    experts: int | None
    experts_per_token: int | None
    moe_intermediate_size: int | None
    mtp_layers: int
    """DeepSeek's multi-token-prediction layers after the last layer (`num_nextn_predict_layers`)."""
    quantization: str | None
    """`quantization_config.quant_method` when the checkpoint is quantized."""
    kv_cache_scheme: Mapping[str, Any] | None
    defaults_used: tuple[str, ...]
    """`field=value (Class default)` for every value the file did not give."""
    tgi_launcher: TgiLauncherView | None = None
    kv_cache_quant_algo: str | None = None
    """The KV cache dtype a ModelOpt checkpoint asks vLLM for ("fp8"), else None (module doc)."""

    @property
    def mla(self) -> bool:
        return self.kv_lora_rank is not None

    @property
    def mla_latent_dim(self) -> int:
        return (self.kv_lora_rank or 0) + (self.qk_rope_head_dim or 0)


class _Reader:
    """Reads fields of one config dict, falling back to the class defaults and recording each default taken."""

    def __init__(self, data: Mapping[str, Any], model_type: str) -> None:
        self.data = data
        self.class_name, self.defaults = CLASS_DEFAULTS[ALIASES.get(model_type, model_type)]
        self.used: list[str] = []

    def get(self, key: str, default: Any = _UNSET) -> Any:
        if key in self.data:
            return self.data[key]
        value = self.defaults.get(key, None if default is _UNSET else default)
        if key in self.defaults and value is not None:  # a None default means "derived": nothing taken to report
            self.used.append(f"{key}={value} ({self.class_name} default)")
        return value

    def positive(self, key: str) -> int:
        value = self.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ProfileError(f"config.json: {key} is {value!r}; allowed: a positive integer")
        return value

    def optional_positive(self, key: str) -> int | None:
        value = self.get(key)
        return None if value is None else self.positive(key)


def _text_part(config: Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
    top_type = config.get("model_type")
    if not isinstance(top_type, str):
        raise ProfileError("config.json: model_type is missing; allowed: a transformers model type such as 'llama'")
    nested = config.get("text_config")
    if top_type in TEXT_CONFIG_TYPES:
        text = nested if isinstance(nested, Mapping) else {}
        return text, str(text.get("model_type", TEXT_CONFIG_TYPES[top_type]))
    return config, top_type


def _unsupported(model_type: str) -> ProfileError:
    known = ", ".join(sorted([*CLASS_DEFAULTS, *ALIASES, *TEXT_CONFIG_TYPES]))
    return ProfileError(f"config.json: model_type {model_type!r} is not modelled by hfkit fit; allowed: {known}")


def _layer_types(r: _Reader, model_type: str, layers: int, sliding: int | None) -> tuple[str, ...]:
    """transformers' per-layer attention kinds: the file's `layer_types`, else the pattern the class derives."""
    explicit = r.data.get("layer_types")
    if explicit is not None:
        if not isinstance(explicit, list) or len(explicit) != layers:
            raise ProfileError(f"config.json: layer_types must list {layers} entries (num_hidden_layers)")
        unknown = sorted(set(map(str, explicit)) - set(LAYER_KINDS))
        if unknown:
            raise ProfileError(
                f"config.json: layer_types {', '.join(unknown)} are not modelled by hfkit fit; "
                f"allowed: {', '.join(LAYER_KINDS)}"
            )
        return tuple(str(t) for t in explicit)
    if model_type == "gemma2":  # Gemma2Config: sliding on even layers
        return tuple("sliding_attention" if (i + 1) % 2 else "full_attention" for i in range(layers))
    if model_type == "gemma3_text":  # Gemma3TextConfig: every 6th layer (sliding_window_pattern) is global
        pattern = r.positive("sliding_window_pattern")
        return tuple("sliding_attention" if (i + 1) % pattern else "full_attention" for i in range(layers))
    if model_type == "llama4_text":  # Llama4TextConfig: no_rope_layers (default: every 4th) are global
        no_rope = r.get("no_rope_layers") or [
            int((i + 1) % r.positive("no_rope_layer_interval") != 0) for i in range(layers)
        ]
        return tuple("chunked_attention" if flag else "full_attention" for flag in no_rope)
    # Other classes define no per-layer kinds; vLLM then applies the model's sliding_window (if any) to every layer
    # (vLLM 0.26.0 vllm/model_executor/layers/attention/attention.py lines 260-268: the layer's own window, else
    # `cache_config.sliding_window`, which engine/arg_utils.py sets only when the model is not interleaved).
    return tuple("sliding_attention" if sliding else "full_attention" for _ in range(layers))


def _rope_sets(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """`rope_parameters` (or the older `rope_scaling`) as a list of parameter sets, as vLLM iterates them."""
    rope = data.get("rope_parameters") or data.get("rope_scaling")
    if not isinstance(rope, Mapping):
        return []
    if rope and all(isinstance(value, Mapping) for value in rope.values()):  # one set per layer type
        return list(rope.values())
    return [rope]


def context_length(r: _Reader, model_type: str, tokenizer_max_length: float | None = None) -> int:
    """vLLM's derived maximum length (module doc)."""
    lengths = {key: r.get(key) for key in LENGTH_KEYS if key in r.data or key in r.defaults}
    values = [v for v in lengths.values() if isinstance(v, int | float) and not isinstance(v, bool)]
    if not values:
        raise ProfileError(f"config.json: none of {', '.join(LENGTH_KEYS)} is set; hfkit fit needs the context length")
    derived = float(min(values))
    if isinstance(lengths.get("model_max_length"), int | float):
        derived = float(lengths["model_max_length"])
    if tokenizer_max_length is not None:
        derived = min(derived, float(tokenizer_max_length))
    if "gemma3" not in model_type:
        factor = 1.0
        for rope in _rope_sets(r.data):
            rope_type = rope.get("rope_type", rope.get("type"))
            if rope_type not in ("su", "longrope", "llama3"):
                factor = float(rope.get("factor") or factor)
                if rope_type == "yarn":
                    derived = float(rope["original_max_position_embeddings"])
        derived *= factor
    return int(derived)


def _tokenizer_max_length(tokenizer_config: Mapping[str, Any] | None) -> float | None:
    value = (tokenizer_config or {}).get("model_max_length")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _kv_cache_quant_algo(quant: Mapping[str, Any] | None) -> str | None:
    """vLLM's `get_kv_cache_quant_algo_string` for ModelOpt checkpoints (module doc)."""
    if not quant or not str(quant.get("quant_method", "")).startswith("modelopt"):
        return None
    inner = quant.get("quantization", quant)
    inner = inner if isinstance(inner, Mapping) else quant
    keys = ((inner, "kv_cache_scheme"), (quant, "kv_cache_scheme"), (inner, "kv_cache_quant_algo"),
            (quant, "kv_cache_quant_algo"))  # fmt: skip
    algorithm = next((value for source, key in keys if (value := source.get(key))), None)
    if isinstance(algorithm, Mapping):
        fp8 = algorithm.get("dynamic") is False and algorithm.get("num_bits") == 8 and algorithm.get("type") == "float"
        return "fp8" if fp8 else None
    if algorithm is not None and str(algorithm).lower() == "nvfp4":
        raise ProfileError(
            "config.json: quantization_config.kv_cache_quant_algo 'NVFP4' is not modelled by hfkit fit; "
            "allowed: FP8 or none"
        )
    return "fp8" if algorithm is not None and str(algorithm).lower() == "fp8" else None


def read_text_config(config: Mapping[str, Any], tokenizer_config: Mapping[str, Any] | None = None) -> TextConfig:
    """The language model's shape; a ProfileError names the field, or the model type that is not modelled.
    `tokenizer_config` is the staged tokenizer_config.json, whose `model_max_length` caps the context."""
    text, model_type = _text_part(config)
    if ALIASES.get(model_type, model_type) not in CLASS_DEFAULTS:
        raise _unsupported(model_type)
    r = _Reader(text, model_type)
    layers = r.positive("num_hidden_layers")
    heads = r.positive("num_attention_heads")
    hidden = r.positive("hidden_size")
    kv_heads = r.optional_positive("num_key_value_heads") or heads
    head_dim = r.optional_positive("head_dim") or hidden // heads
    if r.get("use_sliding_window", False):
        raise ProfileError(
            f"config.json: use_sliding_window is true; {model_type} sliding-window attention is not modelled by "
            "hfkit fit (vLLM 0.26 supports it only on every layer); allowed: use_sliding_window false"
        )
    sliding = r.optional_positive("sliding_window") if "use_sliding_window" not in r.defaults else None
    mla = model_type in MLA_TYPES and r.get("kv_lora_rank") is not None
    experts = next((v for k in ("num_local_experts", "num_experts", "n_routed_experts") if (v := r.get(k))), None)
    intermediate = r.positive("intermediate_size")
    chunk = r.optional_positive("attention_chunk_size") if "attention_chunk_size" in r.defaults else None
    quant = config.get("quantization_config") or text.get("quantization_config")
    quant = quant if isinstance(quant, Mapping) else None
    return TextConfig(
        model_type=model_type,
        top_model_type=str(config["model_type"]),
        architectures=tuple(config.get("architectures") or ()),
        layers=layers,
        attention_heads=heads,
        kv_heads=kv_heads,
        head_dim=head_dim,
        hidden_size=hidden,
        intermediate_size=intermediate,
        dense_intermediate_size=max(intermediate, int(text.get("intermediate_size_mlp") or 0)),
        vocab_size=r.positive("vocab_size"),
        context_length=context_length(r, model_type, _tokenizer_max_length(tokenizer_config)),
        torch_dtype=next((v for d in (config, text) for k in ("dtype", "torch_dtype") if (v := d.get(k))), None),
        layer_types=_layer_types(r, model_type, layers, sliding),
        sliding_window=sliding,
        attention_chunk_size=chunk,
        kv_lora_rank=r.positive("kv_lora_rank") if mla else None,
        qk_rope_head_dim=r.positive("qk_rope_head_dim") if mla else None,
        experts=experts,
        experts_per_token=r.get("num_experts_per_tok") if experts else None,
        moe_intermediate_size=r.get("moe_intermediate_size") if experts else None,
        mtp_layers=int(text.get("num_nextn_predict_layers") or 0),
        quantization=str(quant.get("quant_method", "unknown")) if quant else None,
        kv_cache_scheme=quant.get("kv_cache_scheme") if quant else None,
        defaults_used=tuple(dict.fromkeys(r.used)),
        tgi_launcher=tgi_launcher_view(config),
        kv_cache_quant_algo=_kv_cache_quant_algo(quant),
    )
