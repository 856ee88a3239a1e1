"""The fit arithmetic against hand-computed figures for public model configs on several pools.

Conventions used in the comments (sources in modules/catalog/engines.py and modules/fit/*.py):
- TPU v5e chip = 16 GiB = 17,179,869,184 B; GPUs in decimal GB (L4 24e9 B, A100-40 40e9, A100-80 / H100 80e9).
- usable per device = 0.90 (vLLM --gpu-memory-utilization) x device, truncated: v5e chip 15,461,882,265 B, L4
  21,600,000,000 B; TGI: 0.90 x TGI_WIGGLE_ROOM 0.90 = 0.81 x device.
- reserved per device = activation (vLLM on GPU, TGI) + runtime (256 MiB = 268,435,456 B for vLLM; + 2 GiB when
  TP > 1 on GPU) + safety margin 2% of the device (L4 480,000,000 B; v5e 343,597,383 B).
- vLLM 0.26.0 on an L4 profiles 2,048 tokens and samples 256 sequences (`get_batch_defaults`, vllm/engine/
  arg_utils.py line 2431): activation = 2,048 x 2 B x (4 x hidden + 3 x heads x head dim + 3 x intermediate) + 256 x
  vocab x 16 B. Models without experts run the V2 model runner, which charges no CUDA graphs before sizing the KV
  cache; MoE models (Mixtral) run V1, which does: the largest graph's 512 tokens x the activation bytes per token +
  24 MiB per graph, 51 PIECEWISE + 35 FULL graphs on an L4 (max_num_seqs 256), 51 + 51 on an H100 (1,024).
- TPU (vLLM 0.27.0 + tpu-inference 0.27.0): no activation reservation; KV heads padded to the TP size; per token per
  layer align(2 x heads, 2) x align(head dim, 128) x 2 B (bfloat16 packs 2 per 32-bit word), or align(heads, 2) x 128
  x 2 B for a head dim of 64 (K and V share the lanes); pages of 16 tokens above a context of 8,192, else
  next_pow2(context) / 16 within [16, 256], raised to next_pow2(ceil(context / 512)) (256 sequences).
- Sliding-window layers (vLLM on GPU; on TPU for models through vLLM's model code, e.g. Gemma 2) hold
  min(window - 1 + 2 x max_num_batched_tokens, L) tokens + 1 block: async scheduling keeps two batches in flight.
"""

from __future__ import annotations

import pytest

from modules.catalog.engines import ENGINES
from modules.fit.errors import ProfileError
from modules.fit.memory import catalog_shapes, fit, gpu_shape, smallest_fitting_shape, tpu_shape
from modules.fit.profile import ModelProfile, profile_model
from tests.fit.models import GEMMA_2_27B, LLAMA_3_1_8B, LLAMA_3_1_70B, MIXTRAL_8X7B, QWEN2_5_7B, decoder_headers

VLLM, TGI = ENGINES["vllm"], ENGINES["tgi"]
L4 = gpu_shape("g2-standard-8")  # 1 x L4
L4_X8 = gpu_shape("g2-standard-96")
H100_X8 = gpu_shape("a3-highgpu-8g")
V5E_2X2 = tpu_shape("ct5lp-hightpu-4t")
V5E_2X4 = tpu_shape("ct5lp-hightpu-8t")


def profile(config: dict) -> ModelProfile:
    return profile_model(config, decoder_headers(config))


def test_llama_3_1_8b_profile() -> None:
    p = profile(LLAMA_3_1_8B)
    # embed = lm_head = 128256 x 4096 = 525,336,576 (untied: two of them)
    # per layer: q 4096x4096 = 16,777,216; k = v = 4096 x (8 x 128) = 4,194,304; o 16,777,216;
    #            mlp 3 x 4096 x 14336 = 176,160,768; 2 norms 8,192  -> 218,112,000 x 32 layers = 6,979,584,000
    # total = 6,979,584,000 + 2 x 525,336,576 + final norm 4,096 = 8,030,261,248 (the published 8.03B)
    assert p.parameters == 8_030_261_248
    assert p.parameters_by_dtype == {"BF16": 8_030_261_248}
    assert p.weight_bytes == 16_060_522_496  # x 2 bytes (bf16)
    assert (p.layers, p.attention_heads, p.kv_heads, p.head_dim, p.context_length) == (32, 32, 8, 128, 131072)
    # KV per token: 2 (K, V) x 32 layers x 8 KV heads x 128 head dim x 2 bytes = 131,072 B (128 KiB)
    assert p.kv_bytes_per_token() == 131_072
    # norms (2 x 4096 x 32 + 4096 = 266,240 params) stay whole on every rank; k/v_proj split by KV head
    assert (p.parts.replicated.stored_bytes, p.parts.kv_proj.stored_bytes) == (532_480, 536_870_912)


