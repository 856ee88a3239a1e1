"""`hfkit diff` on real git histories: a copy of the project in a temporary repository, one branch per change,
each diffed against its merge base with main by the real command (both sides synthesized in subprocesses).

Each diff costs two synths (~10 s each, run in parallel): the four scenarios run once per module and the tests
read their results.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scripts.cli import main
from scripts.diff import cache
from scripts.diff.compare import compare, strip_metadata
from scripts.diff.report import STACK_ORDER
from tests.conftest import REPO

EXAMPLE = (REPO / "hfkit.yaml").read_text()
TPU_POOL = "    machine_type: ct5lp-hightpu-8t\n    autoscaling: {min_nodes: 0, max_nodes: 2}\n"
STAGER_MEMBER = "members: [group:ml-platform@example.com]"
GPU_POOLS = "gpu_pools:\n"
NEW_POOL = "  - {name: l4-extra, machine_type: g2-standard-4, autoscaling: {min_nodes: 0, max_nodes: 2}}\n"

#: branch -> the example config as that branch changes it.
BRANCHES: dict[str, str] = {
    "add-pool": EXAMPLE.replace(GPU_POOLS, GPU_POOLS + NEW_POOL),
    "topology": EXAMPLE.replace(
        TPU_POOL,
        "    machine_type: ct5lp-hightpu-4t\n    topology: 4x4\n    autoscaling: {min_nodes: 0, max_nodes: 4}\n",
    ),
    "iam": EXAMPLE.replace(STAGER_MEMBER, "members: [group:ml-ops@example.com]"),
    "no-op": EXAMPLE.replace("# hfkit example environment.", "# hfkit example environment (comment edited)."),
}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=env).stdout


def make_repo(path: Path) -> Path:
    """What the cdktf app needs to synthesize: main.py, modules/, stacks/ and the example environment."""
    ignore = shutil.ignore_patterns("__pycache__")
    for folder in ("modules", "stacks"):
        shutil.copytree(REPO / folder, path / folder, ignore=ignore)
    shutil.copy(REPO / "main.py", path / "main.py")
    (path / "hfkit.yaml").write_text(EXAMPLE)
    git(path, "init", "-q", "-b", "main")
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", "base")
    return path


def run_in(repo: Path, *args: str):
    cwd = Path.cwd()
    os.chdir(repo)
    try:
        return CliRunner().invoke(main, ["diff", *args], catch_exceptions=False)
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("diff-repo"))


@pytest.fixture(scope="module")
def diff_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private base-synthesis cache, so the tests neither read nor fill the user's."""
    folder = tmp_path_factory.mktemp("diff-cache")
    saved = os.environ.get(cache.CACHE_ENV)
    os.environ[cache.CACHE_ENV] = str(folder)
    yield folder / "diff"
    if saved is None:
        os.environ.pop(cache.CACHE_ENV)
    else:
        os.environ[cache.CACHE_ENV] = saved


@pytest.fixture(scope="module")
def diffs(repo: Path, diff_cache: Path) -> Iterator[dict[str, tuple[int, dict[str, Any]]]]:
    """All four branches share one merge base: it is synthesized once, then read from the cache."""
    results = {}
    for branch, config in BRANCHES.items():
        git(repo, "checkout", "-q", "-b", branch, "main")
        (repo / "hfkit.yaml").write_text(config)
        git(repo, "commit", "-q", "-am", branch)
        result = run_in(repo, "--format", "json")
        results[branch] = (result.exit_code, json.loads(result.stdout))
    git(repo, "checkout", "-q", "main")
    yield results


def stack(report: dict[str, Any], stack_id: str) -> dict[str, Any]:
    return next(s for s in report["stacks"] if s["id"] == stack_id)


