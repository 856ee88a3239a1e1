"""The rules of the pinned engine versions (vLLM 0.26.0 on GPU, vLLM 0.27.0 + tpu-inference 0.27.0 on TPU) that
changed since the kit's model was first read at vLLM 0.11 / tpu-inference 0.11.1, each against the source it comes
from (paths and lines in the docstrings; versions established in modules/catalog/engines.py)."""

from __future__ import annotations

from typing import Any

import pytest

from modules.catalog.engines import ENGINES
from modules.fit.config import read_text_config
from modules.fit.dtypes import kv_cache_dtype, served_dtype
from modules.fit.engine_paths import cuda_graph_sizes, tpu_model_path, vllm_gpu_charges_cuda_graphs
from modules.fit.errors import ProfileError
from modules.fit.kv import FULL, SLIDING, kv_layout, tpu_token_bytes
from modules.fit.memory import fit, gpu_shape, tpu_shape
from modules.fit.profile import profile_model
from scripts.fit.report import fit_document, fit_lines
from tests.fit.models import (
    LLAMA_3_1_8B,
    LLAMA_3_1_8B_AWQ,
    MIXTRAL_8X7B,
    TINYLLAMA_V1_1,
    awq_llama_tensors,
    decoder_headers,
    headers,
    llama_tensors,
)

VLLM = ENGINES["vllm"]
L4 = gpu_shape("g2-standard-8")
L4_X8 = gpu_shape("g2-standard-96")
V5E_1X1 = tpu_shape("ct5lp-hightpu-1t")
V5E_2X4 = tpu_shape("ct5lp-hightpu-8t")


def test_cuda_graph_capture_sizes() -> None:
    """vllm/config/vllm.py lines 1788-1845 (0.26.0): the largest size is min(2 x max_num_seqs, 512,
    max_num_batched_tokens); sizes 1, 2, 4, then 8..248 step 8 (31), then 256..512 step 16 (17), plus
    max_num_batched_tokens when it is below the largest; FULL graphs for the sizes up to max_num_seqs
    (vllm/v1/cudagraph_dispatcher.py line 166). L4 (256 sequences, 2,048 tokens): 3 + 31 + 17 = 51 PIECEWISE, 3 + 31
    + 1 (256) = 35 FULL; H100 (1,024, 8,192): 51 and 51; max_num_seqs 8: up to 16, [1, 2, 4, 8, 16] and [1, 2, 4, 8];
    100 batched tokens: [1, 2, 4, 8..96, 100]."""
    piecewise, full = cuda_graph_sizes(256, 2048)
    assert (len(piecewise), len(full), piecewise[-1], full[-1]) == (51, 35, 512, 256)
    assert [len(sizes) for sizes in cuda_graph_sizes(1024, 8192)] == [51, 51]
    assert cuda_graph_sizes(8, 2048) == ([1, 2, 4, 8, 16], [1, 2, 4, 8])
    assert cuda_graph_sizes(256, 100)[0] == [1, 2, 4, *range(8, 97, 8), 100]


def test_which_models_charge_cuda_graphs() -> None:
    """vLLM 0.26.0 runs the V2 model runner for models without experts and for the MoE architectures of
    `DEFAULT_V2_MODEL_RUNNER_ARCHITECTURES` (vllm/config/vllm.py lines 68 and 605); V2's `profile_cudagraph_memory`
    returns 0 (vllm/v1/worker/gpu/model_runner.py line 705). Mixtral runs V1 and is charged; Qwen1.5-MoE
    (Qwen2MoeForCausalLM) runs V2 and is not."""
    qwen_moe = {"architectures": ["Qwen2MoeForCausalLM"], "model_type": "qwen2_moe", "num_experts": 60}
    assert vllm_gpu_charges_cuda_graphs(read_text_config(MIXTRAL_8X7B))
    assert not vllm_gpu_charges_cuda_graphs(read_text_config(qwen_moe))
    assert not vllm_gpu_charges_cuda_graphs(read_text_config(LLAMA_3_1_8B))
    dense = fit(profile_model(LLAMA_3_1_8B, decoder_headers(LLAMA_3_1_8B)), L4, VLLM)
    assert (dense.reservation.cuda_graphs, dense.reservation.cuda_graph_count) == (0, 0)