def test_llama_3_1_8b_on_one_l4() -> None:
    """usable 21,600,000,000; weights 16,060,522,496 (TP 1);
    activation: 2,048 x 2 x (16,384 + 12,288 + 43,008) = 293,601,280 + sampler 256 x 128,256 x 16 = 525,336,576
    -> 818,937,856; runtime 268,435,456; margin 480,000,000
    budget = 21,600,000,000 - 16,060,522,496 - 818,937,856 - 268,435,456 - 480,000,000 = 3,972,104,192
    KV per token = 32 layers x 2 x 8 heads x 128 x 2 B = 131,072; 16-token blocks of 2,097,152 B:
    3,972,104,192 // 2,097,152 = 1,894 blocks = 30,304 tokens (headroom 98,304 B). Before this issue the kit wrote
    42,256 here: the whole budget with no room for vLLM's profile run, non-torch memory or a margin."""
    f = fit(profile(LLAMA_3_1_8B), L4, VLLM)
    assert (f.tensor_parallel, f.usable_bytes, f.weight_bytes) == (1, 21_600_000_000, 16_060_522_496)
    assert (f.reservation.activation, f.reservation.runtime, f.reservation.margin) == (
        818_937_856,
        268_435_456,
        480_000_000,
    )
    assert f.kv_budget_bytes == 3_972_104_192
    assert (f.layout.token_bytes, f.context_limit, f.max_model_len, f.headroom_bytes) == (4096, 30_304, 30_304, 98_304)
    assert (f.served_dtype, f.kv_dtype, f.fits) == ("bfloat16", "bfloat16", True)


def test_llama_3_1_8b_full_context_does_not_fit_one_l4_but_fits_v5e_2x4() -> None:
    p = profile(LLAMA_3_1_8B)
    assert fit(p, L4, VLLM, max_model_len=131072).problem == (
        "the KV cache for 131072 tokens x 1 sequence(s) does not fit"
    )
    f = fit(p, V5E_2X4, VLLM, max_model_len=131072)
    # per chip: sharded 15,523,119,104 / 8 = 1,940,389,888 + norms 532,480 + k/v_proj 536,870,912 / 8 = 67,108,864
    # = 2,008,031,232; reserved 268,435,456 + 343,597,383 = 612,032,839 (no activation on TPU)
    # budget 15,461,882,265 - 2,008,031,232 - 612,032,839 = 12,841,818,194
    # KV per chip: 1 head x 2 x 128 x 2 B = 512 per layer; 131,072 tokens in 256-token pages (ceil(131072 / 512) =
    # 256) = 32 x 131,072 x 512 = 2,147,483,648 <= budget: full context, TP 8
    assert (f.tensor_parallel, f.weight_bytes, f.kv_budget_bytes) == (8, 2_008_031_232, 12_841_818_194)
    assert (f.context_limit, f.fits) == (131_072, True)
    # 8 sequences: pages <= 12,841,818,194 / (8 x 32 x 512) = 97,975.9 tokens -> 382 pages of 256 = 97,792
    assert fit(p, V5E_2X4, VLLM, max_num_seqs=8).context_limit == 97_792
    # smallest shape for the full context: one A100-40 (36e9 usable - 16,060,522,496 - 818,937,856 - 268,435,456 -
    # 800,000,000 = 18,052,104,192 >= 131,072 x 131,072 = 17,179,869,184) is smaller than two L4s (Llama has no
    # experts: the V2 runner, no CUDA graphs charged)
    assert smallest_fitting_shape(p, VLLM, 131072).machine_type == "a2-highgpu-1g"


