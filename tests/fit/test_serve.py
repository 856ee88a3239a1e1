"""`hfkit serve` against a model staged by the real stager: the entry it pins, that the file keeps its comments
and layout, removal, and every refusal with its exact message."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from modules.config import load_environment
from scripts.serve.command import deploy_command
from tests.fit.staged import environment_file, stage_model
from tests.fit.test_fit_gcs import TINY
from tests.stage.conftest import REPO_ROOT, Env, cli
from tests.stage.hub_server import HubServer


def example_file(tmp_path: Path, bucket: str) -> Path:
    """The shipped example, comments and all, pointed at the test bucket."""
    path = tmp_path / "hfkit.yaml"
    path.write_text((REPO_ROOT / "hfkit.yaml").read_text().replace("hfkit-example-project-weights", bucket))
    return path


def test_serve_pins_the_commit_and_keeps_comments_and_layout(env: Env, hub: HubServer, tmp_path: Path) -> None:
    staged = stage_model(env, hub, "acme/Tiny-Chat", {**TINY, "vocab_size": 512})
    path = example_file(tmp_path, env.bucket)
    original = path.read_text()

    result = cli(env, "serve", "acme/Tiny-Chat", "--pool", "l4-x1", "--replicas", "1:3", "-c", str(path))

    assert result.exit_code == 0, result.stderr
    commit = staged["commit"]
    assert result.stdout.startswith(
        f"added deployment 'tiny-chat' in {path}: acme/Tiny-Chat@{commit} on l4-x1 (vllm, tensor parallel 1, "
        "max model len 4096, replicas 1-3)"
    )
    text = path.read_text()
    assert text.startswith(original)  # every line, comment and flow mapping before it is untouched
    assert text[len(original) :] == (
        "deployments:\n"
        "  - name: tiny-chat\n"
        "    model: acme/Tiny-Chat\n"
        f"    commit: {commit}\n"
        f"    path: gs://{env.bucket}/models/acme/Tiny-Chat/{commit}/\n"
        "    pool: l4-x1\n"
        "    engine: vllm\n"
        "    tensor_parallel_size: 1\n"
        "    max_model_len: 4096\n"
        "    replicas: {min: 1, max: 3}\n"
    )
    deployment = load_environment(path).deployments[0]
    assert (deployment.bucket, deployment.prefix) == (env.bucket, f"models/acme/Tiny-Chat/{commit}/")
    assert load_environment(path).serving_service_accounts == ["hfkit-serving/model-server", "tiny-chat/model-server"]

    # a comment and an image override on the entry survive an update to a newer commit
    path.write_text(
        text.replace("  - name: tiny-chat\n", "  - name: tiny-chat  # chat model\n    image: acme/vllm:1\n")
    )
    newer = stage_model(env, hub, "acme/Tiny-Chat", {**TINY, "vocab_size": 1024})
    again = cli(env, "serve", "acme/Tiny-Chat", "--pool", "v5e-2x4", "-c", str(path))
    assert again.exit_code == 0, again.stderr
    assert again.stdout.startswith("updated deployment 'tiny-chat'")
    updated = path.read_text()
    assert "  - name: tiny-chat  # chat model\n    image: acme/vllm:1\n" in updated
    entry = yaml.safe_load(updated)["deployments"]
    assert len(entry) == 1
    assert (entry[0]["commit"], entry[0]["pool"], entry[0]["tensor_parallel_size"]) == (newer["commit"], "v5e-2x4", 8)
    assert entry[0]["replicas"] == {"min": 1, "max": 1}

    removed = cli(env, "serve", "--remove", "tiny-chat", "-c", str(path))
    assert removed.exit_code == 0, removed.stderr
    assert path.read_text() == original


def test_serve_refusals(env: Env, hub: HubServer, tmp_path: Path) -> None:
    stage_model(env, hub, "acme/long", {**TINY, "vocab_size": 512, "max_position_embeddings": 16_777_216})
    stage_model(env, hub, "acme/other", {**TINY, "vocab_size": 256})
    config = str(environment_file(tmp_path, env.bucket))
    assert cli(env, "serve", "acme/other", "--pool", "l4-x1", "--name", "chat", "-c", config).exit_code == 0
    b = env.bucket
    cases = [
        (
            ["acme/absent", "--pool", "l4-x1"],
            3,
            f"model 'acme/absent' is not staged in gs://{b}/models/acme/absent/: run `hfkit stage acme/absent --bucket {b}`",  # noqa: E501
        ),
        (
            ["acme/long", "--pool", "l4-x1", "--max-model-len", "12000000"],
            1,
            # reservations: activation 2,048 x 2 x (4 x 512 + 3 x 8 x 64 + 3 x 1,024) + 256 x 512 x 16 = 29,360,128
            # + runtime 268,435,456 + margin 480,000,000 = 0.72 GiB; KV 12e6 x 4 layers x 2 x 2 x 64 x 2 = 22.89 GiB.
            # Nor does the v5e 2x4: per chip one (replicated) KV head of dim 64, whose K and V fill 2 rows of 128 lanes
            # in tpu-inference 0.27.0's layout: 4 layers x 512 B x 12e6 = 24.6e9 > the 12.8e9 budget per chip. One
            # v6e chip (34.4e9 in all, below the A100-40's 40e9) holds both KV heads in the same 2 rows: 24.6e9 (in
            # 32,768-token pages: 367 x 32,768 x 2,048 B = 24.63e9) < 0.9 x 34,359,738,368 - 772 MiB - 2% ~ 29.4e9
            "acme/long does not fit pool 'l4-x1', g2-standard-8 (1 x nvidia-l4, 24 GB each): the KV cache for "
            "12000000 tokens x 1 sequence(s) does not fit; per device: weights 0.02 GiB + start-up reservations "
            "0.72 GiB + KV cache 22.89 GiB for 12,000,000 tokens vs 20.12 GiB usable; smallest shape that fits: "
            "ct6e-standard-1t (TPU v6e 1x1, 1 chips x 32 GiB)",
        ),
        (
            ["acme/long", "--pool", "a100"],
            2,
            f"--pool 'a100' is not a pool of {config}; allowed: v5e-2x4, v5e-4x8, l4-x1",
        ),
        (
            ["acme/long", "--pool", "v5e-2x4", "--engine", "tgi"],
            2,
            "--engine tgi does not run on TPU pool 'v5e-2x4'; allowed: --engine vllm, or a GPU pool (l4-x1)",
        ),
        (
            ["acme/long", "--pool", "v5e-4x8"],
            2,
            "--pool 'v5e-4x8' is a multi-host TPU slice (4x8) and the serving stack runs one pod per node, while "
            "vLLM across a slice's hosts needs one pod per host joined by Ray (a LeaderWorkerSet), which it does not "
            "build; allowed: a single-host TPU pool (v5e-2x4) or a GPU pool",
        ),
        (
            ["acme/long", "--pool", "l4-x1", "--name", "chat"],
            2,
            "--name 'chat' is already the deployment of acme/other; allowed: another --name, or "
            "`hfkit serve --remove chat` first",
        ),
        (
            ["acme/long", "--pool", "l4-x1", "--replicas", "3:1"],
            2,
            "--replicas '3:1' is not MIN:MAX with 1 <= MIN <= MAX; allowed: e.g. 1:3 or 2",
        ),
        (["--remove", "absent"], 2, f"--remove 'absent': no deployment of that name in {config}; allowed: chat"),
        (
            ["--pool", "l4-x1"],
            2,
            "MODEL and --pool are required; allowed: hfkit serve MODEL --pool NAME, or --remove NAME",
        ),
    ]
    before = Path(config).read_text()
    for args, code, message in cases:
        result = cli(env, "serve", *args, "-c", config)
        assert (result.exit_code, result.stderr.strip()) == (code, f"Error: {message}"), args
    assert Path(config).read_text() == before  # a refusal never touches the file


def test_serve_an_invalid_environment_file_exits_4_not_1(env: Env, tmp_path: Path) -> None:
    """Exit 1 means "does not fit": an invalid file gets the code `hfkit fit` gives it (4), every error on stderr."""
    config = tmp_path / "bad.yaml"
    config.write_text(f"project: p\nweights_bucket: {{name: {env.bucket}}}\n")
    result = cli(env, "serve", "acme/other", "--pool", "l4-x1", "-c", str(config))
    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr == (  # one block, exactly `hfkit validate`'s, nothing repeated
        f"{config}: 1 error(s)\n"
        "  error: project: 'p' is not a valid project ID; allowed: 6-30 lowercase letters, digits and hyphens, "
        "starting with a letter\n"
    )
    assert cli(env, "validate", "-c", str(config)).stderr == result.stderr


def test_deploy_command_line(tmp_path: Path) -> None:
    argv, extra = deploy_command(Path("envs/prod.yaml"))
    assert argv == ["npx", "cdktf", "deploy", "serving"]
    assert extra == {"HFKIT_CONFIG": str(Path("envs/prod.yaml").resolve())}


def test_serve_writes_the_context_the_engine_accepts(env: Env, hub: HubServer, tmp_path: Path) -> None:
    """A model whose own context (16,777,216) does not fit one L4: `hfkit serve` writes the largest context whose
    KV cache fits after vLLM's start-up reservations, the number `modules.fit.memory.serving_max_model_len` gives
    and `hfkit fit` shows. Hand: weights (2 x 512 x 512 + 4 x 2,229,248 + 512) x 2 B = 18,883,584; reservations
    29,360,128 (activation) + 268,435,456 (runtime) + 480,000,000 (margin); budget 21.6e9 - 18,883,584 -
    777,795,584 = 20,803,320,832; 4 layers x 2 x 2 heads x 64 x 2 B = 2,048 B per token, 32,768 B per 16-token
    block: 634,866 blocks = 10,157,856 tokens (the whole usable memory less the weights would give 10,537,648)."""
    stage_model(env, hub, "acme/long-ctx", {**TINY, "vocab_size": 512, "max_position_embeddings": 16_777_216})
    config = environment_file(tmp_path, env.bucket)

    result = cli(env, "serve", "acme/long-ctx", "--pool", "l4-x1", "-c", str(config))

    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load(config.read_text())["deployments"][0]["max_model_len"] == 10_157_856
    shown = cli(env, "fit", "acme/long-ctx", "--pool", "l4-x1", "-c", str(config), "--json")
    assert json.loads(shown.stdout)["max_model_len"] == 10_157_856


def test_serve_on_tpu7x_shards_over_both_devices_of_each_chip(env: Env, hub: HubServer, tmp_path: Path) -> None:
    """A tpu7x-standard-4t VM is 4 chips of 2 JAX devices each: tpu-inference serves it with tensor parallel 8
    (modules/catalog/engines.py TPU_DEVICES_PER_CHIP), and TINY's 8 query / 2 KV heads split 8 ways. The staged bytes
    are written: vLLM on TPU caches the weights in memory."""
    staged = stage_model(env, hub, "acme/Tiny-Iron", {**TINY, "vocab_size": 512})
    pools = [
        {"name": "tpu7x-2x2x1", "machine_type": "tpu7x-standard-4t", "zones": ["us-central1-c"]},
        {"name": "v6e-2x2", "machine_type": "ct6e-standard-4t", "zones": ["us-central1-b"]},
    ]
    cluster = {"name": "hfkit-dev", "release_channel": "REGULAR", "min_master_version": "1.34.0-gke.2201000"}
    path = environment_file(tmp_path, env.bucket, tpu_pools=pools, cluster=cluster)

    for pool, tensor_parallel in (("tpu7x-2x2x1", 8), ("v6e-2x2", 4)):
        result = cli(env, "serve", "acme/Tiny-Iron", "--pool", pool, "--name", pool, "-c", str(path))
        assert result.exit_code == 0, result.stderr
        assert f"on {pool} (vllm, tensor parallel {tensor_parallel}, max model len 4096" in result.stdout
    entries = {d.name: d for d in load_environment(path).deployments}
    assert {name: d.tensor_parallel_size for name, d in entries.items()} == {"tpu7x-2x2x1": 8, "v6e-2x2": 4}
    shards = sum(len(body) for name, body in staged["files"].items() if name.endswith(".safetensors"))
    assert (entries["tpu7x-2x2x1"].staged_bytes or 0) >= shards > 0
