"""TGI 3.3.7's start-up rules that bound the context `hfkit serve` writes for it (read at tag v3.3.7; lines in
modules/catalog/engines.py): the KV block its attention backend allocates, and the prompt limit of models it does not
chunk prefills for. Each would make the router refuse the context otherwise."""

from __future__ import annotations

from modules.catalog.engines import ENGINES
from modules.fit.config import read_text_config
from modules.fit.dtypes import served_dtype
from modules.fit.engine_paths import tgi_attention, tgi_chunks_prefill
from modules.fit.kv import kv_layout
from modules.fit.memory import fit, gpu_shape
from modules.fit.profile import profile_model
from scripts.fit.report import fit_document, fit_lines
from tests.fit.models import (
    DEEPSEEK_V3,
    GEMMA_3_27B,
    LLAMA_3_1_8B,
    LLAMA_4_SCOUT,
    TINYLLAMA_V1_1,
    gemma3_tensors,
    headers,
)

TGI = ENGINES["tgi"]
H100_X8 = gpu_shape("a3-highgpu-8g")
#: microsoft/Phi-3-mini-4k-instruct: head dim 3,072 / 32 = 96.
PHI_3_MINI = {
    "architectures": ["Phi3ForCausalLM"], "model_type": "phi3", "vocab_size": 32064, "hidden_size": 3072,
    "intermediate_size": 8192, "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 32,
    "max_position_embeddings": 4096, "sliding_window": 2047, "torch_dtype": "bfloat16",
}  # fmt: skip


def test_attention_backend_and_block_per_model() -> None:
    """The launcher's `resolve_attention`: flashinfer (1-token blocks) for head dims 64/128/256, flashdecoding
    (256-token blocks) otherwise and for deepseek_v2. Llama 3.1 8B 4,096 / 32 = 128, TinyLlama 2,048 / 32 = 64,
    Gemma 3 `text_config.head_dim` 128 (no top-level hidden_size); DeepSeek-V3 7,168 / 128 = 56, Phi-3-mini 96."""
    kinds = {
        name: tgi_attention(read_text_config(config))
        for name, config in {
            "llama": LLAMA_3_1_8B,
            "tinyllama": TINYLLAMA_V1_1,
            "gemma3": GEMMA_3_27B,
            "deepseek_v3": DEEPSEEK_V3,
            "phi3": PHI_3_MINI,
            "deepseek_v2": {"model_type": "deepseek_v2", "hidden_size": 4096, "num_attention_heads": 32},
        }.items()
    }
    assert kinds == {
        "llama": "flashinfer",
        "tinyllama": "flashinfer",
        "gemma3": "flashinfer",
        "deepseek_v3": "flashdecoding",
        "phi3": "flashdecoding",
        "deepseek_v2": "flashdecoding",
    }


def test_flashdecoding_capacity_is_whole_256_token_blocks() -> None:
    """Phi-3-mini on TGI: 2 x 32 KV heads x 96 x 2 B = 12,288 B per layer per token; 4,000 tokens take 16 blocks of
    256 = 4,096 tokens of cache: 32 layers x 4,096 x 12,288 = 1,610,612,736 B (with 1-token blocks 1,572,864,000)."""
    config = read_text_config(PHI_3_MINI)
    layout = kv_layout(config, "tgi", "gpu", 1, "bfloat16", in_flight_tokens=0, keeps_window=False,
                       tgi_attention=tgi_attention(config))  # fmt: skip
    assert (layout.token_bytes, layout.block_tokens) == (12_288, 256)
    assert layout.sequence_bytes(4000) == 1_610_612_736
    flashinfer = kv_layout(config, "tgi", "gpu", 1, "bfloat16", in_flight_tokens=0, keeps_window=False)
    assert flashinfer.sequence_bytes(4000) == 1_572_864_000


def test_gemma_3_prompts_are_not_chunked_by_tgi() -> None:
    """TGI builds Gemma 3 (model type gemma3) with `support_chunking=False`, so the router requires
    `--max-input-tokens` <= `max_batch_prefill_tokens`, which the launcher defaults to 8,000 for gemma3 (it has a
    vision_config: no compute-optimal value). The serving stack passes context - 1 as the input limit: a context of
    at most 8,001, written as 8,000 (16-token steps); an explicit longer --max-model-len is refused with the reason.
    A text-only Gemma 3 (gemma3_text) is chunked: no such cap."""
    gemma3 = profile_model(GEMMA_3_27B, headers(gemma3_tensors(GEMMA_3_27B)))
    assert not tgi_chunks_prefill(gemma3.config)
    assert tgi_chunks_prefill(read_text_config({**GEMMA_3_27B["text_config"], "model_type": "gemma3_text"}))
    capped = fit(gemma3, H100_X8, TGI)
    assert (capped.max_model_len, capped.prompt_cap) == (8000, 8001)
    assert fit_lines(capped, "h100", None)[-1] == (
        "           capped at 8,001: tgi does not chunk gemma3 prompts, so a prompt must fit one prefill batch of "
        "8,000 tokens"
    )
    assert fit_document("gs://b/m", "c", "h100", capped, None)["prompt_cap"] == 8001
    assert fit(gemma3, H100_X8, TGI, max_model_len=8001).fits
    assert fit(gemma3, H100_X8, TGI, max_model_len=16_000).problem == (
        "TGI 3.3.7 does not chunk gemma3 prompts: --max-model-len 16000 needs max_batch_prefill_tokens >= 15999, "
        "and its launcher sets 8000; allowed: at most 8001"
    )


def test_llama_4_is_served_in_bfloat16_by_tgi() -> None:
    """TGI loads Llama 4 through its transformers backend with `dtype=torch.bfloat16` forced (models/__init__.py line
    1038); other Llama checkpoints take FlashCausalLM's float16 default."""
    assert served_dtype(read_text_config(LLAMA_4_SCOUT), "tgi", "gpu") == "bfloat16"
    assert served_dtype(read_text_config(LLAMA_3_1_8B), "tgi", "gpu") == "float16"