def test_llama_3_1_8b_smallest_shape() -> None:
    # v5e 1x1: 15,461,882,265 usable < 16,060,522,496 of weights; the next shape up is one L4 (g2-standard-4)
    assert smallest_fitting_shape(profile(LLAMA_3_1_8B), VLLM).machine_type == "g2-standard-4"


def test_gemma_2_27b() -> None:
    p = profile(GEMMA_2_27B)
    # embed 256000 x 4608 = 1,179,648,000 (tied: counted once); per layer: q 4608 x 4096 = 18,874,368,
    # k = v = 4608 x 2048 = 9,437,184, o 18,874,368, mlp 3 x 4608 x 36864 = 509,607,936, 4 norms 18,432
    # -> 566,249,472 x 46 = 26,047,475,712; + 1,179,648,000 + 4,608 = 27,227,128,320
    assert p.parameters == 27_227_128_320
    assert p.weight_bytes == 54_454_256_640
    # head_dim is explicit (128, not 4608 / 32 = 144): KV = 2 x 46 x 16 x 128 x 2 = 376,832 B per token
    assert p.kv_bytes_per_token() == 376_832
    assert fit(p, L4, VLLM).problem == "the weights and start-up reservations exceed the usable memory"
    f = fit(p, V5E_2X2, VLLM)
    # per chip: (54,454,256,640 - norms 1,704,960 - k/v 1,736,441,856) / 4 = 13,179,027,456 + 1,704,960
    # + 1,736,441,856 x 4 / 16 = 434,110,464 -> 13,614,842,880; budget 15,461,882,265 - 13,614,842,880 - 612,032,839
    # = 1,235,006,546. Gemma2ForCausalLM is not one of tpu-inference's JAX models: vLLM's model code keeps the
    # sliding window and the hybrid KV cache manager groups the 23 full and 23 sliding layers (groups of 23, no
    # padding). Per layer per token per chip: align(2 x 4 heads, 2) x 128 x 2 B = 2,048 B. At 8,192 tokens (pages of
    # 256): full 23 x 32 pages, sliding 23 x (ceil(min(4,095 + 4,096, 8,192) / 256) + 1) = 23 x 33 -> 1,495 pages x
    # 256 x 2,048 B = 783,810,560 <= budget: the full 8,192 context fits on 4 chips
    assert (f.weight_bytes, f.kv_budget_bytes, f.context_limit, f.fits) == (13_614_842_880, 1_235_006_546, 8192, True)
    assert f.layout.groups == (("full_attention", 23, 0), ("sliding_attention", 23, 4096))
    assert f.layout.sequence_bytes(8192) == 783_810_560
    # ...but not three times over: 3 x 783,810,560 > budget. Below 8,192 tokens a sliding layer holds every token + a
    # page: 3 x (46 x n + 23) pages x 524,288 B <= 1,235,006,546 -> n <= 16.57 pages of 256 -> 4,096 tokens
    three = fit(p, V5E_2X2, VLLM, max_model_len=8192, max_num_seqs=3)
    assert (three.fits, three.context_limit) == (False, 4096)
    # smallest for vLLM: v5e 2x2 (68.7e9 total); TGI runs on GPUs only: one A100-80 (ties with 2 x A100-40 on total
    # memory, fewer devices first): 0.81 x 80e9 = 64.8e9 usable for 54.5e9 of weights
    assert smallest_fitting_shape(p, VLLM).machine_type == "ct5lp-hightpu-4t"
    assert smallest_fitting_shape(p, TGI).machine_type == "a2-ultragpu-1g"


