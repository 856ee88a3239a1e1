"""The models people serve, sized the way the pinned engines load and allocate them (issue 10): config defaults,
multi-head latent attention, stored vs served dtype, quantized checkpoints, sliding and chunked attention, and what is
refused as not modelled. Each expectation is computed by hand in its docstring from the public config and the
engine source cited in modules/fit/*.py; the shared conventions are in test_fit_arithmetic.py's docstring."""

from __future__ import annotations

import pytest

from modules.catalog.engines import ENGINES
from modules.fit.config import read_text_config
from modules.fit.dtypes import kv_cache_dtype, served_dtype
from modules.fit.errors import ProfileError
from modules.fit.kv import FULL, SLIDING, kv_layout
from modules.fit.memory import PoolShape, fit, gpu_shape, tpu_shape
from modules.fit.profile import ModelProfile, profile_model
from tests.fit.models import (
    GEMMA_2_27B,
    GEMMA_3_27B,
    KIMI_K2,
    LLAMA_3_1_8B,
    LLAMA_3_1_8B_AWQ,
    LLAMA_3_1_8B_FP8,
    LLAMA_3_1_8B_GPTQ,
    LLAMA_4_SCOUT,
    QWEN2_5_7B,
    TINYLLAMA_V1_1,
    awq_llama_tensors,
    deepseek_v3_profile,
    deepseek_v3_tensors,
    fp8_llama_tensors,
    gemma3_tensors,
    gptq_llama_tensors,
    headers,
    llama4_text_tensors,
    llama_tensors,
    parameters,
)

VLLM, TGI = ENGINES["vllm"], ENGINES["tgi"]
L4 = gpu_shape("g2-standard-8")
#: 1 x H100 80GB (a3-highgpu-1g): built here, the GPU catalog belongs to another change.
H100 = PoolShape("gpu", "a3-highgpu-1g", "nvidia-h100-80gb", 1, 80 * 10**9)
H100_X8 = gpu_shape("a3-highgpu-8g")
H200_X8 = gpu_shape("a3-ultragpu-8g")
V5E_2X2 = tpu_shape("ct5lp-hightpu-4t")
V5E_2X4 = tpu_shape("ct5lp-hightpu-8t")


@pytest.fixture(scope="module")
def deepseek() -> ModelProfile:
    return deepseek_v3_profile()


@pytest.fixture(scope="module")
def gemma3() -> ModelProfile:
    return profile_model(GEMMA_3_27B, headers(gemma3_tensors(GEMMA_3_27B)))


def test_gemma_3_takes_its_config_class_defaults(gemma3: ModelProfile) -> None:
    """google/gemma-3-27b-it's text_config names neither max_position_embeddings nor vocab_size: Gemma3TextConfig
    (transformers 5.14.1, which tpu-inference 0.27.0 pins, and 5.5.3, the oldest vLLM 0.26.0 takes) defaults them
    to 131,072 and 262,208, and derives layer_types from sliding_window_pattern 6: layers 5, 11, ..., 59 are global
    (10), the other 52 slide over 1,024 tokens. vLLM ignores Gemma 3's linear rope factor 8 for the context
    ("Gemma3's max_model_len (128K) is already scaled"). Parameters: text 27,009,346,304 + SigLIP tower 416,866,032
    + projector 6,194,304 = 27,432,406,640, the published count."""
    c = gemma3.config
    assert c.defaults_used == (
        "vocab_size=262208 (Gemma3TextConfig default)",
        "max_position_embeddings=131072 (Gemma3TextConfig default)",
        "sliding_window_pattern=6 (Gemma3TextConfig default)",
    )
    assert (c.model_type, c.top_model_type, c.context_length, c.head_dim, c.kv_heads) == (
        "gemma3_text",
        "gemma3",
        131072,
        128,
        16,
    )
    assert (c.layer_types.count(SLIDING), c.layer_types.count(FULL), c.sliding_window) == (52, 10, 1024)
    assert [i for i, kind in enumerate(c.layer_types) if kind == FULL] == list(range(5, 62, 6))
    assert gemma3.parameters == 27_432_406_640