def test_the_report_shows_the_cuda_graphs() -> None:
    """Mixtral on 8 x L4 (hand figures in test_fit_arithmetic.py): 2,202,009,600 B for 86 graphs, in the text report
    and the JSON document."""
    result = fit(profile_model(MIXTRAL_8X7B, decoder_headers(MIXTRAL_8X7B)), L4_X8, VLLM)
    assert "CUDA graphs         2.05 GiB  86 graphs, charged before the KV cache" in fit_lines(result, "l4", None)
    assert fit_document("gs://b/m/", "c", "l4", result, None)["per_device"]["cuda_graph_bytes"] == 2_202_009_600


@pytest.mark.parametrize(
    ("counts", "groups"),
    [
        ((10, 52), ((FULL, 10, 0), (SLIDING, 60, 512))),  # 52 >= 1.5 x 10: groups of the rarest kind, padded
        ((13, 12), ((FULL, 13, 0), (SLIDING, 13, 512))),  # 13 < 1.5 x 12: groups of the commonest kind
        ((0, 8), ((SLIDING, 8, 512),)),  # one kind: one group
    ],
)
def test_hybrid_kv_cache_groups(counts: tuple[int, int], groups: tuple[tuple[str, int, int], ...]) -> None:
    """`_get_kv_cache_groups_uniform_page_size` (vllm/v1/core/kv_cache_utils.py line 1137): the group size is the
    smallest count of layers of one kind, or the largest when that is under 1.5 x the smallest (line 1224, "12 sw +
    13 full ... pad it to (13 sw, 13 full)"); each kind is padded to a multiple of it."""
    full, sliding = counts
    layer_types = ["full_attention"] * full + ["sliding_attention"] * sliding
    config = read_text_config(
        {"model_type": "gemma2", "num_hidden_layers": full + sliding, "layer_types": layer_types, "sliding_window": 512}
    )
    layout = kv_layout(config, "vllm", "gpu", 1, "bfloat16", in_flight_tokens=4096, keeps_window=True)
    assert layout.groups == groups


def test_tpu_kv_layout() -> None:
    """tpu-inference 0.27.0's ragged paged attention layout (tpu_inference/runner/kv_cache.py line 56): per chip
    align(2 x heads, packing) x align(head dim, 128) values per token, packing 2 for bfloat16 and 4 for fp8
    (kernels/ragged_paged_attention/v3/kernel.py line 261); a head dim of 64 is not padded (utils.py
    `get_padded_head_dim` line 231): align(heads, packing) rows of 128 lanes hold K and V together (kernel_hd64.py
    line 236).
    TinyLlama (4 KV heads of 64) on one chip: 4 rows x 128 x 2 B = 1,024 B per layer per token, half the 2,048 B
    that padding the head dim to 128 gave under tpu-inference 0.11.1; on 8 chips each holds 1 (replicated) head:
    align(1, 2) = 2 rows x 128 x 2 B = 512 B. Phi-3-mini (32 KV heads of 96) on 8 chips: 4 heads, 8 x 128 x 2 B =
    2,048 B. One head of 128 in fp8: align(2, 4) = 4 x 128 x 1 B = 512 B."""
    tiny = read_text_config(TINYLLAMA_V1_1)
    assert kv_layout(tiny, "vllm", "tpu", 1, "bfloat16", in_flight_tokens=4096, keeps_window=False).token_bytes == 1024
    assert kv_layout(tiny, "vllm", "tpu", 8, "bfloat16", in_flight_tokens=4096, keeps_window=False).token_bytes == 512
    assert tpu_token_bytes(32, 8, 96, 2)[0] == 2048
    assert tpu_token_bytes(1, 1, 128, 1)[0] == 512


