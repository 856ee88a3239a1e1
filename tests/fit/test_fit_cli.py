"""`hfkit fit` end to end on issue 10's cases: the weights the engine loads (a repo with a consolidated copy), a
config that relies on class defaults, and the exit codes and the one JSON document of every failure. Models are
staged by the real stager from the local Hub into fake-gcs-server; tiny shapes keep the files small."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.fit.models import gemma3_tensors, llama_tensors, mistral_consolidated_tensors
from tests.fit.staged import environment_file, safetensors, stage_files
from tests.fit.test_fit_gcs import TINY, media_reads
from tests.stage.conftest import Env, cli
from tests.stage.gcs_proxy import GcsProxy
from tests.stage.hub_server import HubServer

TINY_MISTRAL = {
    **TINY,
    "model_type": "mistral",
    "architectures": ["MistralForCausalLM"],
    "vocab_size": 512,
    "hidden_size": 256,
    "intermediate_size": 512,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "sliding_window": None,
}
# embed = output = 512 x 256 = 131,072; per layer: q = o = 256 x 256 = 65,536, k = v = 256 x (2 x 64) = 32,768,
# MLP 3 x 256 x 512 = 393,216, norms 512 -> 590,336 x 2 = 1,180,672; + 262,144 + final norm 256, in either format
TINY_PARAMS = 1_443_072
SHARDS = [f"model-0000{i}-of-00003.safetensors" for i in (1, 2, 3)]


def _file(tensors: dict[str, tuple[str, list[int]]]) -> bytes:
    return safetensors({name: {"dtype": dtype, "shape": shape} for name, (dtype, shape) in tensors.items()})[0]


def mistral_like_repo() -> dict[str, bytes]:
    """The layout of mistralai/Mistral-7B-v0.3 at a tiny size: three HF shards named by the index, and the same
    weights again in consolidated.safetensors (Mistral's names), with params.json."""
    tensors = list(llama_tensors(TINY_MISTRAL).items())
    files: dict[str, bytes] = {"config.json": json.dumps(TINY_MISTRAL).encode(), "params.json": b"{}"}
    weight_map = {}
    for index, name in enumerate(SHARDS):
        part = dict(tensors[index::3])
        files[name] = _file(part)
        weight_map.update(dict.fromkeys(part, name))
    files["model.safetensors.index.json"] = json.dumps({"metadata": {}, "weight_map": weight_map}).encode()
    files["consolidated.safetensors"] = _file(mistral_consolidated_tensors(TINY_MISTRAL))
    return files


def fit_json(env: Env, model: str, config: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = cli(env, "fit", model, "--pool", "l4-x1", "-c", str(config), "--json", *args)
    return result.exit_code, json.loads(result.stdout)


def test_consolidated_copy_is_neither_staged_nor_counted(
    env: Env, hub: HubServer, gcs_proxy: GcsProxy, tmp_path: Path
) -> None:
    files = mistral_like_repo()
    commit = stage_files(env, hub, "acme/tiny-mistral", files)
    config = environment_file(tmp_path, env.bucket)
    prefix = f"models/acme/tiny-mistral/{commit}/"
    staged = {f["path"] for f in json.loads(env.read(prefix + "hfkit-manifest.json"))["files"]}
    assert "consolidated.safetensors" not in staged and set(SHARDS) <= staged
    gcs_proxy.reset()

    code, doc = fit_json(env, "acme/tiny-mistral", config)

    assert code == 0
    assert (doc["profile"]["parameters"], doc["profile"]["loaded_files"], doc["profile"]["ignored_files"]) == (
        TINY_PARAMS,
        SHARDS,
        [],
    )
    assert prefix + "model.safetensors.index.json" in media_reads(gcs_proxy)  # the index decides the shards

    # staged on purpose (--include), the copy is reported and still not counted: the engine allocates each parameter
    # once (vLLM's Run:ai streamer on GPU would stream the copy into the same parameters: load time, not memory)
    stage_files(env, hub, "acme/tiny-mistral", files, "--include", "*", "--prefix", "full")
    code, doc = fit_json(env, "acme/tiny-mistral", config, "--prefix", "full")
    assert (code, doc["profile"]["parameters"], doc["profile"]["ignored_files"]) == (
        0,
        TINY_PARAMS,
        ["consolidated.safetensors"],
    )


def test_gemma_3_config_defaults_are_reported(env: Env, hub: HubServer, tmp_path: Path) -> None:
    """Gemma 3's layout (language model in text_config without max_position_embeddings, SigLIP tower) at a tiny
    size: Gemma3TextConfig's 131,072 applies and is named; 6 layers = 5 sliding (window 4,096 by default) + 1
    global. KV: 2 x 2 heads x 64 x 2 B = 512 B per layer per token; on one L4 the budget (21.6e9 less weights and
    0.8e9 of reservations) holds one 131,072-token sequence (131,072 x 512 + 5 sliding layers x 8,208 tokens
    (min(4,095 + 2 x 2,048 in flight, L) = 8,191 -> 512 blocks + 1) x 512 = 88e6 B)."""
    config = {
        "architectures": ["Gemma3ForConditionalGeneration"],
        "model_type": "gemma3",
        "text_config": {"model_type": "gemma3_text", "hidden_size": 256, "intermediate_size": 512,
                        "num_hidden_layers": 6, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 64,
                        "vocab_size": 512},
        "vision_config": {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 1, "patch_size": 14,
                          "image_size": 28},
        "torch_dtype": "bfloat16",
    }  # fmt: skip
    files = {"config.json": json.dumps(config).encode(), "model.safetensors": _file(gemma3_tensors(config))}
    stage_files(env, hub, "acme/tiny-gemma3", files)
    path = environment_file(tmp_path, env.bucket)

    result = cli(env, "fit", "acme/tiny-gemma3", "--pool", "l4-x1", "-c", str(path))

    assert result.exit_code == 0, result.stderr
    assert (
        "defaults   sliding_window=4096 (Gemma3TextConfig default); max_position_embeddings=131072 (Gemma3TextConfig "
        "default); sliding_window_pattern=6 (Gemma3TextConfig default)"
    ) in result.stdout
    assert "6 layers, 4 attention / 2 KV heads, head dim 64; 5 sliding (4096), 1 full, context 131,072" in result.stdout
    assert "--max-model-len 131072" in result.stdout


def test_exit_codes_and_one_json_document_on_every_failure(env: Env, hub: HubServer, tmp_path: Path) -> None:
    config = environment_file(tmp_path, env.bucket)
    hub.add_repo("acme/tiny-gpt2", {"config.json": b'{"model_type": "gpt2", "n_layer": 2}', "model.safetensors":
                                    _file({"wte.weight": ("BF16", [8, 8])})})  # fmt: skip
    assert cli(env, "stage", "acme/tiny-gpt2", "--bucket", env.bucket).exit_code == 0
    data = yaml.safe_load(config.read_text())
    data["replicas_typo"] = 1
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text(yaml.safe_dump(data, sort_keys=False))

    # 4: an invalid environment file, listed once, as `hfkit validate` lists it (1 would read as "does not fit")
    typo = "replicas_typo: unknown field; check the spelling against the config reference in README.md"
    block = f"{invalid}: 1 error(s)\n  error: {typo}\n"
    text = cli(env, "fit", "acme/tiny-gpt2", "--pool", "l4-x1", "-c", str(invalid))
    assert (text.exit_code, text.stdout, text.stderr) == (4, "", block)
    assert cli(env, "validate", "-c", str(invalid)).stderr == block
    as_json = cli(env, "fit", "acme/tiny-gpt2", "--pool", "l4-x1", "-c", str(invalid), "--json")
    assert (as_json.exit_code, as_json.stderr) == (4, block)
    assert json.loads(as_json.stdout) == {  # exactly one document: json.loads refuses anything after it
        "error": f"{invalid}: 1 error(s): {typo}",
        "exit_code": 4,
        "model": "acme/tiny-gpt2",
        "pool": "l4-x1",
        "errors": [typo],
    }

    # 5: an architecture that is not modelled, named in one line
    code, doc = fit_json(env, "acme/tiny-gpt2", config)
    assert code == 5
    assert doc["error"].endswith(
        "config.json: model_type 'gpt2' is not modelled by hfkit fit; allowed: deepseek_v2, deepseek_v3, gemma, "
        "gemma2, gemma3, gemma3_text, kimi_k2, llama, llama4, llama4_text, mistral, mixtral, phi3, qwen2, qwen2_moe, "
        "qwen3, qwen3_moe"
    )

    # 2 and 3: usage and not staged, also as JSON; click's own usage errors too
    assert fit_json(env, "acme/absent", config)[1]["exit_code"] == 3
    code, doc = fit_json(env, "acme/tiny-gpt2", config, "--pool", "nope")
    assert (code, doc) == (
        2,
        {
            "error": f"--pool 'nope' is not a pool of {config}; allowed: v5e-2x4, v5e-4x8, l4-x1",
            "exit_code": 2,
            "model": "acme/tiny-gpt2",
            "pool": "nope",
        },
    )
    missing = cli(env, "fit", "acme/tiny-gpt2", "-c", str(config), "--json")
    assert (missing.exit_code, json.loads(missing.stdout)) == (
        2,
        {"error": "Missing option '--pool'.", "exit_code": 2},
    )