def test_gemma_3_on_one_h100_keeps_only_the_window_of_sliding_layers(gemma3: ModelProfile) -> None:
    """vLLM 0.26.0 on an H100 (>= 70 GiB, not A100): 8,192 batched tokens, 1,024 sampler sequences; Gemma 3 has no
    experts, so the V2 model runner: no CUDA graphs charged.
    weights 27,432,406,640 x 2 B = 54,864,813,280; activation 8,192 x 2 x (4 x 5,376 + 3 x 32 x 128 + 3 x 21,504)
    = 1,610,612,736 + 1,024 x 262,208 x 16 = 4,296,015,872 -> 5,906,628,608; runtime 268,435,456; margin 1.6e9
    budget = 72e9 - 54,864,813,280 - 5,906,628,608 - 268,435,456 - 1,600,000,000 = 9,360,122,656
    Per layer and token: 2 x 16 heads x 128 x 2 B = 8,192, in blocks of 16 (131,072 B). Hybrid KV manager: 10 full
    and 52 sliding layers are grouped by 10 (52 >= 1.5 x 10), the sliding ones padded to 60. With async scheduling
    two batches of 8,192 tokens are in flight, so a sliding layer holds min(1,023 + 16,384, L) tokens + 1 block: it
    saves nothing below 17,407 tokens, where the 8 padding layers cost more than the window saves:
    131,072 x (10 n + 60 (n + 1)) <= budget -> 70 n + 60 <= 71,412.4 -> n <= 1,019 blocks -> 16,304 tokens
    (9,357,230,080 B). Every layer full (as TGI keeps it) would allow 9,360,122,656 / (62 x 8,192) -> 18,416."""
    f = fit(gemma3, H100, VLLM)
    assert (f.weight_bytes, f.reservation.activation, f.reservation.cuda_graphs, f.kv_budget_bytes) == (
        54_864_813_280,
        5_906_628_608,
        0,
        9_360_122_656,
    )
    assert f.layout.groups == ((FULL, 10, 0), (SLIDING, 60, 1024))
    assert (f.layout.in_flight_tokens, f.max_model_len, f.fits) == (16_384, 16_304, True)
    assert f.layout.sequence_bytes(16_304) == 9_357_230_080
    # past the in-flight tokens a sliding layer stops growing: 17,407 tokens -> 1,088 blocks + 1
    assert f.layout.sequence_bytes(131_072) == 131_072 * (10 * 8192 + 60 * 1089)
    # TGI keeps every layer whole: 62 x 8,192 B per token, at 0.81 x 80e9 usable
    assert fit(gemma3, H100, TGI).layout.groups == ((FULL, 62, 0),)


def test_gemma_3_on_tpu_keeps_the_window_too(gemma3: ModelProfile) -> None:
    """tpu-inference 0.27.0 runs Gemma3ForConditionalGeneration through vLLM's model code (it is not one of its JAX
    models), whose sliding layers get a sliding-window KV spec, and reports `support_hybrid_kv_cache` True: vLLM 0.27.0
    groups the layers as on GPU. Two batches of 2,048 tokens in flight: a sliding layer holds min(1,023 + 4,096, L)
    = 5,119 tokens + 1 page.
    v5e 2x4: per chip align(2 x 2 heads, 2) x 128 x 2 B = 1,024 B per layer per token; weights 6,861,173,344; budget
    15,461,882,265 - 6,861,173,344 - 612,032,839 = 7,988,676,082. At 131,072 tokens (pages of 256): full 10 x 512 +
    sliding 60 x (ceil(5,119 / 256) + 1 = 21) = 6,380 pages x 256 x 1,024 B = 1,672,478,720: the whole context fits
    (tpu-inference 0.11.1 allocated every layer: 125,696).
    v5e 2x2: 2,048 B per layer per token (4 heads per chip), budget 1,131,013,234. Between 16,384 and 32,768 tokens
    pages hold 64 (next_pow2(ceil(L / 512))): sliding 60 x (ceil(5,119 / 64) + 1 = 81) = 4,860 pages, full
    10 x ceil(L / 64): 64 x 2,048 x (10 n + 4,860) <= budget -> n <= 376 -> 24,064 tokens (1,129,840,640 B); pages
    of 128 above 32,768 tokens would allow only 23,680."""
    f = fit(gemma3, V5E_2X4, VLLM)
    assert f.layout.groups == ((FULL, 10, 0), (SLIDING, 60, 1024))
    assert (f.layout.token_bytes, f.layout.in_flight_tokens) == (1024, 4096)
    assert (f.weight_bytes, f.kv_budget_bytes, f.max_model_len) == (6_861_173_344, 7_988_676_082, 131_072)
    assert f.kv_bytes == 1_672_478_720
    small = fit(gemma3, V5E_2X2, VLLM)
    assert (small.kv_budget_bytes, small.max_model_len, small.kv_bytes) == (1_131_013_234, 24_064, 1_129_840_640)


