"""How much KV cache one sequence of L tokens takes on one device, per engine: the check vLLM runs before it starts
(vLLM 0.26.0 / 0.27.0 `vllm/v1/core/kv_cache_utils.py`: `get_kv_cache_configs` line 2036 calls
`_check_enough_kv_cache_memory` line 751 with `_max_memory_usage_bytes_from_groups` line 1832: the KV cache of one
request of `max_model_len` tokens must fit the memory available for it, else "To serve at least one request with the
model's max seq len ... Try ... decreasing `max_model_len`") and the capacity TGI reports as `max_batch_total_tokens`.

Per layer and token, on one tensor-parallel rank:
- vLLM on GPU, grouped-query attention: K and V of `max(1, kv_heads / tp)` heads (`AttentionSpec.real_page_size_
  bytes` = 2 x block x heads x head size x dtype bytes, vllm/v1/kv_cache_interface.py line 204; ranks beyond the KV
  heads hold a replica), in blocks of 16 tokens (the default block size, which FLASH_ATTN, FLASHINFER and
  TRITON_ATTN all take: `get_preferred_block_size`, vllm/v1/attention/backend.py line 195);
- vLLM on GPU, multi-head latent attention: the latent, `kv_lora_rank + qk_rope_head_dim` values, whole on every rank
  (`MLAAttentionSpec.real_page_size_bytes` = block x 1 x head size x dtype bytes, line 398), in blocks of the MLA
  backend's size (`modules.catalog.engines.VLLM_MLA_BLOCK_TOKENS`: 16, 32 on B200);
- tpu-inference 0.27.0: KV heads padded up to the tensor-parallel size (`get_padded_num_heads`, tpu_inference/
  utils.py line 240), laid out by its ragged paged attention kernel (`get_kv_cache_shape_with_mesh`, tpu_inference/
  runner/kv_cache.py line 56): for a head dim of 64, K and V share the 128 lanes, `align(heads, packing) x 128`
  values per token (kernels/ragged_paged_attention/v3/kernel_hd64.py line 236); otherwise `align(2 x heads,
  packing) x align(head dim, 128)` (kernel.py line 261), where packing = 32 bits / dtype bits (2 for bfloat16).
  Tokens go in pages of `PallasAttentionBackend.get_page_size` (16 above 8,192 tokens, else next power of two / 16
  within [16, 256]) raised to `get_min_page_size` (tpu_inference/layers/vllm/backends/flash_attn.py lines 112-143,
  applied by platforms/tpu_platform.py lines 333-353); multi-head latent attention on TPU is refused upstream
  (modules/fit/memory.py);
- TGI 3.3.7: `kv_heads / tp` heads (every rank its share; `num_key_value_heads` must divide by the shards), in
  blocks of 1 token with FlashInfer, TGI's default attention, and of 256 tokens with flashdecoding, which its
  launcher picks for head dims other than 64/128/256 and for DeepSeek (`models/globals.py`; `tgi_attention`,
  modules/fit/engine_paths.py); DeepSeek V2/V3 keep uncompressed
  K and V of `num_key_value_heads` heads of `max(qk_nope_dim + qk_rope_dim, v_head_dim)` (models/__init__.py: the
  keys it reads are not DeepSeek's `qk_nope_head_dim`/`qk_rope_head_dim`, so its defaults 128 + 64 = 192 apply).

Sliding-window and chunked-attention layers, where the engine keeps only the window (`keeps_window`: vLLM on GPU, and
on TPU for models through vLLM's model code; modules/fit/engine_paths.py): a sliding layer holds
`min(window - 1 + in-flight tokens, L)` tokens plus one block (`SlidingWindowSpec.max_admission_blocks_per_request`,
kv_cache_interface.py line 567), a chunked layer `min(chunk + in-flight tokens, L)` (line 502), where in-flight
tokens = 2 x max_num_batched_tokens under vLLM's default async scheduling (`MemoryFacts.in_flight_batches`). Layers
of each kind are grouped (`_get_kv_cache_groups_uniform_page_size`, kv_cache_utils.py line 1137): the group size is
the count of the rarest kind, or of the commonest when that is under 1.5 times the rarest (line 1224), and each kind
is padded to a multiple of it; vLLM's start-up check counts the padding (`group_size x page x blocks` summed over the
groups), and so does the kit. A model with chunked attention turns vLLM's hybrid KV cache manager off (config/
vllm.py), and then every layer is allocated whole, as TGI and tpu-inference's JAX models allocate every layer; a
model whose every layer is of one kind (Mistral 7B v0.1 slides on every layer) keeps that kind even then
(`unify_hybrid_kv_cache_specs` returns early for uniform specs, line 1429).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from modules.catalog.engines import TGI_BLOCK_TOKENS
from modules.fit.config import LAYER_KINDS, TextConfig
from modules.fit.dtypes import DTYPE_BYTES

FULL, SLIDING, CHUNKED = LAYER_KINDS
VLLM_BLOCK_TOKENS = 16
TGI_MLA_HEAD_DIM = 128 + 64  # TGI's defaults for qk_nope_dim + qk_rope_dim (see module doc)
TPU_LANES = 128
#: tpu-inference's dedicated kernel for this head dim packs K and V into one 128-lane row.
TPU_PACKED_HEAD_DIM = 64
#: vLLM's grouping keeps the commonest kind's count as the group size below this ratio to the rarest.
GROUP_SIZE_RATIO = 1.5


def cdiv(a: int, b: int) -> int:
    return -(-a // b)


def align(a: int, b: int) -> int:
    return cdiv(a, b) * b


def next_power_of_two(n: int) -> int:
    return 1 << (n - 1).bit_length()


def tpu_page_tokens(max_model_len: int, max_num_seqs: int) -> int:
    """`PallasAttentionBackend.get_page_size`, raised to `get_min_page_size` (tpu-inference's platform does both)."""
    page = 16 if max_model_len > 8192 else min(max(next_power_of_two(max_model_len) // 16, 16), 256)
    pages_per_request = 1024 * 1024 // 2 // max_num_seqs // 4
    return max(page, next_power_of_two(cdiv(max_model_len, pages_per_request)))


def tpu_token_bytes(kv_heads: int, tp: int, head_dim: int, dtype_bytes: int) -> tuple[int, str]:
    """Bytes per token per layer on one JAX device (a TPU7x chip is two), and how they are made (module doc)."""
    heads = max(kv_heads, tp) // tp
    packing = 4 // dtype_bytes
    if head_dim == TPU_PACKED_HEAD_DIM:
        rows = align(heads, packing)
        detail = f"{rows} rows of 128 (K and V of {heads} KV heads x 64 share them) x {dtype_bytes} B"
        return rows * TPU_LANES * dtype_bytes, detail
    rows, lanes = align(2 * heads, packing), align(head_dim, TPU_LANES)
    detail = f"{rows} (K and V of {heads} KV heads) x {lanes} (head dim {head_dim} padded to 128) x {dtype_bytes} B"
    return rows * lanes * dtype_bytes, detail


@dataclass(frozen=True)
class KvLayout:
    """The KV cache of one sequence on one device."""

    token_bytes: int
    """Bytes per token per layer on one device."""
    groups: tuple[tuple[str, int, int], ...]
    """(kind, layers incl. padding, window or chunk tokens; 0 for full attention)."""
    block_tokens: int
    """Tokens per block; 0 means TPU pages, sized from the context (`tpu_page_tokens`)."""
    in_flight_tokens: int
    """How far past its window a sliding or chunked layer may hold tokens (module doc)."""
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
                blocks += layers * (cdiv(min(span - 1 + self.in_flight_tokens, tokens), block) + 1)
            elif kind == CHUNKED:
                blocks += layers * cdiv(min(span + self.in_flight_tokens, tokens), block)
            else:
                blocks += layers * cdiv(tokens, block)
        return blocks * block * self.token_bytes

    @property
    def layers(self) -> int:
        return sum(layers for _, layers, _ in self.groups)


def _groups(config: TextConfig, keeps_window: bool) -> tuple[tuple[str, int, int], ...]:
    kinds = Counter(config.layer_types)
    span = {FULL: 0, SLIDING: config.sliding_window or 0, CHUNKED: config.attention_chunk_size or 0}
    if not keeps_window:
        return ((FULL, config.layers, 0),)
    if len(kinds) == 1:  # one kind on every layer: one uniform group, no padding
        ((kind, count),) = kinds.items()
        return ((kind, count, span[kind]),)
    if CHUNKED in kinds:  # chunked attention turns the hybrid manager off: every layer whole
        return ((FULL, config.layers, 0),)
    smallest, largest = min(kinds.values()), max(kinds.values())
    group = largest if largest < smallest * GROUP_SIZE_RATIO else smallest
    return tuple((kind, align(count, group), span[kind]) for kind, count in sorted(kinds.items()))


def kv_layout(
    config: TextConfig,
    engine: str,
    kind: str,
    tp: int,
    kv_dtype: str,
    *,
    in_flight_tokens: int,
    keeps_window: bool,
    mla_block_tokens: int = VLLM_BLOCK_TOKENS,
    tgi_attention: str = "flashinfer",
) -> KvLayout:
    """The layout for `engine` ("vllm"/"tgi") on `kind` ("gpu"/"tpu") at tensor-parallel size `tp`; `tgi_attention` is
    TGI's backend ("flashinfer" or "flashdecoding"), which sets its block."""
    size = DTYPE_BYTES[kv_dtype]
    if config.mla and engine == "vllm":
        dim = config.mla_latent_dim
        return KvLayout(
            dim * size,
            ((FULL, config.layers, 0),),
            mla_block_tokens,
            in_flight_tokens,
            detail=f"latent {config.kv_lora_rank} + {config.qk_rope_head_dim} x {size} B, whole on every rank",
        )
    if config.mla:  # TGI
        heads = config.kv_heads // tp
        return KvLayout(
            2 * heads * TGI_MLA_HEAD_DIM * size,
            ((FULL, config.layers, 0),),
            TGI_BLOCK_TOKENS[tgi_attention],
            in_flight_tokens,
            detail=f"2 x {heads} KV heads x {TGI_MLA_HEAD_DIM} (uncompressed) x {size} B, "
            f"blocks of {TGI_BLOCK_TOKENS[tgi_attention]} tokens ({tgi_attention})",
        )
    if kind == "tpu":
        token_bytes, detail = tpu_token_bytes(config.kv_heads, tp, config.head_dim, size)
        return KvLayout(token_bytes, _groups(config, keeps_window), 0, in_flight_tokens, detail=detail)
    heads = max(1, config.kv_heads // tp)
    block = TGI_BLOCK_TOKENS[tgi_attention] if engine == "tgi" else VLLM_BLOCK_TOKENS
    return KvLayout(
        2 * heads * config.head_dim * size,
        _groups(config, keeps_window),
        block,
        in_flight_tokens,
        detail=f"2 x {heads} KV heads x {config.head_dim} x {size} B"
        + (f", blocks of {block} tokens ({tgi_attention})" if engine == "tgi" and block > 1 else ""),
    )