def test_llama_3_1_70b() -> None:
    p = profile(LLAMA_3_1_70B)
    # embed = lm_head = 128256 x 8192 = 1,050,673,152 each; per layer: q = o = 8192^2 = 67,108,864,
    # k = v = 8192 x 1024 = 8,388,608, mlp 3 x 8192 x 28672 = 704,643,072, norms 16,384 -> 855,654,400 x 80
    # = 68,452,352,000; + 2,101,346,304 + 8,192 = 70,553,706,496
    assert p.parameters == 70_553_706_496
    assert p.weight_bytes == 141_107_412_992
    assert p.kv_bytes_per_token() == 327_680  # 2 x 80 x 8 x 128 x 2
    # v5e 2x4: 141.1e9 / 8 = 17.6e9 of weights per chip > 15,461,882,265 usable
    assert fit(p, V5E_2X4, VLLM).problem == "the weights and start-up reservations exceed the usable memory"
    f = fit(p, H100_X8, VLLM)
    # per GPU: 72e9 usable; KV per GPU 80 x 2 x 1 head x 128 x 2 = 40,960 B per token: the full 131,072 context
    # needs 5.4e9 of the ~47.5e9 budget; TP 8
    assert (f.context_limit, f.tensor_parallel) == (131_072, 8)
    # smallest: 2 x A100-80 or 2 x H100 (160e9) leave 70.6e9 of weights per GPU for 72e9 usable minus 2 GiB of
    # collectives: too little. At 192e9, 2 x RTX PRO 6000 (g4-standard-96, 96 GB each) come before 8 x L4 (fewer
    # devices first). Per RTX PRO 6000, KV 80 layers x 2 x 4 heads x 128 x 2 B = 163,840 B per token:
    #   vLLM: 0.90 x 96e9 = 86.4e9 - 70.55e9 weights - 3.54e9 activations (8,192-token profile: >= 70 GiB, not A100)
    #         - 2.42e9 runtime (256 MiB + 2 GiB for TP > 1) - 1.92e9 margin = 7.96e9 -> 48,608 tokens (16-blocks);
    #   TGI:  0.81 x 96e9 = 77.76e9 - 70.55e9 - 0.72e9 activations (TGI 3.3.7's launcher does not know the card:
    #         its 4,096-token fallback) - 2.68e9 runtime - 1.92e9 margin = 1.88e9 -> 11,456 tokens.
    assert smallest_fitting_shape(p, VLLM).machine_type == "g4-standard-96"
    assert smallest_fitting_shape(p, TGI).machine_type == "g4-standard-96"
    assert fit(p, gpu_shape("g4-standard-96"), VLLM).context_limit == 48608
    assert fit(p, gpu_shape("g4-standard-96"), TGI).context_limit == 11456
    # 8 x L4 (192e9) fit with 8,464 tokens (hand: test_fit_verdicts); TGI (0.81 of each L4) does not
    assert fit(p, L4_X8, VLLM).context_limit == 8464
    assert not fit(p, L4_X8, TGI).fits
    # full context: before 4 x A100-80 (320e9) come a tpu7x-standard-1t (206.2e9: 108,032 tokens, hand:
    # test_llama_3_1_70b_on_v6e_and_tpu7x) and a ct6e-standard-8t (274.9e9), which holds the full 131,072
    assert smallest_fitting_shape(p, VLLM, 131072).machine_type == "ct6e-standard-8t"