def test_gemma_2_sliding_layers_on_gpu() -> None:
    """Gemma2Config alternates sliding (even layers) and global layers: 23 + 23, window 4,096. At its 8,192-token
    context a sliding layer holds min(4,095 + 2 x 8,192, 8,192) = 8,192 tokens + 1 block: no saving; the layout is
    still grouped as vLLM groups it (23 and 23: one group size, no padding)."""
    p = profile_model(GEMMA_2_27B, headers(llama_tensors(GEMMA_2_27B)))
    f = fit(p, H100, VLLM)
    assert f.layout.groups == ((FULL, 23, 0), (SLIDING, 23, 4096))
    assert f.layout.sequence_bytes(8192) == 8192 * (23 * 8192 + 23 * (8192 + 16))


def test_llama_4_chunked_attention_is_full_and_charges_cuda_graphs() -> None:
    """Llama4TextConfig marks 3 of every 4 layers `chunked_attention` (8,192-token chunks), but vLLM 0.26.0 turns
    the hybrid KV cache manager off for chunked local attention unless
    VLLM_ALLOW_CHUNKED_LOCAL_ATTN_WITH_HYBRID_KV_CACHE=1: every layer is allocated whole, as the kit counts it.
    Context: max_position_embeddings 10,485,760 (rope type llama3 is not rescaled by vLLM).
    Llama 4 has experts and is not one of vLLM's V2 MoE architectures: the V1 model runner charges CUDA graphs. 8 x
    H100 (1,024 sequences, 8,192 batched tokens): capture sizes up to min(2 x 1,024, 512, 8,192) = 512: 51 PIECEWISE
    (1, 2, 4, 8..248 step 8, 256..512 step 16) + 51 FULL graphs; the largest graph's pool 512 x 2 x (4 x 5,120 +
    3 x 5 x 128 + 1 x (3 x 1,024 + 5,120)) = 512 x 61,184 = 31,326,208, + 102 x 24 MiB = 2,566,914,048 ->
    2,598,240,256. Budget 37,222,291,456 (before graphs) - 2,598,240,256 = 34,624,051,200; 48 layers x 2 x 1 head
    x 128 x 2 B = 24,576 B per token per GPU, 393,216 per 16-token block -> 88,053 blocks = 1,408,848 tokens."""
    p = profile_model(LLAMA_4_SCOUT, headers(llama4_text_tensors(LLAMA_4_SCOUT)))
    assert p.config.layer_types.count("chunked_attention") == 36
    assert p.context_length == 10_485_760
    f = fit(p, H100_X8, VLLM)
    assert f.layout.groups == ((FULL, 48, 0),)
    assert (f.reservation.cuda_graphs, f.reservation.cuda_graph_count) == (2_598_240_256, 102)
    assert (f.kv_budget_bytes, f.max_model_len) == (34_624_051_200, 1_408_848)


def test_deepseek_v3_profile(deepseek: ModelProfile) -> None:
    """684,531,386,000 parameters in the files (HF's published total, fp8 scales included); vLLM skips the MTP
    layer model.layers.61: attention 187,133,112 + 257 experts x 3 x (2,048 x 7,168 + 16 x 56 scales) =
    11,319,020,160 + router 1,835,264 + embed, head 2 x 926,679,040 + eh_proj 102,760,448 + 3 norms 21,504
    = 13,464,128,568 not loaded; 671,067,257,432 loaded (the published 671B). Held as stored (fp8 checkpoint)."""
    assert (deepseek.parameters, deepseek.skipped_parameters) == (671_067_257_432, 13_464_128_568)
    assert deepseek.parameters + deepseek.skipped_parameters == 684_531_386_000
    assert deepseek.quantized and deepseek.context_length == 163_840  # yarn: 4,096 x 40


