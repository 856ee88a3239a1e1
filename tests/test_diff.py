"""`hfkit diff`: on real git histories (a copy of the project in a temporary repository, one branch per change, each
diffed against its merge base with main by the real command, both sides synthesized in subprocesses), and, for what
each kind of change does on apply, on environments synthesized in this process and compared directly.

Each git diff costs a ~10 s synth subprocess: two branches exercise the git, cache and CLI plumbing. The effect of
each attribute change (replace, recreates nodes, update, ...) is checked on edited test environments, synthesized
in-process after the session's provider import (~0.2 s each); every expectation cites the provider source it
follows (hashicorp/terraform-provider-google v6.50.0, hashicorp/kubernetes v2.38.0, read 2026-12-02).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from scripts.cli import main
from scripts.diff import cache
from scripts.diff.compare import KNOWN_AFTER_APPLY, StackDiff, compare, strip_metadata
from scripts.diff.report import STACK_ORDER
from scripts.diff.synth import read_stacks
from tests.conftest import CONFIGS, REPO, Synthesized

EXAMPLE = (REPO / "hfkit.yaml").read_text()
GPU_POOLS = "gpu_pools:\n"
NEW_POOL = "  - {name: l4-extra, machine_type: g2-standard-4, autoscaling: {min_nodes: 0, max_nodes: 2}}\n"

#: branch -> the example config as that branch changes it.
BRANCHES: dict[str, str] = {
    "add-pool": EXAMPLE.replace(GPU_POOLS, GPU_POOLS + NEW_POOL),
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
    """Both branches share one merge base: it is synthesized once, then read from the cache."""
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
    assert (update.action, [(c.path, c.before, c.after, c.effect) for c in update.changes]) == (
        "update",
        [("node_config.labels.k", None, "v", "update")],
    )
    assert (destroy.action, destroy.iam, destroy.destroys) == ("destroy", True, True)
    # spot is ForceNew (node_config.go:440-446); machine_type is not (:360-365), and it is moot on a replaced pool
    head["accelerators"]["resource"]["google_container_node_pool"]["p"]["node_config"]["spot"] = True
    head["accelerators"]["resource"]["google_container_node_pool"]["p"]["node_config"]["machine_type"] = "x"
    (stack,) = compare(BASE, head)
    assert stack.resources[0].action == "replace"
    assert [(c.path, c.effect) for c in stack.resources[0].changes] == [
        ("node_config.labels.k", "update"),
        ("node_config.machine_type", "update"),
        ("node_config.spot", "replace"),
    ]


def test_meta_arguments_and_ignored_changes_are_not_planned() -> None:
    """depends_on is no attribute; lifecycle.ignore_changes paths are not planned by Terraform."""
    before = {
        "resource": {
            "kubernetes_deployment_v1": {
                "d": {
                    "spec": {"replicas": "1", "paused": False},
                    "lifecycle": {"ignore_changes": ["spec[0].replicas"]},
                }
            }
        }
    }
    after = json.loads(json.dumps(before))
    after["resource"]["kubernetes_deployment_v1"]["d"]["spec"]["replicas"] = "3"
    after["resource"]["kubernetes_deployment_v1"]["d"]["depends_on"] = ["kubernetes_namespace_v1.n"]
    assert compare({"s": before}, {"s": after})[0].status == "unchanged"


def test_references_carry_a_replacement_to_the_resources_that_hold_them() -> None:
    """A reference to a configured attribute is planned as its new value (a policy renamed with its topology makes
    the pool's ForceNew policy_name change); a reference to a computed attribute of a replaced resource is known
    only after apply: ForceNew attributes holding it replace their resource (a pool's `cluster`,
    resource_container_node_pool.go:78-83), others update; a replaced resource's unchanged configured attribute
    (the network's name) changes nothing."""

    def stack(topology: str, network: str) -> dict[str, Any]:
        return {
            "resource": {
                "google_compute_network": {"n": {"name": "vpc", "auto_create_subnetworks": network == "auto"}},
                "google_container_cluster": {"c": {"name": "c", "network": "${google_compute_network.n.name}"}},
                "google_compute_resource_policy": {
                    "r": {"name": f"c-p-{topology}", "workload_policy": {"accelerator_topology": topology}}
                },
                "google_container_node_pool": {
                    "p": {
                        "cluster": "${google_container_cluster.c.id}",
                        "placement_policy": {
                            "type": "COMPACT",
                            "policy_name": "${google_compute_resource_policy.r.name}",
                        },
                    }
                },
                "kubernetes_namespace_v1": {
                    "k": {"metadata": {"labels": {"network": "${google_compute_network.n.id}"}}}
                },
            }
        }

    (moved,) = compare({"s": stack("2x2x2", "custom")}, {"s": stack("2x2x4", "custom")})
    assert [
        (r.address, r.action, [(c.path, c.before, c.after, c.effect) for c in r.changes]) for r in moved.resources
    ] == [
        (
            "google_compute_resource_policy.r",
            "replace",
            [
                ("name", "c-p-2x2x2", "c-p-2x2x4", "update"),
                ("workload_policy.accelerator_topology", "2x2x2", "2x2x4", "replace"),
            ],
        ),
        (
            "google_container_node_pool.p",
            "replace",
            [("placement_policy.policy_name", "c-p-2x2x2", "c-p-2x2x4", "replace")],
        ),
    ]
    # auto_create_subnetworks is ForceNew (compute/resource_compute_network.go:74-81): the network is replaced, its
    # id is unknown until apply; the cluster's network names it by its unchanged configured name.
    (network,) = compare({"s": stack("2x2x2", "custom")}, {"s": stack("2x2x2", "auto")})
    assert [(r.address, r.action, [(c.path, c.after, c.effect) for c in r.changes]) for r in network.resources] == [
        ("google_compute_network.n", "replace", [("auto_create_subnetworks", True, "replace")]),
        ("kubernetes_namespace_v1.k", "update", [("metadata.labels.network", KNOWN_AFTER_APPLY, "update")]),
    ]


def test_references_through_stack_outputs_are_followed() -> None:
    """cdktf passes values between stacks as outputs read from remote state: a configured value arrives as itself
    (the cluster's name), a computed one of a replaced resource is known only after its stack applies (the cluster's
    id): the pool's ForceNew `cluster` replaces it."""

    def stacks(master: str, name: str) -> dict[str, Any]:
        remote = "${data.terraform_remote_state.cross-stack-reference-input-cluster.outputs.%s}"
        return {
            "cluster": {
                "resource": {
                    "google_container_cluster": {
                        "c": {"name": name, "private_cluster_config": {"master_ipv4_cidr_block": master}}
                    }
                },
                "output": {
                    "cross-stack-output-cid": {"value": "${google_container_cluster.c.id}"},
                    "cross-stack-output-cname": {"value": "${google_container_cluster.c.name}"},
                },
            },
            "accelerators": {
                "resource": {
                    "google_container_node_pool": {"p": {"cluster": remote % "cross-stack-output-cid"}},
                    "kubernetes_namespace_v1": {
                        "k": {"metadata": {"labels": {"c": remote % "cross-stack-output-cname"}}}
                    },
                }
            },
        }

    order = ("cluster", "accelerators")
    # master_ipv4_cidr_block is ForceNew (resource_container_cluster.go:1788-1797)
    cluster, pools = compare(stacks("172.16.0.0/28", "c"), stacks("172.16.0.16/28", "c"), order)
    assert [(r.address, r.action) for r in cluster.resources] == [("google_container_cluster.c", "replace")]
    assert [(r.address, r.action, [(c.path, c.after) for c in r.changes]) for r in pools.resources] == [
        ("google_container_node_pool.p", "replace", [("cluster", KNOWN_AFTER_APPLY)])
    ]
    # name is ForceNew too (:272-279); the namespace's label carries the new name itself (no replacement: labels
    # update in place)
    _, pools = compare(stacks("172.16.0.0/28", "c"), stacks("172.16.0.0/28", "d"), order)
    assert [(r.address, r.action, [(c.path, c.before, c.after) for c in r.changes]) for r in pools.resources] == [
        (
            "google_container_node_pool.p",
            "replace",
            [
                (
                    "cluster",
                    "${data.terraform_remote_state.cross-stack-reference-input-cluster.outputs.cross-stack-output-cid}",
                    KNOWN_AFTER_APPLY,
                )
            ],
        ),
        ("kubernetes_namespace_v1.k", "update", [("metadata.labels.c", "c", "d")]),
    ]


def test_a_workload_policy_renamed_alone_fails_to_apply() -> None:
    """name is not ForceNew, and the Update PATCHes the policy under its new name (404):
    compute/resource_compute_resource_policy.go:66-76, 621-720; tpgresource/utils.go:818-826."""
    before = {"resource": {"google_compute_resource_policy": {"r": {"name": "old-2x2x2", "region": "us-central1"}}}}
    after = {"resource": {"google_compute_resource_policy": {"r": {"name": "new-2x2x2", "region": "us-central1"}}}}
    ((change,),) = [s.resources for s in compare({"s": before}, {"s": after})]
    assert (change.action, [(c.path, c.effect) for c in change.changes]) == ("update", [("name", "apply fails")])


def test_stack_order_matches_the_app() -> None:
    from stacks.app import BOOTSTRAP, STACK_IDS

    assert (BOOTSTRAP, *STACK_IDS) == STACK_ORDER


def test_text_and_markdown_name_what_will_be_replaced() -> None:
    from scripts.diff.render import to_dict, to_markdown, to_text
    from scripts.diff.report import DiffReport, diff_stacks

    head = json.loads(json.dumps(BASE))
    head["accelerators"]["resource"]["google_container_node_pool"]["p"]["node_config"]["machine_type"] = "x"
    head["accelerators"]["resource"]["google_storage_bucket_iam_member"]["m"]["member"] = "user:b@example.com"
    stacks, cost_base, cost_head = diff_stacks(BASE, head)
    report = DiffReport("main", "0123456789abcdef", "hfkit.yaml", tuple(stacks), cost_base, cost_head)
    google = "hashicorp/terraform-provider-google@v6.50.0/google"
    recreates = (
        "recreates nodes: UpdateNodePool sends it (node_config.go:2560-2633); the GKE API: it 'initiates an upgrade "
        "operation that migrates the nodes in the node pool' (googleapis/googleapis@"
        "f8291d2b89f0017ab078a4c7378069bae5686f6f/google/container/v1/cluster_service.proto:4528)"
    )
    assert to_text(report).splitlines()[:9] == [
        "hfkit diff: working tree vs main (0123456789ab), environment file hfkit.yaml",
        "accelerators: 0 to create, 1 to update, 1 to replace, 0 to destroy",
        "  ~ google_container_node_pool.p  [recreates nodes (node_config.machine_type)]",
        f'      node_config.machine_type: "ct5lp-hightpu-4t" -> "x"  ({recreates})',
        "  ! google_storage_bucket_iam_member.m  [will be replaced (member); IAM change]",
        '      member: "user:a@example.com" -> "user:b@example.com"  (forces replacement: member is ForceNew '
        f"({google}/tpgiamresource/resource_iam_member.go:68))",
        "WARNING: 1 resource(s) will be destroyed or replaced",
        "NOTE: 1 node pool(s) will recreate all their nodes (updated in place)",
        "IAM: 1 change(s) to review",
    ]
    markdown = to_markdown(report)
    assert "  - `~` `google_container_node_pool.p` **recreates nodes (node_config.machine_type)**" in markdown
    assert f'    - `node_config.machine_type`: `"ct5lp-hightpu-4t"` -> `"x"` ({recreates})' in markdown
    assert "  - `!` `google_storage_bucket_iam_member.m` **will be replaced (member); IAM change**" in markdown
    assert "**NOTE: 1 node pool(s) will recreate all their nodes (updated in place)**" in markdown
    data = to_dict(report)
    assert (data["destroyed_or_replaced"], data["recreates_nodes"]) == (
        ["google_storage_bucket_iam_member.m"],
        ["google_container_node_pool.p"],
    )
    (pool, member) = data["stacks"][0]["resources"]
    assert [(c["path"], c["effect"], c["forces_replacement"]) for c in pool["changes"] + member["changes"]] == [
        ("node_config.machine_type", "recreates nodes", False),
        ("member", "replace", True),
    ]


def test_changes_apply_cannot_make_are_summarized() -> None:
    """A slice's topology inside an existing placement_policy (nodePoolUpdate has no branch for it:
    resource_container_node_pool.go:1365-1665) and a cluster node_config label while the default pool is removed
    (the update goes to 'default-pool': resource_container_cluster.go:4164-4176)."""
    from scripts.diff.render import summary
    from scripts.diff.report import DiffReport, diff_stacks

    pool = {
        "name": "s",
        "location": "us-east5",
        "node_count": 8,
        "node_config": {"machine_type": "ct5lp-hightpu-4t"},
        "placement_policy": {"type": "COMPACT", "tpu_topology": "4x8"},
    }
    cluster = {"name": "c", "remove_default_node_pool": True, "node_config": {"resource_labels": {"team": "a"}}}
    base = {
        "accelerators": {"resource": {"google_container_node_pool": {"p": pool}}},
        "cluster": {"resource": {"google_container_cluster": {"c": cluster}}},
    }
    head = json.loads(json.dumps(base))
    head["accelerators"]["resource"]["google_container_node_pool"]["p"]["placement_policy"]["tpu_topology"] = "4x4"
    head["cluster"]["resource"]["google_container_cluster"]["c"]["node_config"]["resource_labels"]["team"] = "b"
    stacks, cost_base, cost_head = diff_stacks(base, head)
    report = DiffReport("main", "0123456789abcdef", "hfkit.yaml", tuple(stacks), cost_base, cost_head)
    assert [(r.action, r.paths("not applied"), r.paths("apply fails")) for r in report.resources] == [
        ("update", [], ["node_config.resource_labels.team"]),
        ("update", ["placement_policy.tpu_topology"], []),
    ]
    assert summary(report) == [
        "WARNING: 1 resource(s) will fail to apply",
        "NOTE: 1 resource(s) with changes the provider cannot make: apply reports success, every plan shows them again",
    ]


def test_the_shared_base_is_synthesized_once_and_cached(
    diffs: dict[str, tuple[int, dict[str, Any]]], diff_cache: Path
) -> None:
    entries = list(diff_cache.glob("*.json"))
    assert len(entries) == 1  # two diffs, one merge base
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


# --- what each kind of change does on apply, on edited test environments -------------------------------------------


@dataclass(frozen=True)
class Variant:
    """A test environment, an edit to it, and every attribute change it must bring with its effect on apply."""

    config: str
    edit: Callable[[dict[str, Any]], None]
    expected: dict[tuple[str, str], str]
    why: str


def _set(*path: str | int, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        node: Any = data
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return edit


POOL = "google_container_node_pool.gpu-l4-x1_pool"
TPU = "google_container_node_pool.tpu-v5e-2x4_pool"
CLUSTER = "google_container_cluster.cluster_gke"
SUBNET = "google_compute_subnetwork.network_subnet"
TPU7X = "google_container_node_pool.tpu-tpu7x-2x2x2_pool"
TPU7X_SINGLE = "google_container_node_pool.tpu-tpu7x-2x2x1_pool"
POLICY = "google_compute_resource_policy.tpu-tpu7x-2x2x2_workload-policy"
#: tests/configs/tpu-generations.yaml's TPU7x multi-host slice.
TPU7X_SLICE = {
    "name": "tpu7x-2x2x2",
    "machine_type": "tpu7x-standard-4t",
    "topology": "2x2x2",
    "zones": ["us-central1-c"],
    "flex_start": True,
    "autoscaling": {"min_nodes": 0, "max_nodes": 2},
}
NODE_CONFIG = "google/services/container/node_config.go"
RECREATES = "cluster_service.proto:4526-4542: UpdateNodePool 'initiates an upgrade operation that migrates the nodes'"

VARIANTS: dict[str, Variant] = {
    "gpu machine type": Variant(
        "example",
        _set("gpu_pools", 0, "machine_type", value="g2-standard-16"),
        {(POOL, "node_config.machine_type"): "recreates nodes"},
        f"no ForceNew ({NODE_CONFIG}:360-365); Update sends it ({NODE_CONFIG}:2560-2633); {RECREATES}",
    ),
    "gpu disk size": Variant(
        "example",
        _set("gpu_pools", 0, "disk_size_gb", value=300),
        {(POOL, "node_config.disk_size_gb"): "recreates nodes"},
        f"no ForceNew ({NODE_CONFIG}:147-154); Update sends it ({NODE_CONFIG}:2560-2633); {RECREATES}",
    ),
    "gpu disk type": Variant(
        "example",
        _set("gpu_pools", 0, "disk_type", value="pd-ssd"),
        {(POOL, "node_config.disk_type"): "recreates nodes"},
        f"no ForceNew ({NODE_CONFIG}:155-161); Update sends it ({NODE_CONFIG}:2560-2633); {RECREATES}",
    ),
    "autoscaling bounds": Variant(
        "example",
        _set("gpu_pools", 0, "autoscaling", "max_nodes", value=5),
        {(POOL, "autoscaling.max_node_count"): "update"},
        "no ForceNew (resource_container_node_pool.go:161-166); updated by the cluster's SetNodePoolAutoscaling "
        "path (:1382-1428)",
    ),
    "node labels": Variant(
        "example",
        _set("gpu_pools", 0, "labels", value={"team": "inference"}),
        {(POOL, "node_config.labels.team"): "update"},
        f"no ForceNew ({NODE_CONFIG}:245-253); UpdateNodePool replaces the labels ({NODE_CONFIG}:2823-2860)",
    ),
    "taints": Variant(
        "example",
        _set("gpu_pools", 0, "taints", value=[{"key": "dedicated", "value": "llm"}]),
        {(POOL, f"node_config.taint[0].{f}"): "update" for f in ("key", "value", "effect")},
        f"taint: no ForceNew ({NODE_CONFIG}:497-520); UpdateNodePool replaces the taints ({NODE_CONFIG}:2635-2690)",
    ),
    "node locations": Variant(
        "example",
        _set("gpu_pools", 0, "zones", value=["us-central1-a", "us-central1-b"]),
        {(POOL, "node_locations[1]"): "update"},
        "no ForceNew (resource_container_node_pool.go:247-253); UpdateNodePool with Locations (:1526-1549)",
    ),
    "spot off": Variant(
        "example",
        _set("gpu_pools", 0, "spot", value=False),
        {(POOL, "node_config.spot"): "replace"},
        f"spot is ForceNew ({NODE_CONFIG}:440-446)",
    ),
    "single host to multi-host": Variant(
        "example",
        _set(
            "tpu_pools",
            0,
            value={
                "name": "v5e-2x4",
                "machine_type": "ct5lp-hightpu-4t",
                "topology": "4x4",
                "autoscaling": {"min_nodes": 0, "max_nodes": 4},
            },
        ),
        {
            (TPU, "placement_policy.type"): "replace",
            (TPU, "placement_policy.tpu_topology"): "replace",
            (TPU, "node_config.machine_type"): "update",
            (TPU, "autoscaling.max_node_count"): "update",
        },
        "placement_policy is a ForceNew block (resource_container_node_pool.go:193-198): adding it replaces the pool "
        "(plugin-sdk schema.go:1392-1421); what the other changes would do in place is moot",
    ),
    "multi-host slice topology": Variant(
        "multihost-spot",
        _set(
            "tpu_pools",
            0,
            value={
                "name": "v5e-4x8-spot",
                "machine_type": "ct5lp-hightpu-4t",
                "topology": "4x4",
                "spot": True,
                "autoscaling": {"min_nodes": 0, "max_nodes": 4},
                "allow_unlisted_zone": True,  # as in tests/configs/multihost-spot.yaml (us-east5 v5e: single-tenant)
            },
        ),
        {
            ("google_container_node_pool.tpu-v5e-4x8-spot_pool", "placement_policy.tpu_topology"): "not applied",
            ("google_container_node_pool.tpu-v5e-4x8-spot_pool", "autoscaling.max_node_count"): "update",
        },
        "tpu_topology has no ForceNew (resource_container_node_pool.go:212-216) inside a block that stays; "
        "nodePoolUpdate (:1365-1665) never reads placement_policy",
    ),
    "TPU7x slice topology": Variant(
        "tpu-generations",
        _set(
            "tpu_pools", 3, value={**TPU7X_SLICE, "topology": "2x2x4", "autoscaling": {"min_nodes": 0, "max_nodes": 4}}
        ),
        {
            (POLICY, "workload_policy.accelerator_topology"): "replace",
            (POLICY, "name"): "update",
            (POLICY, "description"): "update",
            (TPU7X, "placement_policy.policy_name"): "replace",
            (TPU7X, "autoscaling.total_max_node_count"): "update",
        },
        "accelerator_topology is ForceNew (compute/resource_compute_resource_policy.go:376-383); the policy's name "
        "holds the topology (modules/tpu_pool.py), and the pool's policy_name references it: Terraform plans the "
        "configured name as known, and policy_name is ForceNew (resource_container_node_pool.go:206-211)",
    ),
    "TPU7x single host to multi-host": Variant(
        "tpu-generations",
        _set("tpu_pools", 2, "topology", value="2x2x2"),
        {
            (TPU7X_SINGLE, "placement_policy.type"): "replace",
            (TPU7X_SINGLE, "placement_policy.policy_name"): "replace",
            (TPU7X_SINGLE, "node_count"): "update",
        },
        "the pool gains a placement_policy block, ForceNew (resource_container_node_pool.go:193-198): the pool is "
        "replaced (its new node count, 2 VMs for 2x2x2, is moot); its workload policy is a new resource (a create)",
    ),
    "subnet range expanded": Variant(
        "example",
        _set("network", "subnet_cidr", value="10.10.0.0/19"),
        {(SUBNET, "ip_cidr_range"): "update"},
        "10.10.0.0/19 contains 10.10.0.0/20: IsShrinkageIpCidr is false (resource_compute_subnetwork.go:41-58)",
    ),
    "subnet range moved": Variant(
        "example",
        _set("network", "subnet_cidr", value="10.30.0.0/20"),
        {
            (SUBNET, "ip_cidr_range"): "replace",
            (CLUSTER, "subnetwork"): "replace",
            (POOL, "cluster"): "replace",
            (TPU, "cluster"): "replace",
        },
        "10.30.0.0/20 does not contain 10.10.0.0/20: ForceNewIfChange(ip_cidr_range, IsShrinkageIpCidr) "
        "(resource_compute_subnetwork.go:122). The cluster stack reads the subnet's id from the network stack's "
        "output: a replaced subnet's id is known only after that stack applies, and subnetwork is ForceNew "
        "(resource_container_cluster.go:1544-1550); so is the pools' cluster (resource_container_node_pool.go:78-83). "
        "Conservative: the id may come back the same string, but GCP refuses to delete a subnet a cluster uses",
    ),
    "control plane range": Variant(
        "example",
        _set("network", "master_cidr", value="172.16.0.16/28"),
        {
            (CLUSTER, "private_cluster_config.master_ipv4_cidr_block"): "replace",
            (POOL, "cluster"): "replace",
            (TPU, "cluster"): "replace",
        },
        "ForceNew (resource_container_cluster.go:1788-1797); the pools in the accelerators stack name the cluster by "
        "its id, known only after the cluster stack applies, and cluster is ForceNew "
        "(resource_container_node_pool.go:78-83): a new cluster comes without the old one's pools",
    ),
    "release channel": Variant(
        "example",
        _set("cluster", "release_channel", value="STABLE"),
        {(CLUSTER, "release_channel.channel"): "update"},
        "no ForceNew (resource_container_cluster.go:1988-2003)",
    ),
    "authorized networks": Variant(
        "example",
        _set(
            "network",
            "master_authorized_networks",
            value=[{"name": "office", "cidr": "203.0.113.0/24"}, {"name": "ci", "cidr": "198.51.100.0/24"}],
        ),
        {
            (CLUSTER, "master_authorized_networks_config.cidr_blocks[1].cidr_block"): "update",
            (CLUSTER, "master_authorized_networks_config.cidr_blocks[1].display_name"): "update",
        },
        "cidr_blocks and its fields have no ForceNew (resource_container_cluster.go:54-93, 1382-1389)",
    ),
    "stager members": Variant(
        "example",
        _set("identities", "stager", "members", value=["group:ml-ops@example.com"]),
        {("google_service_account_iam_member.stager_stager-user-0", "member"): "replace"},
        "IAM members have no Update: member is ForceNew (tpgiamresource/resource_iam_member.go:68-74)",
    ),
    "stager account id": Variant(
        "example",
        _set("identities", "stager", "account_id", value="hfkit-dev-stager-2"),
        {
            ("google_service_account.stager_account", "account_id"): "replace",
            ("google_service_account_iam_member.stager_stager-user-0", "service_account_id"): "replace",
            ("google_storage_bucket_iam_member.stager_weights-storagebucketviewer", "member"): "replace",
            ("google_storage_bucket_iam_member.stager_weights-storageobjectuser", "member"): "replace",
            ("google_secret_manager_secret_iam_member.stager_hf-token-secretaccessor", "member"): "replace",
        },
        "account_id is ForceNew (resourcemanager/resource_google_service_account.go:69-75); the account's name and "
        "member are computed (:64-68, :100-104), so every IAM member referencing them plans them as known after "
        "apply, and member / service_account_id are ForceNew (tpgiamresource/resource_iam_member.go:68-74, "
        "resourcemanager/iam_service_account.go:34-39): Terraform replaces the grants with the account",
    ),
    "model image": Variant(
        "serving",
        _set("deployments", 0, "image", value="vllm/vllm-openai:v0.9.9"),
        {("kubernetes_deployment_v1.model-llama-3-1-8b_deployment", "spec.template.spec.container[0].image"): "update"},
        "the pod template is built with isUpdatable=true (kubernetes resource_kubernetes_deployment_v1.go:222-223): "
        "image has ForceNew: !isUpdatable (schema_container.go:489-494)",
    ),
    "minimum replicas": Variant(
        "serving",
        _set("deployments", 0, "replicas", "min", value=2),
        {("kubernetes_horizontal_pod_autoscaler_v2.model-llama-3-1-8b_autoscaler", "spec.min_replicas"): "update"},
        "min_replicas has no ForceNew (kubernetes schema_horizontal_pod_autoscaler.go:35-40); the Deployment's "
        "spec[0].replicas is in lifecycle.ignore_changes, so it plans nothing",
    ),
}


def without_hash(address: str) -> str:
    """cdktf appends an 8-hex-digit hash of the construct path to each logical id."""
    return re.sub(r"_[0-9A-F]{8}$", "", address)


def effects(stacks: list[StackDiff]) -> dict[tuple[str, str], str]:
    return {(without_hash(r.address), c.path): c.effect for s in stacks for r in s.resources for c in r.changes}


@pytest.fixture(scope="module")
def edited(synthesized: dict[str, Synthesized], tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Any]:
    """Synthesize a test environment after an edit, in this process (the session already paid the provider
    import), and compare it with the environment as the session synthesized it."""
    from cdktf import App

    from modules.config import load_environment
    from stacks.app import build_stacks

    def run(config: str, edit: Callable[[dict[str, Any]], None]) -> list[StackDiff]:
        data = yaml.safe_load(CONFIGS[config].read_text())
        edit(data)
        folder = tmp_path_factory.mktemp("edited")
        (folder / "env.yaml").write_text(yaml.safe_dump(data))
        app = App(outdir=str(folder / "out"))
        build_stacks(app, load_environment(folder / "env.yaml"))
        app.synth()
        return compare(read_stacks(synthesized[config].outdir), read_stacks(folder / "out"), STACK_ORDER)

    return run


@pytest.mark.parametrize("name", list(VARIANTS))
def test_each_change_is_reported_with_its_effect(edited: Callable[..., list[StackDiff]], name: str) -> None:
    variant = VARIANTS[name]
    assert effects(edited(variant.config, variant.edit)) == variant.expected, variant.why


LABEL_EDIT = _set("labels", "team", value="ml-infra")


def test_an_environment_label_change_updates_in_place(edited: Callable[..., list[StackDiff]]) -> None:
    """Labels are in-place updates everywhere they land: node pools' resource_labels (node_config.go:254-260,
    updated at :2785-2822), buckets' and the secret's labels (no ForceNew: resource_storage_bucket.go:121-127,
    resource_secret_manager_secret.go:211-230) and the cluster's resource_labels (resource_container_cluster.go:
    1841-1849)."""
    found = effects(edited("example", LABEL_EDIT))
    assert {key: effect for key, effect in found.items() if key != (CLUSTER, "node_config.resource_labels.team")} == {
        (POOL, "node_config.resource_labels.team"): "update",
        (TPU, "node_config.resource_labels.team"): "update",
        (CLUSTER, "resource_labels.team"): "update",
        ("google_storage_bucket.weights_bucket", "labels.team"): "update",
        ("google_storage_bucket.weights_access-logs", "labels.team"): "update",
        ("google_secret_manager_secret.hf-token_secret", "labels.team"): "update",
    }


def test_a_label_change_never_replaces_or_breaks_the_cluster(edited: Callable[..., list[StackDiff]]) -> None:
    cluster = [r for s in edited("example", LABEL_EDIT) for r in s.resources if r.address.startswith(CLUSTER)]
    assert [(r.action, r.paths("apply fails")) for r in cluster] in ([], [("update", [])])
