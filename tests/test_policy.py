"""The policy gate: the real checkov, with the repo's .checkov.yaml and hfkit's own checks (policies/checkov), over
every stack of every config the suite synthesizes. Zero failed checks is the bar; skips are only the ones listed in
.checkov.yaml, each replaced by a custom check or enabled by config.

The negative tests run the same checkov on hand-written terraform_json so each custom check is seen to fail: a check
that can never fail, or that checkov silently drops at load time (it logs import errors and carries on), would
otherwise look exactly like a clean scan.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

if TYPE_CHECKING:
    from conftest import Synthesized

REPO = Path(__file__).resolve().parents[1]

# Each skip in .checkov.yaml and what stands in for it. A new skip must be added here on purpose.
EXPECTED_SKIPS = {
    "CKV_GCP_62": "replaced by CKV_HFKIT_6 (access logs everywhere except the access-log bucket)",
    "CKV_GCP_65": "needs an organisation's gke-security-groups group; enabled by cluster.rbac_security_group",
    "CKV_GCP_9": "replaced by CKV_HFKIT_7 (auto-repair everywhere except flex-start and queued-provisioning pools)",
    "CKV_GCP_41": "replaced by CKV_HFKIT_8 (project-level service account roles only for the CI apply identity)",
    "CKV_GCP_49": "replaced by CKV_HFKIT_8 (project-level service account roles only for the CI apply identity)",
    "CKV_K8S_43": "engine images pinned by tag in modules/catalog/engines.py; a deployment may pin a digest itself",
}
CUSTOM_CHECKS = {f"CKV_HFKIT_{n}" for n in range(1, 9)}
# No synthesized stack may contain a secret version, so CKV_HFKIT_3 can only ever fail; the negative test proves it
# loads. Every other custom check must pass on real output at least once.
NEVER_PASSES = {"CKV_HFKIT_3"}


def checkov_bin() -> str:
    found = shutil.which("checkov")
    if found:
        return found
    sibling = Path(sys.executable).parent / "checkov"
    if not sibling.exists():
        pytest.fail(f"checkov not found on PATH nor next to {sys.executable}: pip install -e '.[dev]'")
    return str(sibling)


def run_checkov(files: list[Path]) -> dict[str, Any]:
    """One checkov run over `files` from the repo root, so .checkov.yaml (and through it policies/checkov) applies.

    Repeated `-f` gives one JSON report; repeated `-d` prints a cumulative report after each directory."""
    args = [checkov_bin(), "-o", "json"]
    for path in files:
        args += ["-f", str(path)]
    proc = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=300)
    if proc.returncode not in (0, 1):  # 1 means "some check failed", which the tests inspect
        pytest.fail(f"checkov exited {proc.returncode}:\n{proc.stderr[-4000:]}")
    report = json.loads(proc.stdout)
    assert isinstance(report, dict), f"expected one terraform_json report, got {type(report).__name__}"
    assert report["check_type"] == "terraform_json"
    assert report["summary"]["parsing_errors"] == 0, report["results"]["parsing_errors"]
    return report


def describe(result: dict[str, Any]) -> str:
    return f"{result['check_id']} {result['resource']} in {result['file_abs_path']} ({result['check_name']})"


def stack_files(synthesized: dict[str, Synthesized]) -> list[Path]:
    return sorted(path for synth in synthesized.values() for path in synth.stacks_dir.glob("*/cdk.tf.json"))


@pytest.fixture(scope="module")
def report(synthesized: dict[str, Synthesized]) -> dict[str, Any]:
    files = stack_files(synthesized)
    with_ci = sum(1 for synth in synthesized.values() if (synth.stacks_dir / "bootstrap").is_dir())
    with_serving = sum(1 for synth in synthesized.values() if (synth.stacks_dir / "serving").is_dir())
    assert len(files) == 5 * len(synthesized) + with_ci + with_serving, (
        f"expected five stacks per config (+ bootstrap, + serving), found {files}"
    )
    return run_checkov(files)


def test_no_failed_checks(report: dict[str, Any]) -> None:
    failed = report["results"]["failed_checks"]
    assert not failed, f"{len(failed)} failed checkov check(s):\n" + "\n".join(map(describe, failed))


def test_every_stack_with_resources_was_scanned(report: dict[str, Any], synthesized: dict[str, Synthesized]) -> None:
    results = report["results"]["passed_checks"] + report["results"]["failed_checks"]
    scanned = {Path(result["file_abs_path"]).resolve() for result in results}
    with_resources = {
        path.resolve() for path in stack_files(synthesized) if json.loads(path.read_text()).get("resource")
    }
    assert with_resources - scanned == set()


def test_each_custom_check_passed_on_real_output(report: dict[str, Any]) -> None:
    passed = {result["check_id"] for result in report["results"]["passed_checks"]}
    missing = CUSTOM_CHECKS - NEVER_PASSES - passed
    assert not missing, f"custom checks that never ran or never passed (a load error?): {sorted(missing)}"


def test_skips_are_exactly_the_documented_ones(report: dict[str, Any]) -> None:
    config = yaml.safe_load((REPO / ".checkov.yaml").read_text())
    assert sorted(config["skip-check"]) == sorted(EXPECTED_SKIPS)
    # The skipped checks must not have run at all: proof that checkov read .checkov.yaml.
    results = report["results"]["passed_checks"] + report["results"]["failed_checks"]
    assert {result["check_id"] for result in results} & set(EXPECTED_SKIPS) == set()
    # No other skip mechanism (inline suppressions, baselines) is in play.
    assert report["summary"]["skipped"] == 0, report["results"]["skipped_checks"]


# Hand-written terraform_json, compliant with every custom check unless a case changes one thing.
NODES_SA = "${google_service_account.nodes.email}"


def cluster(**changes: Any) -> dict[str, Any]:
    body = {
        "name": "c",
        "location": "us-central1",
        "deletion_protection": True,
        "workload_identity_config": {"workload_pool": "p.svc.id.goog"},
        "node_config": {"service_account": NODES_SA},
    }
    return {k: v for k, v in {**body, **changes}.items() if v is not None}


def node_pool(**changes: Any) -> dict[str, Any]:
    body = {
        "name": "p",
        "cluster": "${google_container_cluster.c.id}",
        "management": {"auto_repair": True, "auto_upgrade": True},
        "node_config": {"service_account": NODES_SA},
    }
    return {k: v for k, v in {**body, **changes}.items() if v is not None}


def bucket(**changes: Any) -> dict[str, Any]:
    body = {
        "name": "b",
        "location": "US",
        "labels": {"hfkit-role": "weights"},
        "logging": {"log_bucket": "${google_storage_bucket.logs.name}"},
        "soft_delete_policy": {"retention_duration_seconds": 604800},
    }
    return {k: v for k, v in {**body, **changes}.items() if v is not None}


def project_member(role: str, member: str) -> dict[str, Any]:
    return {"project": "p", "role": role, "member": member}


# resource type, name, body, the custom checks that must fail on it (an empty set: all that apply must pass)
NEGATIVE_CASES: list[tuple[str, str, dict[str, Any], set[str]]] = [
    ("google_container_cluster", "no_workload_identity", cluster(workload_identity_config=None), {"CKV_HFKIT_1"}),
    (
        "google_container_cluster",
        "empty_workload_pool",
        cluster(workload_identity_config={"workload_pool": ""}),
        {"CKV_HFKIT_1"},
    ),
    (
        "google_container_cluster",
        "cluster_node_config_without_sa",
        cluster(node_config={"image_type": "COS"}),
        {"CKV_HFKIT_2"},
    ),
    (
        "google_container_cluster",
        "cluster_inline_pool_default_sa",
        cluster(node_pool=[{"name": "x", "node_config": {"service_account": "default"}}]),
        {"CKV_HFKIT_2"},
    ),
    ("google_container_cluster", "deletion_protection_false", cluster(deletion_protection=False), {"CKV_HFKIT_5"}),
    ("google_container_cluster", "deletion_protection_unset", cluster(deletion_protection=None), {"CKV_HFKIT_5"}),
    (
        "google_container_node_pool",
        "pool_on_compute_default",
        node_pool(node_config={"service_account": "123456789012-compute@developer.gserviceaccount.com"}),
        {"CKV_HFKIT_2"},
    ),
    (
        "google_container_node_pool",
        "pool_on_default",
        node_pool(node_config={"service_account": "default"}),
        {"CKV_HFKIT_2"},
    ),
    ("google_container_node_pool", "pool_without_node_config", node_pool(node_config=None), {"CKV_HFKIT_2"}),
    (
        "google_container_node_pool",
        "pool_without_auto_repair",
        node_pool(management={"auto_repair": False}),
        {"CKV_HFKIT_7"},
    ),
    (
        "google_container_node_pool",
        "flex_start_pool_without_auto_repair",
        node_pool(node_config={"service_account": NODES_SA, "flex_start": True}, management={"auto_repair": False}),
        set(),
    ),
    (
        "google_container_node_pool",
        "queued_pool_without_auto_repair",
        node_pool(management={"auto_repair": False}, queued_provisioning={"enabled": True}),
        set(),
    ),
    (
        "google_secret_manager_secret_version",
        "hf_token_version",
        {"secret": "${google_secret_manager_secret.hf.id}", "secret_data": "hf_xxx"},
        {"CKV_HFKIT_3"},
    ),
    (
        "google_storage_bucket",
        "soft_delete_off",
        bucket(soft_delete_policy={"retention_duration_seconds": 0}),
        {"CKV_HFKIT_4"},
    ),
    (
        "google_storage_bucket",
        "soft_delete_just_short",
        bucket(soft_delete_policy={"retention_duration_seconds": 604799}),
        {"CKV_HFKIT_4"},
    ),
    ("google_storage_bucket", "soft_delete_unset", bucket(soft_delete_policy=None), {"CKV_HFKIT_4"}),
    ("google_storage_bucket", "no_logging_no_label", bucket(logging=None, labels=None), {"CKV_HFKIT_6"}),
    ("google_storage_bucket", "no_logging_weights_label", bucket(logging=None), {"CKV_HFKIT_6"}),
    ("google_storage_bucket", "access_log_bucket", bucket(logging=None, labels={"hfkit-role": "access-logs"}), set()),
    (
        "google_project_iam_member",
        "apply_identity_sa_user",
        project_member("roles/iam.serviceAccountUser", "${google_service_account.apply_account_9DBB0904.member}"),
        set(),
    ),
    (
        "google_project_iam_member",
        "other_identity_sa_user",
        project_member("roles/iam.serviceAccountUser", "${google_service_account.plan_account_2B3B4331.member}"),
        {"CKV_HFKIT_8"},
    ),
    (
        "google_project_iam_member",
        "user_token_creator",
        project_member("roles/iam.serviceAccountTokenCreator", "user:a@example.com"),
        {"CKV_HFKIT_8"},
    ),
    ("google_project_iam_member", "viewer_role", project_member("roles/compute.viewer", "user:a@example.com"), set()),
]
# Which custom checks look at which resource type (to tell "passed" from "never ran").
APPLIES_TO = {
    "google_container_cluster": {"CKV_HFKIT_1", "CKV_HFKIT_2", "CKV_HFKIT_5"},
    "google_container_node_pool": {"CKV_HFKIT_2", "CKV_HFKIT_7"},
    "google_secret_manager_secret_version": {"CKV_HFKIT_3"},
    "google_storage_bucket": {"CKV_HFKIT_4", "CKV_HFKIT_6"},
    "google_project_iam_member": {"CKV_HFKIT_8"},
}


@pytest.fixture(scope="module")
def negative_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    resources: dict[str, dict[str, Any]] = {}
    for resource_type, name, body, _ in NEGATIVE_CASES:
        resources.setdefault(resource_type, {})[name] = body
    path = tmp_path_factory.mktemp("policy-negative") / "cdk.tf.json"
    path.write_text(json.dumps({"resource": resources}, indent=2))
    return run_checkov([path])


@pytest.mark.parametrize(
    ("resource_type", "name", "expected_failures"),
    [(t, n, f) for t, n, _, f in NEGATIVE_CASES],
    ids=[n for _, n, _, _ in NEGATIVE_CASES],
)
def test_custom_check_verdict(
    negative_report: dict[str, Any], resource_type: str, name: str, expected_failures: set[str]
) -> None:
    def custom_ids(kind: str) -> set[str]:
        return {
            result["check_id"]
            for result in negative_report["results"][kind]
            if result["resource"] == f"resource.{name}" and result["check_id"] in CUSTOM_CHECKS
        }

    failed, passed = custom_ids("failed_checks"), custom_ids("passed_checks")
    assert failed == expected_failures
    assert passed == APPLIES_TO[resource_type] - expected_failures