def test_multi_head_latent_attention_kv_cache(deepseek: ModelProfile) -> None:
    """vLLM caches the latent: (kv_lora_rank 512 + qk_rope_head_dim 64) x 2 B = 1,152 B per layer per token, whole
    on every rank: 61 x 1,152 = 70,272 B per token per GPU whatever the TP size. The GQA formula fit used to apply
    (2 x 61 x 128 KV heads x head dim 7,168 / 128 = 56 x 2 B = 1,748,992 B per token, split over 8 GPUs =
    218,624) is 25x too large in total and 3.1x too large per GPU. Blocks of 16 tokens: vLLM 0.26.0 picks
    FLASH_ATTN_MLA first on Hopper, whose kernel takes multiples of 16.
    8 x H200: held 673,150,611,808 B, of which 1,138,633,568 whole on every GPU (norms; q_a_proj and
    kv_a_proj_with_mqa with their scales, 61 x 15,142,624; routers and score biases, 58 x 3,671,040): weights
    (673,150,611,808 - 1,138,633,568) / 8 + 1,138,633,568 = 85,140,130,848 per GPU; activation 8,192 x 2 x
    (4 x 7,168 + 3 x 16 x 192 + 8 x (3 x 256 + 7,168)) + 1,024 x 129,280 x 16 = 3,779,067,904; DeepSeek-V3 runs the
    V1 model runner: CUDA graphs 512 x 202,752 + 102 x 24 MiB = 2,670,723,072; runtime 256 MiB + 2 GiB; margin
    2.82e9 -> budget 126.9e9 - ... = 30,074,159,072 >= 163,840 x 70,272 = 11,513,364,480: the full context fits.
    TGI 3.3.7 keeps K and V uncompressed: 2 x 128 / 8 heads x 192 x 2 B = 12,288 B per layer per token. Its
    launcher prefills 8 x 989e12 / 466,547,113,984 FLOPs per token (61 x (5 x 2 x 128 x 56 x 7,168 + 6 x 7,168 x
    18,432 x 9)) = 16,958 tokens at warm-up: activation 16,958 x 2 x 101,376 = 3,438,268,416; budget 0.81 x 141e9 -
    85,140,130,848 - 3,438,268,416 - 2,684,354,560 - 2,820,000,000 = 20,127,246,176; / (61 x 12,288) = 26,852 tokens.
    Its launcher runs DeepSeek with flashdecoding (model type deepseek_v2, or a head dim of 7,168 / 128 = 56, not
    64/128/256: launcher/src/main.rs `resolve_attention`), whose KV blocks hold 256 tokens, and TGI's capacity is whole
    blocks: 104 blocks = 26,624 tokens, the most `--max-total-tokens` the router accepts (26,848 would be refused)."""
    f = fit(deepseek, H200_X8, VLLM)
    assert (f.layout.token_bytes, f.layout.block_tokens, f.layout.layers) == (1152, 16, 61)
    assert (f.weight_bytes, f.reservation.cuda_graphs, f.kv_budget_bytes) == (
        85_140_130_848,
        2_670_723_072,
        30_074_159_072,
    )
    assert (f.max_model_len, f.kv_bytes) == (163_840, 11_513_364_480)
    assert fit(deepseek, H100_X8, VLLM).problem == "the weights and start-up reservations exceed the usable memory"
    t = fit(deepseek, H200_X8, TGI)
    assert (t.reservation.prefill_tokens, t.reservation.activation) == (16_958, 3_438_268_416)
    assert (t.layout.token_bytes, t.layout.block_tokens, t.kv_budget_bytes) == (12_288, 256, 20_127_246_176)
    assert t.max_model_len == 26_624


def test_kimi_k2_is_mla_too() -> None:
    """moonshotai/Kimi-K2-Instruct has model_type kimi_k2 (no transformers class: DeepseekV3Config's defaults) and
    vLLM treats it as MLA: the same 1,152 B latent per layer per token, whole on each of 8 GPUs; 61 layers. (Its
    1,026,470,727,640 fp8 parameters, counted by the same builder, cannot fit 8 x H200: 8 x 126.9e9 usable.)"""
    config = read_text_config(KIMI_K2)
    assert (config.mla, config.mla_latent_dim, config.context_length) == (True, 576, 131_072)  # yarn 4,096 x 32
    layout = kv_layout(config, "vllm", "gpu", 8, "bfloat16", in_flight_tokens=16384, keeps_window=True)
    assert (layout.token_bytes, layout.groups, layout.block_tokens) == (1152, ((FULL, 61, 0),), 16)
    # B200: vLLM 0.26.0 picks FLASHINFER_MLA on compute capability 10, whose kernel takes blocks of 32 or 64
    b200 = fit(deepseek_v3_profile(), gpu_shape("a4-highgpu-8g"), VLLM)
    assert b200.layout.block_tokens == 32
    assert parameters(deepseek_v3_tensors(KIMI_K2).values()) == 1_026_470_727_640


