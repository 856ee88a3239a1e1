"""The shipped GitHub workflows: valid against GitHub's workflow schema (vendored by check-jsonschema, so offline),
free of zizmor findings (offline audits, strictest persona), and keeping the promises the README makes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from stacks.app import STACK_IDS
from tests.conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent
PINNED = re.compile(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}")


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((REPO / ".github" / "workflows" / name).read_text())
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as a boolean
    return data


def test_workflows_match_githubs_schema() -> None:
    proc = subprocess.run(
        [BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *WORKFLOWS],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_finds_nothing() -> None:
    proc = subprocess.run(
        [BIN / "zizmor", "--offline", "--persona", "auditor", "--no-progress", *WORKFLOWS],
        capture_output=True,
        text=True,
        env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_every_action_is_pinned_by_commit_and_permissions_start_empty(path: Path) -> None:
    data = load(path.name)
    assert data["permissions"] == {}
    for job in data["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert PINNED.fullmatch(step["uses"]), step["uses"]
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_pull_requests_plan_as_the_plan_identity_without_write_access() -> None:
    pr = load("pr.yml")
    assert list(pr["on"]) == ["pull_request"]  # never pull_request_target: fork code must not see secrets
    assert pr["env"]["STACKS"].split() == list(STACK_IDS)
    plan = pr["jobs"]["plan"]
    assert plan["permissions"] == {"contents": "read", "id-token": "write"}
    auth = next(s for s in plan["steps"] if s.get("run", "").startswith(".ci/gcp-auth.sh"))
    assert auth["env"]["ACCOUNT"] == "${{ vars.HFKIT_PLAN_SERVICE_ACCOUNT }}"
    assert pr["jobs"]["comment"]["permissions"] == {"pull-requests": "write"}


def test_merge_applies_the_saved_plans_in_the_protected_environment() -> None:
    apply = load("apply.yml")
    assert apply["on"] == {"push": {"branches": ["main"]}}
    assert apply["env"]["STACKS"].split() == list(STACK_IDS)
    job = apply["jobs"]["apply"]
    assert job["environment"] == "production"
    runs = "\n".join(s.get("run", "") for s in job["steps"])
    assert "apply -input=false plan.tfplan" in runs and "plan -" not in runs
    assert "cmp " in runs and "git diff --quiet" in runs
    auth = next(s for s in job["steps"] if s.get("run", "").startswith(".ci/gcp-auth.sh"))
    assert auth["env"]["ACCOUNT"] == "${{ vars.HFKIT_APPLY_SERVICE_ACCOUNT }}"
