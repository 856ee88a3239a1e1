"""One rule for which weight files a server loads, shared by `hfkit stage`'s default selection and `hfkit fit`.

File lists are the public repos' top-level trees (the Hub's file listing of each repo's main branch). Expected
selections follow the engines' loaders (sources in scripts/stage/selection.py): vLLM 0.26.0's Run:ai streamer (GPU),
tpu-inference 0.27.0's JAX models and TGI 3.3.7 take every top-level `*.safetensors` without an index, and vLLM
0.27.0's default loader (TPU, vLLM's model code) switches to Mistral's consolidated format when a
`consolidated*.safetensors` is present, so a consolidated copy must not be staged."""

from __future__ import annotations

from modules.fit.profile import profile_model
from scripts.stage.selection import default_selection, select, served_weights
from tests.fit.models import MISTRAL_7B_V03, headers, llama_tensors, mistral_consolidated_tensors

#: mistralai/Mistral-7B-v0.3: Hugging Face shards and Mistral's consolidated checkpoint side by side.
MISTRAL_REPO = [
    ".gitattributes",
    "README.md",
    "config.json",
    "consolidated.safetensors",
    "generation_config.json",
    "model-00001-of-00003.safetensors",
    "model-00002-of-00003.safetensors",
    "model-00003-of-00003.safetensors",
    "model.safetensors.index.json",
    "params.json",
    "special_tokens_map.json",
    "tokenizer.json",
    "tokenizer.model",
    "tokenizer.model.v3",
    "tokenizer_config.json",
]
#: meta-llama/Llama-3.1-8B-Instruct: Hugging Face shards plus Meta's original checkpoint under original/.
LLAMA_REPO = [
    ".gitattributes",
    "LICENSE",
    "README.md",
    "USE_POLICY.md",
    "config.json",
    "generation_config.json",
    "model-00001-of-00004.safetensors",
    "model-00002-of-00004.safetensors",
    "model-00003-of-00004.safetensors",
    "model-00004-of-00004.safetensors",
    "model.safetensors.index.json",
    "original/consolidated.00.pth",
    "original/params.json",
    "original/tokenizer.model",
    "special_tokens_map.json",
    "tokenizer.json",
    "tokenizer_config.json",
]
#: mistralai/Codestral-22B-v0.1: the consolidated checkpoint is all there is.
CODESTRAL_REPO = [".gitattributes", "README.md", "consolidated.safetensors", "params.json", "tokenizer.model.v3"]

SHARDS = [f"model-0000{i}-of-00003.safetensors" for i in (1, 2, 3)]


def test_mistral_default_selection_skips_the_consolidated_copy() -> None:
    """14.5 GB instead of 29 GB staged: the consolidated.safetensors copy (7,248,023,552 bf16 parameters again) is
    no server's input when Hugging Face shards exist."""
    assert served_weights(MISTRAL_REPO) == SHARDS
    assert default_selection(MISTRAL_REPO) == [
        "README.md",
        "config.json",
        "generation_config.json",
        *SHARDS,
        "model.safetensors.index.json",
        "params.json",
        "special_tokens_map.json",
        "tokenizer.json",
        "tokenizer.model",
        "tokenizer.model.v3",
        "tokenizer_config.json",
    ]
    # every format stays selectable
    assert select(MISTRAL_REPO, include=["consolidated*", "params.json"]) == ["consolidated.safetensors", "params.json"]


def test_llama_default_selection_skips_original() -> None:
    selected = default_selection(LLAMA_REPO)
    assert not [p for p in selected if p.startswith("original/")]
    assert [p for p in selected if p.endswith(".safetensors")] == served_weights(LLAMA_REPO)
    assert select(LLAMA_REPO, include=["original/"]) == [
        "original/consolidated.00.pth",
        "original/params.json",
        "original/tokenizer.model",
    ]


def test_consolidated_only_repo_keeps_its_weights() -> None:
    assert served_weights(CODESTRAL_REPO) == ["consolidated.safetensors"]
    assert default_selection(CODESTRAL_REPO) == CODESTRAL_REPO[1:]


def test_subfolder_safetensors_are_not_served() -> None:
    paths = ["config.json", "model.safetensors", "gptq-4bit/model.safetensors", "onnx/model.onnx"]
    assert served_weights(paths) == ["model.safetensors"]
    assert default_selection(paths) == ["config.json", "model.safetensors"]


def test_summing_every_safetensors_counts_mistral_twice() -> None:
    """What fit did before: the three shards and consolidated.safetensors summed, 2 x 7,248,023,552 parameters
    (hand count: embed and output 2 x 32,768 x 4,096 = 268,435,456; per layer 41,943,040 attention + 176,160,768 MLP
    + 8,192 norms = 218,112,000 x 32 = 6,979,584,000; + final norm 4,096 = 7,248,023,552, the published 7.25B)."""
    shards = headers(llama_tensors(MISTRAL_7B_V03), shards=3)
    consolidated = headers(mistral_consolidated_tensors(MISTRAL_7B_V03), shards=1)
    assert profile_model(MISTRAL_7B_V03, shards).parameters == 7_248_023_552
    assert profile_model(MISTRAL_7B_V03, [*shards, *consolidated]).parameters == 2 * 7_248_023_552