def test_llama_3_1_70b_on_v6e_and_tpu7x() -> None:
    """Llama-3.1-70B (bfloat16) on TPU v6e (32 GiB per chip, one JAX device each) and TPU7x (192 GiB per chip, two
    JAX devices of 96 GiB each: tpu-inference's `get_num_cores_per_chip` and `get_device_hbm_limit`), by hand.

    Parts: replicated norms 80 x 2 x 8,192 + 8,192 = 1,318,912 params = 2,637,824 B; k/v_proj 80 x 2 x 8,192 x
    1,024 = 1,342,177,280 params = 2,684,354,560 B, split by KV head (8 heads: each rank holds max(8, TP) / TP of
    them); the rest sharded: 70,553,706,496 - 1,318,912 - 1,342,177,280 = 69,210,210,304 params = 138,420,420,608 B.
    Per device at TP 4: 34,605,105,152 + 2,637,824 + 2 heads' 671,088,640 = 35,278,831,616;
    at TP 8: 17,302,552,576 + 2,637,824 + 1 head's 335,544,320 = 17,640,734,720;
    at TP 2: 69,210,210,304 + 2,637,824 + 4 heads' 1,342,177,280 = 70,555,025,408.
    tpu-inference reserves no activation; the kit charges the HBM XLA keeps (v6e 772 MiB = 809,500,672 B; TPU7x
    2,316 MiB = 2,428,502,016 B) and 2% of the device.
    KV per token per layer per device: align(2 x max(8, TP) / TP, 2) rows x 128 lanes x 2 B: 512 B at TP 8 (80
    layers: 40,960 B per token), 2,048 B at TP 2 (163,840 B per token). Pages for contexts above 8,192 tokens:
    max(16, next_pow2(ceil(context / 512))) = 256 tokens from 65,537 to 131,072.
    """
    p = profile(LLAMA_3_1_70B)
    v6e_4, v6e_8 = tpu_shape("ct6e-standard-4t"), tpu_shape("ct6e-standard-8t")
    tpu7x_1, tpu7x_4 = tpu_shape("tpu7x-standard-1t"), tpu_shape("tpu7x-standard-4t")
    # ct6e-standard-4t: 4 x 32 GiB = 128 GiB. usable = int(0.9 x 34,359,738,368) = 30,923,764,531 < 35,278,831,616
    four = fit(p, v6e_4, VLLM)
    assert (four.tensor_parallel, four.usable_bytes, four.weight_bytes) == (4, 30_923_764_531, 35_278_831_616)
    assert four.problem == "the weights and start-up reservations exceed the usable memory"
    # ct6e-standard-8t: 8 x 32 GiB. reserved = 809,500,672 + int(0.02 x 34,359,738,368) = 687,194,767 -> 1,496,695,439
    # budget = 30,923,764,531 - 17,640,734,720 - 1,496,695,439 = 11,786,334,372
    # one sequence of the full 131,072 tokens: 80 x 512 pages x 256 x 512 B = 5,368,709,120: fits, twice over
    eight = fit(p, v6e_8, VLLM)
    assert (eight.tensor_parallel, eight.weight_bytes) == (8, 17_640_734_720)
    assert (eight.reservation.runtime, eight.reservation.margin, eight.kv_budget_bytes) == (
        809_500_672,
        687_194_767,
        11_786_334_372,
    )
    assert (eight.layout.token_bytes, eight.context_limit, eight.fits) == (512, 131_072, True)
    assert fit(p, v6e_8, VLLM, max_model_len=131_072, max_num_seqs=2).fits
    # three sequences: 11,786,334,372 / (3 x 80 x 512) = 95,917.4 tokens -> 374 pages of 256 = 95,744
    assert fit(p, v6e_8, VLLM, max_num_seqs=3).context_limit == 95_744
    # tpu7x-standard-4t: 4 chips x 192 GiB = 8 devices x 96 GiB (103,079,215,104 B), TP 8.
    # usable = int(0.9 x 103,079,215,104) = 92,771,293,593; reserved = 2,428,502,016 + 2,061,584,302 = 4,490,086,318
    # budget = 92,771,293,593 - 17,640,734,720 - 4,490,086,318 = 70,640,472,555: 13 full-context sequences
    # (13 x 5,368,709,120 = 69,793,218,560), not 14; for 14: 70,640,472,555 / (14 x 40,960) = 123,187.9 tokens ->
    # 481 pages of 256 = 123,136
    ironwood = fit(p, tpu7x_4, VLLM)
    assert (ironwood.tensor_parallel, ironwood.usable_bytes, ironwood.weight_bytes) == (
        8,
        92_771_293_593,
        17_640_734_720,
    )
    assert (ironwood.reservation.runtime, ironwood.reservation.margin, ironwood.kv_budget_bytes) == (
        2_428_502_016,
        2_061_584_302,
        70_640_472_555,
    )
    assert ironwood.context_limit == 131_072
    assert fit(p, tpu7x_4, VLLM, max_model_len=131_072, max_num_seqs=13).fits
    assert fit(p, tpu7x_4, VLLM, max_num_seqs=14).context_limit == 123_136
    # tpu7x-standard-1t: one chip = 2 devices, TP 2: budget = 92,771,293,593 - 70,555,025,408 - 4,490,086,318
    # = 17,726,181,867 -> 108,192.0 tokens of 163,840 B -> 422 pages of 256 = 108,032 (not the full context)
    one = fit(p, tpu7x_1, VLLM)
    assert (one.tensor_parallel, one.weight_bytes, one.kv_budget_bytes) == (2, 70_555_025_408, 17_726_181_867)
    assert (one.layout.token_bytes * p.layers, one.context_limit) == (163_840, 108_032)
    assert v6e_8.describe() == "ct6e-standard-8t (TPU v6e 2x4, 8 chips x 32 GiB)"
    assert tpu7x_4.describe() == "tpu7x-standard-4t (TPU7x 2x2x1, 4 chips x 192 GiB = 8 devices x 96 GiB)"