def test_tpu_model_paths_and_quantization() -> None:
    """tpu-inference 0.27.0 runs LlamaForCausalLM with its JAX model (tpu_inference/models/common/model_loader.py
    lines 73-117), whose quantization configs are unquantized, fp8 and compressed-tensors only (layers/jax/
    quantization/__init__.py lines 24-45: anything else raises NotImplementedError, not caught by `get_model`), so
    hugging-quants' AWQ Llama-3.1-8B does not start on TPU. MistralForCausalLM runs through vLLM's model code, whose
    configs include AWQ (layers/vllm/quantization/__init__.py lines 37-52). GPTQ loads on neither."""
    awq = profile_model(LLAMA_3_1_8B_AWQ, headers(awq_llama_tensors(LLAMA_3_1_8B_AWQ)))
    assert tpu_model_path(awq.config) == "jax"
    assert fit(awq, V5E_2X4, VLLM).problem == (
        "awq checkpoints do not load on TPU: tpu-inference 0.27.0 runs LlamaForCausalLM's JAX model, which takes fp8, "
        "compressed-tensors (or unquantized) checkpoints"
    )
    mistral_awq = {**LLAMA_3_1_8B_AWQ, "architectures": ["MistralForCausalLM"], "model_type": "mistral"}
    mistral = profile_model(mistral_awq, headers(awq_llama_tensors(mistral_awq)))
    assert tpu_model_path(mistral.config) == "vllm"
    assert fit(mistral, V5E_2X4, VLLM).fits
    gptq = {**mistral_awq, "quantization_config": {"quant_method": "gptq", "bits": 4}}
    assert fit(profile_model(gptq, headers(awq_llama_tensors(gptq))), V5E_2X4, VLLM).problem == (
        "gptq checkpoints do not load on TPU: tpu-inference 0.27.0 runs vLLM's model code, which takes awq, fp8, "
        "compressed-tensors (or unquantized) checkpoints"
    )


def _config(**changes: Any) -> dict[str, Any]:
    config = {**LLAMA_3_1_8B, **changes}
    return {key: value for key, value in config.items() if value is not None}


def test_served_dtypes() -> None:
    """vLLM `_resolve_auto_dtype` (vllm/config/model.py, identical in 0.26.0 and 0.27.0): float16 is kept, on TPU too
    (tpu-inference 0.27.0 no longer overwrites the dtype with bfloat16); Gemma 2 and 3 take bfloat16 instead of
    float16 (`_FLOAT16_NOT_SUPPORTED_MODELS`, line 2010). Without a dtype in config.json vLLM reads the model
    folder's safetensors (`get_torch_dtype`, model_arch_config_convertor.py line 169): on GPU the folder holds no
    weights (the Run:ai streamer pulls only *.json, *.model, *.py: `maybe_pull_model_tokenizer_for_runai`, model.py
    line 883), so float32, downcast to bfloat16; on TPU the GCS FUSE mount holds them, so their dtype."""
    fp16 = read_text_config(_config(torch_dtype="float16"))
    assert (served_dtype(fp16, "vllm", "gpu"), served_dtype(fp16, "vllm", "tpu")) == ("float16", "float16")
    gemma2 = read_text_config({"model_type": "gemma2", "torch_dtype": "float16"})
    assert (served_dtype(gemma2, "vllm", "gpu"), served_dtype(gemma2, "vllm", "tpu")) == ("bfloat16", "bfloat16")
    undeclared = read_text_config(_config(torch_dtype=None))
    assert served_dtype(undeclared, "vllm", "gpu", ["F16"]) == "bfloat16"
    assert [served_dtype(undeclared, "vllm", "tpu", s) for s in (["F16"], ["BF16", "I32"], ["F32"])] == [
        "float16",
        "bfloat16",
        "bfloat16",
    ]
    # fit passes the stored dtypes: TinyLlama's float32 weights without a declared dtype are held in 2 bytes anyway
    tiny = profile_model(_config(torch_dtype=None), headers(llama_tensors(TINYLLAMA_V1_1, dtype="F32")))
    assert fit(tiny, V5E_2X4, VLLM).served_dtype == "bfloat16"


