"""How much KV cache one sequence of L tokens takes on one device, per engine: the check vLLM runs before it starts
(vllm 0.11.0 `vllm/v1/core/kv_cache_utils.py`, `check_enough_kv_cache_memory`: the KV cache of one request of
`max_model_len` tokens must fit the memory available for it, else "To serve at least one request with the models's
max seq len ... Try ... decreasing `max_model_len`") and the capacity TGI reports as `max_batch_total_tokens`.

Per layer and token, on one tensor-parallel rank:
- vLLM on GPU, grouped-query attention: K and V of `max(1, kv_heads / tp)` heads (`AttentionSpec.page_size_bytes`
  = 2 x block x heads x head size x dtype bytes; ranks beyond the KV heads hold a replica);
- vLLM on GPU, multi-head latent attention: the latent, `kv_lora_rank + qk_rope_head_dim` values, whole on every rank
  (`MLAAttentionSpec.page_size_bytes` = block x 1 x head size x dtype bytes; `ModelConfig.get_head_size`), in blocks
  of 64 tokens (FlashMLA forces block size 64 on Hopper, `vllm/platforms/cuda.py`; the kit rounds to 64 everywhere);
- tpu-inference 0.11.1: KV heads padded up to the tensor-parallel size and head dim padded to a multiple of 128
  (`tpu_inference/utils.py` `get_padded_num_heads` / `get_padded_head_dim`, used by
  `runner/kv_cache_manager.py` `get_kv_cache_spec`), in pages of `PallasAttentionBackend.get_page_size` tokens
  (16 above 8,192 tokens, else next power of two / 16 within [16, 256]) but at least `get_min_page_size`
  (`vllm/v1/attention/backends/pallas.py`, vllm 0.11.1); multi-head latent attention on TPU is not modelled;
- TGI 3.3.6: `kv_heads / tp` heads (every rank its share; `num_key_value_heads` must divide by the shards), in
  blocks of 1 token (FlashInfer, TGI's default attention: `models/globals.py`); DeepSeek V2/V3 keep uncompressed
  K and V of `num_key_value_heads` heads of `max(qk_nope_dim + qk_rope_dim, v_head_dim)` (models/__init__.py: the
  keys it reads are not DeepSeek's `qk_nope_head_dim`/`qk_rope_head_dim`, so its defaults 128 + 64 = 192 apply).

Sliding-window and chunked-attention layers: with vLLM's hybrid KV cache manager (GPU; off for chunked attention,
see `MemoryFacts.hybrid_kv_cache`) a sliding layer holds `min(window - 1 + max_num_batched_tokens, L)` tokens plus
one block (`SlidingWindowSpec.max_memory_usage_bytes`), a chunked layer `min(chunk + max_num_batched_tokens, L)`
(`ChunkedLocalAttentionSpec`). Layers of each kind are grouped with the group size of the rarest kind and the other
kinds padded to a multiple of it (`_get_kv_cache_groups_uniform_page_size`): the padding costs memory too, so the kit
counts it (vLLM's own start-up check does not, which makes the kit's figure the stricter one). When the engine keeps
every token (TPU, TGI, chunked attention on vLLM 0.11.0) every layer is full, as the engine allocates it; the one
exception is a model whose every layer slides (Mistral 7B v0.1), which vLLM's TPU fallback path would trim: the
kit counts it full there, which errs on the safe side.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from modules.fit.config import LAYER_KINDS, TextConfig
from modules.fit.dtypes import DTYPE_BYTES

FULL, SLIDING, CHUNKED = LAYER_KINDS
VLLM_BLOCK_TOKENS = 16
MLA_BLOCK_TOKENS = 64
TGI_BLOCK_TOKENS = 1
TGI_MLA_HEAD_DIM = 128 + 64  # TGI's defaults for qk_nope_dim + qk_rope_dim (see module doc)
TPU_HEAD_ALIGN = 128


def cdiv(a: int, b: int) -> int:
    return -(-a // b)


def next_power_of_two(n: int) -> int:
    return 1 << (n - 1).bit_length()


def tpu_page_tokens(max_model_len: int, max_num_seqs: int) -> int:
    """`PallasAttentionBackend.get_page_size`, raised to `get_min_page_size` (tpu-inference's platform does both)."""
    page = 16 if max_model_len > 8192 else min(max(next_power_of_two(max_model_len) // 16, 16), 256)
    pages_per_request = 1024 * 1024 // 2 // max_num_seqs // 4
    return max(page, next_power_of_two(cdiv(max_model_len, pages_per_request)))


@dataclass(frozen=True)
class KvLayout:
    """The KV cache of one sequence on one device."""

    token_bytes: int
    """Bytes per token per layer on one device."""
    groups: tuple[tuple[str, int, int], ...]
    """(kind, layers incl. padding, window or chunk tokens; 0 for full attention)."""
    block_tokens: int
    """Tokens per block; 0 means TPU pages, sized from the context (`tpu_page_tokens`)."""
    scheduled_tokens: int
    """vLLM's max_num_batched_tokens: how far past its window a sliding layer may hold tokens during a prefill."""
    tpu_max_num_seqs: int = 256
    detail: str = ""
    """How `token_bytes` is made, for the report."""

    def block_for(self, tokens: int) -> int:
        return self.block_tokens or tpu_page_tokens(tokens, self.tpu_max_num_seqs)

    def sequence_bytes(self, tokens: int) -> int:
        """KV bytes one sequence of `tokens` tokens needs on one device."""
        block = self.block_for(tokens)
        blocks = 0
        for kind, layers, span in self.groups:
            if kind == SLIDING:
                blocks += layers * (cdiv(min(span - 1 + self.scheduled_tokens, tokens), block) + 1)
            elif kind == CHUNKED:
                blocks += layers * cdiv(min(span + self.scheduled_tokens, tokens), block)
            else:
                blocks += layers * cdiv(tokens, block)
        return blocks * block * self.token_bytes

    @property
    def layers(self) -> int:
        return sum(layers for _, layers, _ in self.groups)


def _groups(config: TextConfig, hybrid: bool) -> tuple[tuple[str, int, int], ...]:
    kinds = Counter(config.layer_types)
    span = {FULL: 0, SLIDING: config.sliding_window or 0, CHUNKED: config.attention_chunk_size or 0}
    if len(kinds) == 1 and hybrid:  # one kind on every layer: one uniform group, no padding
        ((kind, count),) = kinds.items()
        return ((kind, count, span[kind]),)
    if not hybrid or CHUNKED in kinds:  # vLLM 0.11.0 turns the hybrid manager off for chunked attention
        return ((FULL, config.layers, 0),)
    group = min(kinds.values())
    return tuple((kind, cdiv(count, group) * group, span[kind]) for kind, count in sorted(kinds.items()))


def kv_layout(
    config: TextConfig, engine: str, kind: str, tp: int, kv_dtype: str, hybrid: bool, scheduled_tokens: int
) -> KvLayout:
    """The layout for `engine` ("vllm"/"tgi") on `kind` ("gpu"/"tpu") at tensor-parallel size `tp`."""
    size = DTYPE_BYTES[kv_dtype]
    if config.mla and engine == "vllm":
        dim = config.mla_latent_dim
        return KvLayout(
            dim * size,
            ((FULL, config.layers, 0),),
            MLA_BLOCK_TOKENS,
            scheduled_tokens,
            detail=f"latent {config.kv_lora_rank} + {config.qk_rope_head_dim} x {size} B, whole on every rank",
        )
    if config.mla:  # TGI
        heads = config.kv_heads // tp
        return KvLayout(
            2 * heads * TGI_MLA_HEAD_DIM * size,
            ((FULL, config.layers, 0),),
            TGI_BLOCK_TOKENS,
            scheduled_tokens,
            detail=f"2 x {heads} KV heads x {TGI_MLA_HEAD_DIM} (uncompressed) x {size} B",
        )
    if kind == "tpu":
        heads = max(config.kv_heads, tp) // tp
        dim = cdiv(config.head_dim, TPU_HEAD_ALIGN) * TPU_HEAD_ALIGN
        return KvLayout(
            2 * heads * dim * size,
            _groups(config, hybrid=False),
            0,
            scheduled_tokens,
            detail=f"2 x {heads} KV heads x {dim} (head dim padded to 128) x {size} B",
        )
    heads = max(1, config.kv_heads // tp)
    block = TGI_BLOCK_TOKENS if engine == "tgi" else VLLM_BLOCK_TOKENS
    return KvLayout(
        2 * heads * config.head_dim * size,
        _groups(config, hybrid and engine == "vllm"),
        block,
        scheduled_tokens,
        detail=f"2 x {heads} KV heads x {config.head_dim} x {size} B",
    )