def test_mixtral_8x7b() -> None:
    p = profile(MIXTRAL_8X7B)
    # embed = lm_head = 32000 x 4096 = 131,072,000; per layer: attention 2 x 16,777,216 + 2 x 4,194,304
    # = 41,943,040; 8 experts x 3 x 4096 x 14336 = 1,409,286,144; router 8 x 4096 = 32,768; norms 8,192
    # -> 1,451,270,144 x 32 = 46,440,644,608; + 262,144,000 + 4,096 = 46,702,792,704 (all experts are resident)
    assert (p.parameters, p.experts) == (46_702_792_704, 8)
    assert p.weight_bytes == 93_405_585_408
    assert p.kv_bytes_per_token() == 131_072  # same attention as Llama-3.1-8B: 2 x 32 x 8 x 128 x 2
    f = fit(p, V5E_2X4, VLLM, max_num_seqs=16)
    # per chip: replicated = norms 266,240 + routers 32 x 32,768 = 1,314,816 params = 2,629,632 B; k/v 536,870,912;
    # sharded 92,866,084,864 / 8 = 11,608,260,608 -> 11,677,999,104; budget 15,461,882,265 - 11,677,999,104 -
    # 612,032,839 = 3,171,850,322; 16 sequences x 32 x 512 B: 12,099.6 tokens -> 32-token pages
    # (ceil(12,099 / 512) = 24 -> 32): 378 pages = 12,096
    assert (f.weight_bytes, f.kv_budget_bytes, f.context_limit) == (11_677_999_104, 3_171_850_322, 12_096)
    assert fit(p, V5E_2X4, VLLM).context_limit == 32768
    # 8 x L4: Mixtral runs vLLM's V1 model runner, which charges CUDA graphs: 512 x 2 B x (4 x 4,096 + 3 x 4 x 128 +
    # 2 x (3 x 1,792 + 4,096)) = 37,748,736 for the largest graph's pool + 86 graphs x 24 MiB = 2,164,260,864 ->
    # 2,202,009,600; budget 21.6e9 - 11,677,999,104 - activation 282,066,944 - 2,202,009,600 - 2,415,919,104 -
    # 480,000,000 = 4,542,005,248 >= 32,768 x 32 layers x 512 B = 536,870,912: the full context
    l4 = fit(p, L4_X8, VLLM)
    assert (l4.reservation.cuda_graphs, l4.reservation.cuda_graph_count) == (2_202_009_600, 86)
    assert (l4.kv_budget_bytes, l4.context_limit) == (4_542_005_248, 32768)
    assert fit(p, V5E_2X2, VLLM).problem == "the weights and start-up reservations exceed the usable memory"
    # smallest for vLLM: 137.4e9, where a v6e 2x2 (4 chips x 32 GiB) ties with the v5e 2x4 and wins on fewer
    # devices: per chip at TP 4, sharded 92,866,084,864 / 4 = 23,216,521,216 + replicated 2,629,632 + 2 of the 8 KV
    # heads' k/v (536,870,912 / 4 = 134,217,728) = 23,353,368,576 of 30,923,764,531 usable (0.9 x 32 GiB), less
    # 772 MiB and the 2% margin (687,194,767): 6,073,700,516 for a KV cache of 32 layers x align(2 x 2, 2) x 128 x
    # 2 B = 32,768 B per token, the full 32,768 context in 1,073,741,824.
    # On GPUs (TGI): 4 x L4 = 23.4e9 of weights per GPU > 19.44e9 usable; 2 x A100-80: 46.7e9 per GPU of 64.8e9
    assert smallest_fitting_shape(p, VLLM).machine_type == "ct6e-standard-4t"
    v6e = fit(p, tpu_shape("ct6e-standard-4t"), VLLM)
    assert (v6e.weight_bytes, v6e.kv_budget_bytes, v6e.context_limit) == (23_353_368_576, 6_073_700_516, 32768)
    assert smallest_fitting_shape(p, TGI).machine_type == "a2-ultragpu-2g"