def test_mla_on_tpu_is_refused(deepseek: ModelProfile) -> None:
    """tpu-inference 0.27.0's platform raises for an MLA model unless NEW_MODEL_DESIGN=1 and DP attention are set
    (tpu_inference/platforms/tpu_platform.py lines 276-283); the serving stack sets neither."""
    assert fit(deepseek, V5E_2X4, VLLM).problem == (
        "multi-head latent attention (kv_lora_rank) on TPU needs NEW_MODEL_DESIGN=1 and DP attention in "
        "tpu-inference 0.27.0, which the kit does not set"
    )


def test_float32_checkpoint_is_served_in_16_bits() -> None:
    """TinyLlama/TinyLlama_v1.1 is stored in float32: 1,100,048,384 x 4 B = 4,400,193,536 B. vLLM 0.26.0 and 0.27.0
    downcast float32 to bfloat16 (first supported dtype on compute capability >= 8.0, and on TPU), TGI 3.3.7 serves
    llama in float16: 2,200,096,768 B of weights everywhere, and a 2-byte KV cache.
    One L4, 400 sequences: budget 21.6e9 - 2,200,096,768 - activation (2,048 x 2 x 31,232 = 127,926,272 + 256 x
    32,000 x 16 = 131,072,000) - 268,435,456 - 480,000,000 = 18,392,469,504; KV 22 x 2 x 4 x 64 x 2 B = 22,528 B
    per token: 400 x 22,528 x L <= budget -> L <= 2,041 -> 2,032 (as stored, float32, it would be half)."""
    p = profile_model(TINYLLAMA_V1_1, headers(llama_tensors(TINYLLAMA_V1_1, dtype="F32")))
    assert (p.parameters, p.weight_bytes) == (1_100_048_384, 4_400_193_536)
    f = fit(p, L4, VLLM, max_num_seqs=400)
    assert (f.served_dtype, f.kv_dtype, f.weight_bytes) == ("bfloat16", "bfloat16", 2_200_096_768)
    assert (f.kv_budget_bytes, f.context_limit) == (18_392_469_504, 2032)
    assert fit(p, L4, TGI).served_dtype == "float16"
    assert fit(p, V5E_2X4, VLLM).served_dtype == "bfloat16"


def test_awq_checkpoint_is_held_as_stored() -> None:
    """hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4: int32-packed qweight/qzeros and float16 scales per
    linear, float16 embeddings and norms. Per layer: q, o 8,716,288 B each; k, v 2,179,072; gate, up, down
    30,507,008; norms 16,384 -> 113,328,128 x 32 = 3,626,500,096 + embed and lm_head 2,101,346,304 + 8,192
    = 5,727,854,592 B (the repo's 5.73 GB), held as is.
    One L4: budget 21.6e9 - 5,727,854,592 - 818,937,856 - 268,435,456 - 480,000,000 = 14,304,772,096;
    / 131,072 B per token = 109,136.4 -> 109,136 tokens (the bf16 checkpoint: 30,304)."""
    p = profile_model(LLAMA_3_1_8B_AWQ, headers(awq_llama_tensors(LLAMA_3_1_8B_AWQ)))
    assert (p.weight_bytes, p.quantized, p.config.quantization) == (5_727_854_592, True, "awq")
    f = fit(p, L4, VLLM)
    assert (f.served_dtype, f.weight_bytes, f.kv_budget_bytes, f.max_model_len) == (
        "float16",
        5_727_854_592,
        14_304_772_096,
        109_136,
    )


def test_gptq_checkpoint_is_held_as_stored() -> None:
    """A GPTQ int4 Llama-3.1-8B-Instruct (AutoGPTQ layout, act-order): the AWQ sizes above (the same int32-packed
    weights and zeros, float16 scales, 5,727,854,592 B in all) plus the int32 `g_idx` of every quantized linear, one per
    input row: per layer 4 x (6 x 4,096 + 14,336) = 155,648 B, x 32 = 4,980,736 -> 5,732,835,328 B, held as stored
    (vLLM's GPTQ Marlin repacks qweight and scales in place of the same size); served in float16 (its torch_dtype).
    One L4: budget 21.6e9 - 5,732,835,328 - 818,937,856 - 268,435,456 - 480,000,000 = 14,299,791,360;
    / 131,072 B per token = 109,098.75 -> 109,088 tokens in 16-token steps. tpu-inference 0.27.0 refuses GPTQ
    (tests/fit/test_engine_rules.py)."""
    p = profile_model(LLAMA_3_1_8B_GPTQ, headers(gptq_llama_tensors(LLAMA_3_1_8B_GPTQ)))
    assert (p.weight_bytes, p.quantized, p.config.quantization) == (5_732_835_328, True, "gptq")
    f = fit(p, L4, VLLM)
    assert (f.served_dtype, f.kv_dtype, f.weight_bytes) == ("float16", "float16", 5_732_835_328)
    assert (f.kv_budget_bytes, f.max_model_len) == (14_299_791_360, 109_088)


