"""`hfkit fit` end to end: a model staged by the real stager from the local Hub into fake-gcs-server, profiled
through the counting proxy, which shows that only the manifest, config.json and shard headers are read."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fit.staged import environment_file, stage_model
from tests.stage.conftest import Env, cli
from tests.stage.gcs_proxy import GcsProxy
from tests.stage.hub_server import HubServer

TINY = {
    "model_type": "llama",
    "vocab_size": 32768,
    "hidden_size": 512,
    "intermediate_size": 1024,
    "num_hidden_layers": 4,
    "num_attention_heads": 8,
    "num_key_value_heads": 2,
    "max_position_embeddings": 4096,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
}
# embed = lm_head = 32768 x 512 = 16,777,216; per layer: q = o = 512^2 = 262,144, k = v = 512 x 128 = 65,536,
# mlp 3 x 512 x 1024 = 1,572,864, norms 1,024 -> 2,229,248 x 4 = 8,916,992; total 33,554,432 + 8,916,992 + 512
TINY_PARAMS = 42_471_936


def media_reads(proxy: GcsProxy) -> dict[str, int]:
    """Bytes of object content the proxy sent, per object name (JSON metadata calls excluded)."""
    reads: dict[str, int] = {}
    for method, path, size in proxy.sent:
        if method == "GET" and "alt=media" in path:
            name = path.split("/o/", 1)[1].split("?", 1)[0].replace("%2F", "/")
            reads[name] = reads.get(name, 0) + size
    return reads


def test_fit_reads_only_headers_of_large_shards(env: Env, hub: HubServer, gcs_proxy: GcsProxy, tmp_path: Path) -> None:
    staged = stage_model(env, hub, "acme/tiny-llama", TINY)
    config = environment_file(tmp_path, env.bucket)
    gcs_proxy.reset()

    result = cli(env, "fit", "acme/tiny-llama", "--pool", "l4-x1", "-c", str(config), "--json")

    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["commit"] == staged["commit"]
    # the version vllm/vllm-openai:v0.26.0 carries (modules/catalog/engines.py); a dense model charges no CUDA graphs
    assert (doc["engine_version"], doc["per_device"]["cuda_graph_bytes"]) == ("vLLM 0.26.0", 0)
    assert doc["profile"]["parameters"] == TINY_PARAMS
    assert doc["profile"]["parameters_by_dtype"] == {"BF16": TINY_PARAMS}
    assert doc["profile"]["weight_bytes"] == 2 * TINY_PARAMS
    # per layer on the one L4: K and V of 2 KV heads x head dim 512 / 8 = 64 x 2 B
    assert doc["per_device"]["kv_bytes_per_token_per_layer"] == 2 * 2 * 64 * 2
    assert (doc["fits"], doc["tensor_parallel_size"], doc["max_model_len"]) == (True, 1, 4096)
    assert doc["profile"]["loaded_files"] == sorted(staged["header_lengths"])
    prefix = f"models/acme/tiny-llama/{staged['commit']}/"
    reads = media_reads(gcs_proxy)
    shards = {prefix + name: 8 + length for name, length in staged["header_lengths"].items()}
    manifest_size = len(env.read(prefix + "hfkit-manifest.json"))
    assert reads == {
        **shards,
        prefix + "config.json": len(staged["files"]["config.json"]),
        prefix + "hfkit-manifest.json": manifest_size,
    }
    shard_sizes = sum(len(staged["files"][name]) for name in staged["header_lengths"])
    assert shard_sizes > 80 * 2**20 and sum(shards.values()) < 64 * 1024  # 80+ MiB of shards, < 64 KiB read


def test_fit_text_report_and_manifest_path(env: Env, hub: HubServer, tmp_path: Path) -> None:
    staged = stage_model(env, hub, "acme/tiny-text", {**TINY, "vocab_size": 512})
    config = environment_file(tmp_path, env.bucket)
    uri = f"gs://{env.bucket}/models/acme/tiny-text/{staged['commit']}/hfkit-manifest.json"

    result = cli(env, "fit", uri, "--pool", "v5e-2x4", "-c", str(config))

    assert result.exit_code == 0, result.stderr
    assert f"staged     acme/tiny-text @ {staged['commit']}" in result.stdout
    assert (
        "engine     vllm (vLLM 0.27.0 + tpu-inference 0.27.0), served in bfloat16, KV cache bfloat16, memory "
        "utilisation 0.90, tensor parallel 8 (every device of the node)"
    ) in result.stdout
    assert "fits: largest context 4,096 tokens for 1 sequence(s)" in result.stdout
    assert "--tensor-parallel-size 8 --max-model-len 4096" in result.stdout


def test_fit_picks_the_newest_staged_commit(env: Env, hub: HubServer, tmp_path: Path) -> None:
    small = {**TINY, "vocab_size": 256, "hidden_size": 64, "intermediate_size": 128, "num_attention_heads": 4}
    stage_model(env, hub, "acme/moving", small)
    newer = stage_model(env, hub, "acme/moving", {**small, "max_position_embeddings": 1024})
    config = environment_file(tmp_path, env.bucket)

    result = cli(env, "fit", "acme/moving", "--pool", "l4-x1", "-c", str(config), "--json")

    doc = json.loads(result.stdout)
    assert (doc["commit"], doc["profile"]["context_length"]) == (newer["commit"], 1024)


def test_fit_does_not_fit_names_the_smallest_shape(env: Env, hub: HubServer, tmp_path: Path) -> None:
    stage_model(env, hub, "acme/tiny-busy", {**TINY, "vocab_size": 512, "hidden_size": 1024})
    config = environment_file(tmp_path, env.bucket)
    # head dim 1024 / 8 = 128. One L4: KV 4 layers x 2 x 2 heads x 128 x 2 B = 4,096 B per token; 3,000 sequences x
    # 2,048 tokens = 25.2e9 B > the ~20.8e9 budget (21.6e9 usable less ~0.8e9 of reservations); one A100-40 has a
    # ~34.9e9 budget. On the v5e 2x4 each chip holds one (replicated) KV head: 1,024 B per token per chip, 6.3e9 of
    # a 12.8e9 budget per chip. Smallest in the catalog: one v6e chip (34.4e9 in all, below the A100-40's 40e9): KV
    # 4 layers x align(2 x 2, 2) rows x 128 x 2 B = 4,096 B per token, 25.2e9 for 3,000 x 2,048 tokens, within
    # 0.9 x 34,359,738,368 less 772 MiB, the 2% margin and ~0.03e9 of weights = ~29.4e9
    args = ["--pool", "l4-x1", "-c", str(config), "--max-model-len", "2048", "--max-num-seqs", "3000"]

    result = cli(env, "fit", "acme/tiny-busy", *args)

    assert result.exit_code == 1
    assert "does not fit: the KV cache for 2048 tokens x 3000 sequence(s) does not fit" in result.stdout
    assert "smallest shape that fits: ct6e-standard-1t (TPU v6e 1x1, 1 chips x 32 GiB)" in result.stdout
    assert result.stdout.endswith("pools of this environment that fit: v5e-2x4\n")


def test_fit_errors(env: Env, hub: HubServer, gcs_proxy: GcsProxy, tmp_path: Path) -> None:
    config = str(environment_file(tmp_path, env.bucket))
    stage_model(env, hub, "acme/tiny-err", {**TINY, "vocab_size": 512})
    cases = [
        (
            ["acme/absent", "--pool", "l4-x1"],
            3,
            f"Error: model 'acme/absent' is not staged in gs://{env.bucket}/models/acme/absent/: "
            f"run `hfkit stage acme/absent --bucket {env.bucket}`",
        ),
        (
            ["acme/tiny-err", "--pool", "a100"],
            2,
            f"Error: --pool 'a100' is not a pool of {config}; allowed: v5e-2x4, v5e-4x8, l4-x1",
        ),
        (
            [f"gs://{env.bucket}/models/acme/tiny-err/{'0' * 40}/hfkit-manifest.json", "--pool", "l4-x1"],
            3,
            f"Error: gs://{env.bucket}/models/acme/tiny-err/{'0' * 40}/hfkit-manifest.json: no manifest at "
            f"gs://{env.bucket}/models/acme/tiny-err/{'0' * 40}/hfkit-manifest.json; stage the model first",
        ),
        (
            ["not a model", "--pool", "l4-x1"],
            2,
            "Error: MODEL 'not a model' is neither ORG/NAME nor gs://BUCKET/.../hfkit-manifest.json",
        ),
    ]
    for args, code, message in cases:
        result = cli(env, "fit", *args, "-c", config)
        assert (result.exit_code, result.stderr.strip()) == (code, message)
    (tmp_path / "missing").mkdir()
    missing_config = environment_file(tmp_path / "missing", "absent-b")
    missing = cli(env, "fit", "acme/tiny-err", "--pool", "l4-x1", "-c", str(missing_config))
    assert (missing.exit_code, missing.stderr.strip()) == (
        3,
        f"Error: bucket 'absent-b' does not exist; allowed: the weights bucket of {missing_config} "
        "(deploy the storage stack) or a gs:// path in an existing bucket",
    )
    multi = cli(env, "fit", "acme/tiny-err", "--pool", "v5e-4x8", "-c", config)
    assert multi.exit_code == 1
    assert (
        "does not fit: 4x8 is a multi-host TPU slice and the serving stack runs one pod per node, while vLLM across a "
        "slice's hosts needs one pod per host joined by Ray (a LeaderWorkerSet), which it does not build"
    ) in multi.stdout
    tgi = cli(env, "fit", "acme/tiny-err", "--pool", "v5e-2x4", "--engine", "tgi", "-c", config)
    assert "does not fit: tgi does not run on TPU" in tgi.stdout
    assert "smallest shape that fits: g2-standard-4 (1 x nvidia-l4, 24 GB each)" in tgi.stdout
    gcs_proxy.deny(env.bucket)
    denied = cli(env, "fit", "acme/tiny-err", "--pool", "l4-x1", "-c", config)
    assert (denied.exit_code, denied.stderr.strip()) == (
        2,
        f"Error: permission denied on bucket '{env.bucket}' (HTTP 403); allowed: an identity with "
        "roles/storage.objectViewer on the bucket (e.g. the stager or serving service account)",
    )
