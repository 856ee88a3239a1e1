"""The fit arithmetic against hand-computed figures for public model configs on several pools.

Conventions used in the comments: TPU v5e chip = 16 GiB = 17,179,869,184 B; GPUs in decimal GB (L4 24e9 B,
A100-80 / H100 80e9 B); vLLM memory utilisation 0.90, applied per device and truncated to whole bytes:
v5e chip 0.9 x 17,179,869,184 = 15,461,882,265 B; L4 21,600,000,000 B; H100 72,000,000,000 B.
"""

from __future__ import annotations

import pytest

from modules.catalog.engines import ENGINES
from modules.fit.memory import catalog_shapes, fit, gpu_shape, smallest_fitting_shape, tpu_shape
from modules.fit.profile import ModelProfile, ProfileError, profile_model
from tests.fit.models import GEMMA_2_27B, LLAMA_3_1_8B, LLAMA_3_1_70B, MIXTRAL_8X7B, decoder_headers

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


def test_llama_3_1_8b_on_one_l4() -> None:
    f = fit(profile(LLAMA_3_1_8B), L4, VLLM)
    # usable 21,600,000,000; KV budget = 21,600,000,000 - 16,060,522,496 = 5,539,477,504
    # KV tokens = 5,539,477,504 // 131,072 = 42,262; largest context in 16-token blocks: 2641 x 16 = 42,256
    assert (f.tensor_parallel, f.usable_bytes, f.kv_budget_bytes) == (1, 21_600_000_000, 5_539_477_504)
    assert (f.kv_tokens, f.context_limit, f.max_model_len) == (42_262, 42_256, 42_256)
    assert f.fits
    # headroom at that context: 5,539,477,504 - 42,256 x 131,072 (5,538,578,432) = 899,072
    assert f.headroom_bytes == 899_072


def test_llama_3_1_8b_full_context_does_not_fit_one_l4_but_fits_v5e_2x4() -> None:
    p = profile(LLAMA_3_1_8B)
    assert fit(p, L4, VLLM, max_model_len=131072).problem == (
        "the KV cache for 131072 tokens x 1 sequence(s) does not fit"
    )
    f = fit(p, V5E_2X4, VLLM, max_model_len=131072)
    # usable 8 x 15,461,882,265 = 123,695,058,120; budget 123,695,058,120 - 16,060,522,496 = 107,634,535,624
    # KV tokens = 107,634,535,624 // 131,072 = 821,186 >= 131,072: full context; TP 8 (8 KV heads, no replication)
    assert (f.tensor_parallel, f.kv_tokens, f.context_limit, f.fits) == (8, 821_186, 131_072, True)
    # with 8 concurrent sequences: 821,186 // 8 = 102,648 -> 6415 blocks x 16 = 102,640
    assert fit(p, V5E_2X4, VLLM, max_num_seqs=8).context_limit == 102_640
    # smallest shape for the full context: needs 16,060,522,496 + 131,072 x 131,072 (17,179,869,184) = 33.24e9
    # usable; L4 x2 (43.2e9 usable) would do, but the A100-40 (40e9 total, 36e9 usable) is smaller and fits
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
    assert fit(p, L4, VLLM).problem == "the weights alone exceed the usable memory"  # 54.5e9 > 21.6e9
    f = fit(p, V5E_2X2, VLLM)
    # usable 4 x 15,461,882,265 = 61,847,529,060; budget 61,847,529,060 - 54,454,256,640 = 7,393,272,420
    # tokens 7,393,272,420 // 376,832 = 19,619 >= 8192: the model's full 8192 context fits on 4 chips
    assert (f.kv_budget_bytes, f.kv_tokens, f.context_limit, f.fits) == (7_393_272_420, 19_619, 8192, True)
    # ...but not twice over: 19,619 // 3 sequences = 6,539 -> 408 blocks = 6,528 < 8,192
    assert fit(p, V5E_2X2, VLLM, max_model_len=8192, max_num_seqs=3).fits is False
    # smallest for vLLM: v5e 2x2 (68.7e9 total); TGI runs on GPUs only: A100-80 x1 (72e9 usable, budget 17.5e9)
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
    # v5e 2x4: 141,107,412,992 of weights > 123,695,058,120 usable
    assert fit(p, V5E_2X4, VLLM).problem == "the weights alone exceed the usable memory"
    f = fit(p, H100_X8, VLLM)
    # usable 8 x 72e9 = 576e9; budget 576,000,000,000 - 141,107,412,992 = 434,892,587,008
    # tokens // 327,680 = 1,327,186 >= 131,072: full context, TP 8
    assert (f.kv_tokens, f.context_limit, f.tensor_parallel) == (1_327_186, 131_072, 8)
    # smallest: A100-80 x2 (160e9, 144e9 usable): budget 2,892,587,008 // 327,680 = 8,827 tokens >= 2,048
    assert smallest_fitting_shape(p, VLLM).machine_type == "a2-ultragpu-2g"
    # full context needs 141.1e9 + 131,072 x 327,680 (42.9e9) = 184.1e9 usable: A100-80 x4 (288e9 usable)
    assert smallest_fitting_shape(p, VLLM, 131072).machine_type == "a2-ultragpu-4g"