def test_fp8_checkpoint_is_held_as_stored() -> None:
    """An FP8 compressed-tensors Llama-3.1-8B-Instruct (llm-compressor, static per-tensor scales, lm_head kept): per
    layer the seven linears' 218,103,808 F8_E4M3 weights at 1 B + 7 x 2 bfloat16 scales x 2 B + two norms 16,384 B
    = 218,120,220 B, x 32 = 6,979,847,040; embed and lm_head 2 x 128,256 x 4,096 x 2 B = 2,101,346,304; final norm
    8,192 -> 9,081,201,536 B, held as stored. Compute and KV cache stay bfloat16 (no kv_cache_scheme, and vLLM's
    `auto` KV cache follows only ModelOpt's FP8 KV setting).
    One L4: budget 21.6e9 - 9,081,201,536 - 818,937,856 - 268,435,456 - 480,000,000 = 10,951,425,152;
    / 131,072 = 83,552.7 -> 83,552 tokens. One H100: 72e9 - 9,081,201,536 - 3,275,751,424 (8,192 tokens x 2 B x
    71,680 + 1,024 x 128,256 x 16) - 268,435,456 - 1.6e9 = 57,774,611,584 B, above 131,072 x 131,072 =
    17,179,869,184: the whole 131,072-token context."""
    p = profile_model(LLAMA_3_1_8B_FP8, headers(fp8_llama_tensors(LLAMA_3_1_8B_FP8)))
    assert (p.weight_bytes, p.config.quantization) == (9_081_201_536, "compressed-tensors")
    f = fit(p, L4, VLLM)
    assert (f.served_dtype, f.kv_dtype, f.weight_bytes) == ("bfloat16", "bfloat16", 9_081_201_536)
    assert (f.kv_budget_bytes, f.max_model_len) == (10_951_425_152, 83_552)
    h = fit(p, H100, VLLM)
    assert (h.kv_budget_bytes, h.max_model_len) == (57_774_611_584, 131_072)


def test_tgi_fp8_kv_cache_from_a_compressed_tensors_scheme() -> None:
    """TGI 3.3.7 picks float8_e4m3 for the KV cache when a compressed-tensors checkpoint declares an 8-bit float
    kv_cache_scheme (CUDA, FlashInfer); vLLM's `auto` stays on the model dtype."""
    config = read_text_config(
        {
            **LLAMA_3_1_8B,
            "quantization_config": {
                "quant_method": "compressed-tensors",
                "kv_cache_scheme": {"type": "float", "num_bits": 8, "strategy": "tensor"},
            },
        }
    )
    assert kv_cache_dtype(config, "tgi", "gpu") == "float8_e4m3"
    assert kv_cache_dtype(config, "vllm", "gpu") == served_dtype(config, "vllm", "gpu") == "bfloat16"
    assert served_dtype(read_text_config(GEMMA_2_27B), "tgi", "gpu") == "bfloat16"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"model_type": "gpt2", "n_layer": 12},
            "config.json: model_type 'gpt2' is not modelled by hfkit fit; allowed: deepseek_v2, deepseek_v3, gemma, "
            "gemma2, gemma3, gemma3_text, kimi_k2, llama, llama4, llama4_text, mistral, mixtral, phi3, qwen2, "
            "qwen2_moe, qwen3, qwen3_moe",
        ),
        (
            {**QWEN2_5_7B, "use_sliding_window": True},
            "config.json: use_sliding_window is true; qwen2 sliding-window attention is not modelled by hfkit fit "
            "(vLLM 0.26 supports it only on every layer); allowed: use_sliding_window false",
        ),
        (
            {**LLAMA_3_1_8B, "num_hidden_layers": 2, "layer_types": ["full_attention", "linear_attention"]},
            "config.json: layer_types linear_attention are not modelled by hfkit fit; allowed: full_attention, "
            "sliding_attention, chunked_attention",
        ),
        (
            {"architectures": ["X"]},
            "config.json: model_type is missing; allowed: a transformers model type such as 'llama'",
        ),
    ],
)
def test_what_is_not_modelled_is_named(config: dict, message: str) -> None:
    with pytest.raises(ProfileError) as exc:
        profile_model(config, [{"w": {"dtype": "BF16", "shape": [2, 2]}}])
    assert str(exc.value) == message