def test_unsupported_shapes_and_engines() -> None:
    p = profile(LLAMA_3_1_8B)
    slice_4x8 = tpu_shape("ct5lp-hightpu-4t", "4x8", 32)
    assert fit(p, slice_4x8, VLLM).problem == (
        "4x8 is a multi-host TPU slice and the serving stack runs one pod per node, while vLLM across a slice's hosts "
        "needs one pod per host joined by Ray (a LeaderWorkerSet), which it does not build"
    )
    assert fit(p, V5E_2X4, TGI).problem == "tgi does not run on TPU"
    # Qwen2.5-7B: 28 attention heads cannot be sharded 8 ways (vLLM and tpu-inference both refuse)
    assert fit(profile(QWEN2_5_7B), V5E_2X4, VLLM).problem == "28 attention heads do not split across 8 devices"


def test_kv_heads_are_replicated_when_tp_exceeds_them() -> None:
    """Qwen2.5-7B has 4 KV heads: on 2 L4s each GPU holds 2 (2 x 28 layers x 2 x 128 x 2 B = 28,672 B per token
    per GPU); on a v5e 2x2 each chip one (28 x 2 x 1 x 128 x 2 = 14,336 B). Llama-3.1-8B's 8 heads on 8 L4s: one per
    GPU. TGI refuses to shard 4 KV heads 8 ways, vLLM replicates (but 28 query heads cannot split 8 ways)."""
    q = profile(QWEN2_5_7B)
    assert fit(q, gpu_shape("g2-standard-24"), VLLM).layout.token_bytes * q.layers == 28_672
    assert fit(q, V5E_2X2, VLLM).layout.token_bytes * q.layers == 14_336
    assert fit(profile(LLAMA_3_1_8B), L4_X8, VLLM).layout.token_bytes == 2 * 1 * 128 * 2


def test_catalog_shapes_are_ordered_by_memory() -> None:
    totals = [s.total_bytes for s in catalog_shapes()]
    assert totals == sorted(totals)
    assert catalog_shapes()[0].machine_type == "ct5lp-hightpu-1t"
    assert V5E_2X4.describe() == "ct5lp-hightpu-8t (TPU v5e 2x4, 8 chips x 16 GiB)"
    assert L4.describe() == "g2-standard-8 (1 x nvidia-l4, 24 GB each)"


@pytest.mark.parametrize(
    ("config", "headers", "message"),
    [
        (
            {"model_type": "llama", "num_hidden_layers": 2, "max_position_embeddings": 8, "num_attention_heads": 0},
            [{}],
            "config.json: num_attention_heads is 0; allowed: a positive integer",
        ),
        (
            {**LLAMA_3_1_8B},
            [{"__metadata__": {}}],
            "safetensors headers: no tensors found; is this a safetensors checkpoint?",
        ),
        (
            {**LLAMA_3_1_8B},
            [{"w": {"dtype": "Q4", "shape": [2]}}],
            "safetensors header: tensor 'w' has dtype 'Q4'; allowed: F64, I64, U64, F32, I32, U32, F16, BF16, I16, U16, F8_E4M3, F8_E5M2, F8_E8M0, I8, U8, BOOL",  # noqa: E501
        ),
        (
            {**LLAMA_3_1_8B, "torch_dtype": "int8"},
            [{"w": {"dtype": "I8", "shape": [2]}}],
            "config.json: torch_dtype 'int8' is not supported; allowed: float32, float, bfloat16, float16, half",
        ),
    ],
)
def test_profile_errors(config: dict, headers: list, message: str) -> None:
    with pytest.raises(ProfileError) as exc:
        profile_model(config, headers)
    assert str(exc.value) == message