def test_mixtral_8x7b() -> None:
    p = profile(MIXTRAL_8X7B)
    # embed = lm_head = 32000 x 4096 = 131,072,000; per layer: attention 2 x 16,777,216 + 2 x 4,194,304
    # = 41,943,040; 8 experts x 3 x 4096 x 14336 = 1,409,286,144; router 8 x 4096 = 32,768; norms 8,192
    # -> 1,451,270,144 x 32 = 46,440,644,608; + 262,144,000 + 4,096 = 46,702,792,704 (all experts are resident)
    assert (p.parameters, p.experts) == (46_702_792_704, 8)
    assert p.weight_bytes == 93_405_585_408
    assert p.kv_bytes_per_token() == 131_072  # same attention as Llama-3.1-8B: 2 x 32 x 8 x 128 x 2
    f = fit(p, V5E_2X4, VLLM, max_num_seqs=16)
    # budget 123,695,058,120 - 93,405,585,408 = 30,289,472,712 -> 231,090 tokens; / 16 = 14,443 -> 14,432
    assert (f.kv_budget_bytes, f.kv_tokens, f.context_limit) == (30_289_472_712, 231_090, 14_432)
    assert fit(p, V5E_2X4, VLLM).context_limit == 32768
    # 8 L4: 8 x 21.6e9 = 172.8e9 usable; budget 79,394,414,592 -> 605,731 tokens: full 32,768 context
    assert fit(p, L4_X8, VLLM).context_limit == 32768
    assert fit(p, V5E_2X2, VLLM).problem == "the weights alone exceed the usable memory"  # 93.4e9 > 61.8e9
    # smallest: v5e 2x4 (137.4e9) for vLLM; on GPUs (TGI): L4 x4 = 86.4e9 usable is too small, A100-80 x2 fits
    assert smallest_fitting_shape(p, VLLM).machine_type == "ct5lp-hightpu-8t"
    assert smallest_fitting_shape(p, TGI).machine_type == "a2-ultragpu-2g"


def test_unsupported_shapes_and_engines() -> None:
    p = profile(LLAMA_3_1_8B)
    slice_4x8 = tpu_shape("ct5lp-hightpu-4t", "4x8", 32)
    assert fit(p, slice_4x8, VLLM).problem == ("4x8 is a multi-host TPU slice and vllm on TPU on GKE is single-host")
    assert fit(p, V5E_2X4, TGI).problem == "tgi does not run on TPU"
    # 28 heads (Qwen2-7B-like) cannot be sharded 8 ways
    assert fit(ModelProfile("qwen2", 1, {}, 2, 28, 28, 4, 128, 32768, "bfloat16"), V5E_2X4, VLLM).problem == (
        "28 attention heads do not split across 8 devices"
    )


def test_kv_heads_are_replicated_when_tp_exceeds_them() -> None:
    # 4 KV heads on 8 chips: each chip still holds one head, so the cache is sized as 8 heads:
    # 2 x 28 layers x 8 x 128 x 2 = 114,688 B per token instead of 57,344
    p = ModelProfile("qwen2", 7_615_616_512, {}, 15_231_233_024, 28, 32, 4, 128, 32768, "bfloat16")
    assert fit(p, V5E_2X4, VLLM).kv_bytes_per_token == 114_688
    assert fit(p, L4, VLLM).kv_bytes_per_token == 57_344


def test_catalog_shapes_are_ordered_by_memory() -> None:
    totals = [s.total_bytes for s in catalog_shapes()]
    assert totals == sorted(totals)
    assert catalog_shapes()[0].machine_type == "ct5lp-hightpu-1t"


@pytest.mark.parametrize(
    ("config", "headers", "message"),
    [
        (
            {"num_hidden_layers": 2, "max_position_embeddings": 8},
            [{}],
            "config.json: num_attention_heads or n_head is missing or not a positive integer",
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
            "config.json: torch_dtype 'int8' is not supported; allowed: bfloat16, float16, float32",
        ),
    ],
)
def test_profile_errors(config: dict, headers: list, message: str) -> None:
    with pytest.raises(ProfileError) as exc:
        profile_model(config, headers)
    assert str(exc.value) == message