def actions(report: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    return {s["id"]: [(r["action"], r["address"]) for r in s["resources"]] for s in report["stacks"] if s["resources"]}


def test_added_pool_is_one_create_and_costs_more(diffs: dict[str, tuple[int, dict[str, Any]]]) -> None:
    code, report = diffs["add-pool"]
    assert code == 1 and report["changed"]
    assert report["base"]["ref"] == "merge base with main"
    (found,) = actions(report)["accelerators"]
    assert found[0] == "create" and found[1].startswith("google_container_node_pool.gpu-l4-extra_pool_")
    assert report["destroyed_or_replaced"] == [] and report["iam_changes"] == []
    # g2-standard-4 on demand in us-central1: 0.706832/h per node, 0-2 nodes.
    assert report["cost"]["delta"] == {
        "hourly_min": 0.0,
        "hourly_max": pytest.approx(1.413664, abs=1e-4),
        "monthly_min": 0.0,
        "monthly_max": pytest.approx(1.413664 * 730, abs=1e-1),
    }


def test_tpu_topology_change_replaces_the_pool(diffs: dict[str, tuple[int, dict[str, Any]]]) -> None:
    code, report = diffs["topology"]
    assert code == 1
    ((action, address),) = actions(report)["accelerators"]
    assert action == "replace" and address.startswith("google_container_node_pool.tpu-v5e-2x4_pool_")
    assert report["destroyed_or_replaced"] == [address]
    (pool,) = stack(report, "accelerators")["resources"]
    forcing = {c["path"]: (c["before"], c["after"]) for c in pool["changes"] if c["forces_replacement"]}
    assert forcing == {
        "node_config.machine_type": ("ct5lp-hightpu-8t", "ct5lp-hightpu-4t"),
        "placement_policy.tpu_topology": (None, "4x4"),
        "placement_policy.type": (None, "COMPACT"),
    }
    # 2 x 8 chips before, 4 x 4 chips after, both at 1.20 per chip-hour: same price at max.
    assert report["cost"]["delta"]["hourly_max"] == 0.0


def test_iam_member_change_is_flagged(diffs: dict[str, tuple[int, dict[str, Any]]]) -> None:
    code, report = diffs["iam"]
    assert code == 1
    ((action, address),) = actions(report)["identities"]
    assert action == "replace" and address.startswith("google_service_account_iam_member.")
    assert report["iam_changes"] == [address]
    (member,) = stack(report, "identities")["resources"]
    assert [(c["path"], c["before"], c["after"]) for c in member["changes"]] == [
        ("member", "group:ml-platform@example.com", "group:ml-ops@example.com")
    ]


def test_comment_only_change_is_no_change(diffs: dict[str, tuple[int, dict[str, Any]]]) -> None:
    code, report = diffs["no-op"]
    assert code == 0 and not report["changed"]
    assert [s["status"] for s in report["stacks"]] == ["unchanged"] * 5
    assert report["cost"]["delta"] == dict.fromkeys(("hourly_min", "hourly_max", "monthly_min", "monthly_max"), 0.0)


def test_the_base_worktree_is_removed(repo: Path, diffs: dict[str, tuple[int, dict[str, Any]]]) -> None:
    assert git(repo, "worktree", "list").count("\n") == 1


def test_bad_base_ref_and_missing_environment_exit_2(repo: Path) -> None:
    bad = run_in(repo, "--base", "no-such-ref")
    assert bad.exit_code == 2
    assert bad.stderr == "error: git rev-parse --verify no-such-ref^{commit}: fatal: Needed a single revision\n"
    missing = run_in(repo, "--base", "main", "--config", "envs/none.yaml")
    assert missing.exit_code == 2
    assert missing.stderr.startswith(
        "error: environment file envs/none.yaml exists neither in the working tree nor at "
    )


BASE = {
    "accelerators": {
        "//": {"metadata": {"version": "0.21.0"}},
        "resource": {
            "google_container_node_pool": {
                "p": {
                    "//": {"path": "a"},
                    "name": "p",
                    "location": "us-central1",
                    "node_config": {"machine_type": "ct5lp-hightpu-4t"},
                }
            },
            "google_storage_bucket_iam_member": {"m": {"bucket": "b", "member": "user:a@example.com", "role": "r"}},
        },
    },
}


def test_compare_ignores_cdktf_metadata_and_orders_stacks() -> None:
    head = json.loads(json.dumps(BASE))
    head["accelerators"]["//"] = {"metadata": {"version": "0.21.1"}}
    head["accelerators"]["resource"]["google_container_node_pool"]["p"]["//"] = {"path": "b"}
    head["network"] = {"resource": {"google_compute_network": {"n": {"name": "n"}}}}
    (network, accelerators) = compare(BASE, head, STACK_ORDER)
    assert (network.stack_id, network.status, network.count("create")) == ("network", "added", 1)
    assert (accelerators.status, accelerators.resources) == ("unchanged", ())
    assert strip_metadata({"//": 1, "a": [{"//": 2, "b": 3}]}) == {"a": [{"b": 3}]}


def test_compare_flags_destroys_replacements_and_iam() -> None:
    head = json.loads(json.dumps(BASE))
    head["accelerators"]["resource"]["google_container_node_pool"]["p"]["node_config"]["labels"] = {"k": "v"}
    del head["accelerators"]["resource"]["google_storage_bucket_iam_member"]
    (stack,) = compare(BASE, head)
    update, destroy = stack.resources
    assert (update.action, [(c.path, c.before, c.after) for c in update.changes]) == (
        "update",
        [("node_config.labels.k", None, "v")],
    )
    assert (destroy.action, destroy.iam, destroy.destroys) == ("destroy", True, True)
    head["accelerators"]["resource"]["google_container_node_pool"]["p"]["node_config"]["machine_type"] = "x"
    (stack,) = compare(BASE, head)
    assert stack.resources[0].action == "replace"


def test_stack_order_matches_the_app() -> None:
    from stacks.app import BOOTSTRAP, STACK_IDS

    assert (BOOTSTRAP, *STACK_IDS) == STACK_ORDER


def test_text_and_markdown_name_what_will_be_replaced() -> None:
    from scripts.diff.render import to_markdown, to_text
    from scripts.diff.report import DiffReport, diff_stacks

    head = json.loads(json.dumps(BASE))
    head["accelerators"]["resource"]["google_container_node_pool"]["p"]["node_config"]["machine_type"] = "x"
    stacks, cost_base, cost_head = diff_stacks(BASE, head)
    report = DiffReport("main", "0123456789abcdef", "hfkit.yaml", tuple(stacks), cost_base, cost_head)
    assert to_text(report).splitlines()[:5] == [
        "hfkit diff: working tree vs main (0123456789ab), environment file hfkit.yaml",
        "accelerators: 0 to create, 0 to update, 1 to replace, 0 to destroy",
        "  ! google_container_node_pool.p  [will be replaced (node_config.machine_type)]",
        '      node_config.machine_type: "ct5lp-hightpu-4t" -> "x"  (forces replacement)',
        "WARNING: 1 resource(s) will be destroyed or replaced",
    ]
    assert "  - `!` `google_container_node_pool.p` **will be replaced (node_config.machine_type)**" in to_markdown(
        report
    )


def test_the_shared_base_is_synthesized_once_and_cached(
    diffs: dict[str, tuple[int, dict[str, Any]]], diff_cache: Path
) -> None:
    entries = list(diff_cache.glob("*.json"))
    assert len(entries) == 1  # four diffs, one merge base
    cached = json.loads(entries[0].read_text())
    assert {"network", "cluster", "accelerators", "storage", "identities"} <= set(cached)


def test_an_unreadable_cache_entry_is_a_miss(diff_cache: Path) -> None:
    diff_cache.mkdir(parents=True, exist_ok=True)
    (diff_cache / "broken.json").write_text("{not json")
    assert cache.load("broken") is None
    cache.store("fresh", {"network": {"resource": {}}})
    assert cache.load("fresh") == {"network": {"resource": {}}}
    (diff_cache / "fresh.json").unlink()
    (diff_cache / "broken.json").unlink()
