"""The `hfkit validate|schema|synth` commands, run through click as a user would, and the cdktf app itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scripts.cli import main
from scripts.config_commands import environment_schema
from tests.conftest import REPO, Synthesized


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_validate_accepts_the_example() -> None:
    result = run("validate", "--config", str(REPO / "hfkit.yaml"))
    assert result.exit_code == 0
    assert result.stdout == (
        f"ok: {REPO / 'hfkit.yaml'}: environment 'dev' in hfkit-example-project/us-central1, "
        "1 TPU pool(s), 1 GPU pool(s)\n"
    )


def test_validate_reads_hfkit_config_from_the_environment(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((REPO / "hfkit.yaml").read_text().replace("ct5lp-hightpu-8t", "ct5lp-hightpu-8t\n    topology: 4x8"))
    result = run("validate", env={"HFKIT_CONFIG": str(bad)})
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{bad}: 1 error(s)",
        "  error: tpu_pools[0].machine_type: 'ct5lp-hightpu-8t' cannot form multi-host topology 4x8; "
        "allowed: ct5lp-hightpu-4t (4 chips per VM)",
    ]


def test_validate_prints_every_error_and_warnings(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "project: x\n"
        "weights_bucket: {name: Weights}\n"
        "gpu_pools: [{name: l4, machine_type: g2-standard-8, spot: true, reservation: {name: r}}]\n"
    )
    result = run("validate", "-c", str(bad))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1:] == [
        "  error: project: 'x' is not a valid project ID; allowed: 6-30 lowercase letters, digits and hyphens, "
        "starting with a letter",
        "  error: gpu_pools[0].spot: true conflicts with reservation 'r'; allowed: spot or a reservation, not both",
        "  error: weights_bucket.name: 'Weights' is not a valid bucket name; allowed: 3-51 lowercase letters, digits, "
        "- and _, starting and ending with a letter or digit",
    ]


def test_validate_names_a_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    missing = run("validate", "-c", str(tmp_path / "nope.yaml"))
    assert missing.exit_code == 1
    assert f"error: HFKIT_CONFIG: cannot read '{tmp_path / 'nope.yaml'}': No such file or directory" in missing.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("project: [unclosed\n")
    result = run("validate", "-c", str(broken))
    assert result.exit_code == 1
    assert f"error: config: '{broken}' is not valid YAML:" in result.stderr


def test_warnings_go_to_stderr_and_do_not_fail(tmp_path: Path) -> None:
    result = run("validate", "-c", str(REPO / "tests" / "configs" / "production.yaml"))
    assert result.exit_code == 0
    warning = "tpu_pools[1].zones: 'us-west4-b' is not in the kit's list of zones offering tpu-v5-lite-podslice"
    assert warning in result.stderr


def test_schema_command_matches_the_shipped_schema_file() -> None:
    result = run("schema")
    assert json.loads(result.stdout) == environment_schema()
    shipped = json.loads((REPO / "hfkit.schema.json").read_text())
    assert shipped == environment_schema(), "hfkit.schema.json is stale: run `hfkit schema > hfkit.schema.json`"
    assert "tpu_pools" in shipped["properties"]


def test_synth_writes_every_stack_and_summarizes_pools(synthesized: dict[str, Synthesized], tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    result = run("synth", "-c", str(REPO / "tests" / "configs" / "multihost-spot.yaml"), "--outdir", str(outdir))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (outdir / "stacks").iterdir()) == [
        "accelerators",
        "cluster",
        "identities",
        "network",
        "storage",
    ]
    lines = result.stdout.splitlines()
    row = next(line for line in lines if line.startswith("v5e-4x8-spot"))
    assert row.split() == [
        "v5e-4x8-spot",
        "ct5lp-hightpu-4t",
        "tpu-v5-lite-podslice",
        "4x8",
        "(32",
        "chips)",
        "4",
        "0-8",
        "(autoscaling)",
        "spot",
        "us-east5-a",
    ]
    assert "  bucket gs://hfkit-train-weights (weights, US-EAST5)" in lines
    assert (
        "  service account hfkit-stager: Stages Hugging Face Hub weights into the weights bucket (hfkit stage)" in lines
    )
    assert [
        line
        for line in lines
        if not line.startswith(" ") and line.strip() in {"network", "cluster", "accelerators", "storage", "identities"}
    ] == ["network", "cluster", "accelerators", "storage", "identities"]


def test_summary_reads_every_generation_and_the_tpu7x_workload_policy(synthesized: dict[str, Synthesized]) -> None:
    """tests/configs/tpu-generations.yaml as synthesized: v6e slices name their topology in
    `placement_policy.tpu_topology`, TPU7x slices in the `workload_policy.accelerator_topology` of the resource policy
    their `placement_policy.policy_name` references; single-host pools show the machine type's own topology."""
    from scripts.summary import pools

    rows = {
        p.name: (p.accelerator, p.topology, p.slice_chips, p.chips_or_gpus_per_node, p.nodes, p.capacity)
        for p in pools(synthesized["tpu-generations"].stack("accelerators"))
    }
    assert rows == {
        "v6e-2x2": ("tpu-v6e-slice", "2x2", 4, 4, "0-2 (autoscaling)", "on-demand"),
        "v6e-4x4": ("tpu-v6e-slice", "4x4", 16, 4, "0-4 (autoscaling)", "spot"),
        "tpu7x-2x2x1": ("tpu7x", "2x2x1", 4, 4, "1", "reservation ironwood-capacity"),
        "tpu7x-2x2x2": ("tpu7x", "2x2x2", 8, 4, "0-2 (autoscaling)", "flex-start"),
    }


def test_synth_refuses_an_invalid_config_before_synthesizing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "project: hfkit-example\nweights_bucket: {name: w-eights}\ntpu_pools: [{name: t, machine_type: v5e}]\n"
    )
    result = run("synth", "-c", str(bad), "--outdir", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "error: tpu_pools[0].machine_type: 'v5e' is not a TPU machine type the kit knows" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("config", ["example"])
def test_cdktf_app_entry_point_produces_the_same_terraform(
    synthesized: dict[str, Synthesized], tmp_path: Path, config: str
) -> None:
    """`cdktf synth` runs the "app" of cdktf.json; run that command as cdktf would and compare its output."""
    app = json.loads((REPO / "cdktf.json").read_text())["app"]
    assert app.endswith("main.py")
    env = {**os.environ, "CDKTF_OUTDIR": str(tmp_path), "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    env.pop("HFKIT_CONFIG", None)
    subprocess.run([sys.executable, "main.py"], cwd=REPO, env=env, check=True, timeout=300)
    for stack_dir in synthesized[config].stacks_dir.iterdir():
        produced = json.loads((tmp_path / "stacks" / stack_dir.name / "cdk.tf.json").read_text())
        assert produced == json.loads((stack_dir / "cdk.tf.json").read_text())
