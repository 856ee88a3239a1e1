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


# Each pin was checked against other public repositories' workflows and the actions' own release notes (the
# SHA -> tag pairs below); bump SHA and tag together.
CHECKED_PINS = {
    "actions/checkout": ("11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"),
    "actions/setup-python": ("a26af69be951a213d495a4c3e4e4022e16d87065", "v5.6.0"),
    "actions/setup-node": ("49933ea5288caeca8642d1e84afbd3f7d6820020", "v4.4.0"),
    "github/codeql-action/upload-sarif": ("5d4e8d1aca955e8d8589aabd499c5cae939e33c7", "v4.31.9"),
    "actions/upload-artifact": ("ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"),
    "actions/download-artifact": ("d3f86a106a0bac45b974a628896c90dbdf5c8093", "v4.3.0"),
}


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_pins_are_the_checked_commits_with_their_tags(path: Path) -> None:
    uses = re.findall(r"uses: ([\w./-]+)@([0-9a-f]{40}) # (v[\d.]+)", path.read_text())
    assert uses and len(uses) == path.read_text().count("uses: ")
    for action, sha, tag in uses:
        assert CHECKED_PINS[action] == (sha, tag), action


def test_plan_and_apply_install_the_same_pinned_terraform() -> None:
    versions = {name: load(name)["env"]["TERRAFORM_VERSION"] for name in ("pr.yml", "apply.yml")}
    assert len(set(versions.values())) == 1 and re.fullmatch(r"\d+\.\d+\.\d+-\d+", versions["pr.yml"])
    for name in versions:
        assert '"terraform=$TERRAFORM_VERSION"' in (REPO / ".github" / "workflows" / name).read_text()
