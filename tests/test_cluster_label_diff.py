"""A label change never touches the cluster's node_config, so it can neither plan a cluster replacement nor send an
update to the deleted default pool.

Why it matters (hashicorp/terraform-provider-google v6.50.0):
- `google_container_cluster.node_config` is `schemaNodeConfig()` (node_config.go:136): the block is ForceNew and so
  are most of its fields (service_account, metadata, oauth_scopes, shielded_instance_config, ...);
- resource_container_cluster.go Update: `if d.HasChange("node_config")` calls `nodePoolNodeConfigUpdate` on the pool
  named "default-pool", which `remove_default_node_pool` deleted at creation: "default-pool not found" (#24069).

The kit keeps the default pool's node_config constant (no labels) and in `lifecycle.ignore_changes`. The real
`hfkit diff` runs on a temporary git repository whose branch changes the environment's labels.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scripts.cli import main
from scripts.diff import cache
from tests.conftest import REPO

EXAMPLE = (REPO / "hfkit.yaml").read_text()
LABELS = "labels:\n  team: ml-platform\n"
RELABELED = EXAMPLE.replace(LABELS, "labels:\n  team: ml-infra\n  cost-center: c4711\n")


def _git(repo: Path, *args: str) -> None:
    identity = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    identity |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env={**os.environ, **identity})


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any]]:
    assert LABELS in EXAMPLE and RELABELED != EXAMPLE
    repo = tmp_path_factory.mktemp("label-diff-repo")
    for folder in ("modules", "stacks"):
        shutil.copytree(REPO / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "main.py", repo / "main.py")
    (repo / "hfkit.yaml").write_text(EXAMPLE)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    _git(repo, "checkout", "-q", "-b", "relabel")
    (repo / "hfkit.yaml").write_text(RELABELED)
    _git(repo, "commit", "-q", "-am", "relabel")
    saved_cwd, saved_cache = Path.cwd(), os.environ.get(cache.CACHE_ENV)
    os.environ[cache.CACHE_ENV] = str(tmp_path_factory.mktemp("label-diff-cache"))
    os.chdir(repo)
    try:
        result = CliRunner().invoke(main, ["diff", "--format", "json"], catch_exceptions=False)
    finally:
        os.chdir(saved_cwd)
        if saved_cache is None:
            os.environ.pop(cache.CACHE_ENV)
        else:
            os.environ[cache.CACHE_ENV] = saved_cache
    return result.exit_code, json.loads(result.stdout)


def cluster_change(report: dict[str, Any]) -> dict[str, Any]:
    (stack,) = [s for s in report["stacks"] if s["id"] == "cluster"]
    (resource,) = [r for r in stack["resources"] if r["address"].startswith("google_container_cluster.")]
    return resource


def test_label_change_updates_the_cluster_in_place(report: tuple[int, dict[str, Any]]) -> None:
    code, body = report
    assert code == 1  # something changed
    resource = cluster_change(body)
    assert resource["action"] == "update"
    assert body["destroyed_or_replaced"] == []
    paths = {c["path"] for c in resource["changes"]}
    assert paths == {"resource_labels.team", "resource_labels.cost-center"}
    assert not any(c["forces_replacement"] for c in resource["changes"])


def test_label_change_never_reaches_the_default_pool_node_config(report: tuple[int, dict[str, Any]]) -> None:
    _, body = report
    every_path = [c["path"] for s in body["stacks"] for r in s["resources"] for c in r["changes"]]
    cluster_paths = [c["path"] for c in cluster_change(body)["changes"]]
    assert not [p for p in cluster_paths if p.startswith("node_config")]
    # The node pools' own GCP labels change in place (node_config.resource_labels is not ForceNew, node_config.go).
    assert any(p.startswith("node_config.resource_labels") for p in every_path)


def test_the_default_pool_node_config_is_ignored_after_creation(synthesized: dict) -> None:
    for synth in synthesized.values():
        (cluster,) = synth.resources("cluster", "google_container_cluster").values()
        assert cluster["lifecycle"] == {"ignore_changes": ["node_config"]}
        assert cluster["remove_default_node_pool"] is True
        assert "resource_labels" not in cluster["node_config"]