def test_modelopt_fp8_kv_cache() -> None:
    """vLLM 0.26.0 resolves `--kv-cache-dtype auto` from a ModelOpt checkpoint's `kv_cache_quant_algo` (or
    `kv_cache_scheme`): FP8 -> fp8_e4m3 (`resolve_kv_cache_dtype_string`, vllm/utils/torch_utils.py line 374;
    `MODELOPT_TO_VLLM_KV_CACHE_DTYPE_MAP` line 64); other quantization methods keep the model dtype. On one L4 the
    Llama-3.1-8B KV cache then takes 2 x 8 heads x 128 x 1 B = 2,048 B per layer per token. An NVFP4 KV cache is not
    modelled."""
    modelopt = read_text_config(
        _config(quantization_config={"quant_method": "modelopt", "quant_algo": "FP8", "kv_cache_quant_algo": "FP8"})
    )
    assert kv_cache_dtype(modelopt, "vllm", "gpu") == "float8_e4m3"
    layout = kv_layout(modelopt, "vllm", "gpu", 1, "float8_e4m3", in_flight_tokens=4096, keeps_window=True)
    assert layout.token_bytes == 2048
    scheme = {"quant_method": "modelopt", "kv_cache_scheme": {"type": "float", "num_bits": 8, "dynamic": False}}
    assert read_text_config(_config(quantization_config=scheme)).kv_cache_quant_algo == "fp8"
    fp8_weights = read_text_config(_config(quantization_config={"quant_method": "fp8", "kv_cache_quant_algo": "FP8"}))
    assert kv_cache_dtype(fp8_weights, "vllm", "gpu") == "bfloat16"
    with pytest.raises(ProfileError) as exc:
        read_text_config(_config(quantization_config={"quant_method": "modelopt", "kv_cache_quant_algo": "NVFP4"}))
    assert str(exc.value) == (
        "config.json: quantization_config.kv_cache_quant_algo 'NVFP4' is not modelled by hfkit fit; "
        "allowed: FP8 or none"
    )


def test_derived_context() -> None:
    """vLLM 0.26.0 `_get_and_verify_max_len` (vllm/config/model.py line 2152): the smallest length key, capped by
    tokenizer_config.json's `model_max_length`, then the rope parameters (transformers 5 names them
    `rope_parameters`, one set or one per layer type; yarn: original_max_position_embeddings x factor; llama3 is not
    rescaled). Llama-3.1-8B: 131,072, or 8,192 under a tokenizer that says so (a huge sentinel changes nothing);
    yarn 4,096 x 40 = 163,840 from `rope_parameters`; per layer type, the last set with a factor wins: linear 4 ->
    8,192 x 4 = 32,768."""
    assert read_text_config(LLAMA_3_1_8B, {"model_max_length": 8192}).context_length == 8192
    assert read_text_config(LLAMA_3_1_8B, {"model_max_length": 1e30}).context_length == 131072
    yarn = {"rope_type": "yarn", "factor": 40, "original_max_position_embeddings": 4096}
    assert read_text_config(_config(rope_scaling=None, rope_parameters=yarn)).context_length == 163_840
    per_type = {"full_attention": {"rope_type": "linear", "factor": 4.0}, "sliding_attention": {"rope_type": "default"}}
    config = _config(rope_scaling=None, rope_parameters=per_type, max_position_embeddings=8192)
    assert read_text_config(config).context_length == 32_768
