"""The bootstrap stack's promises, read from the synthesized JSON of the production variant (which has `ci`)."""

from __future__ import annotations

from typing import Any

from stacks.bootstrap import APPLY_ROLES, PLAN_ROLES
from tests.conftest import Synthesized

PR = "repo:example-org/ml-infra:pull_request"
DEPLOY = "repo:example-org/ml-infra:environment:production"


def bootstrap(synthesized: dict[str, Synthesized]) -> dict[str, Any]:
    return synthesized["production"].stack("bootstrap")


def of(stack: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return list(stack["resource"].get(kind, {}).values())


def account_ref(stack: dict[str, Any], account_id: str) -> str:
    (name,) = [n for n, a in stack["resource"]["google_service_account"].items() if a["account_id"] == account_id]
    return f"${{google_service_account.{name}.member}}"


def test_only_configs_with_ci_get_a_bootstrap_stack(synthesized: dict[str, Synthesized]) -> None:
    with_bootstrap = {name for name, s in synthesized.items() if (s.stacks_dir / "bootstrap").is_dir()}
    assert with_bootstrap == {"production"}


def test_state_bucket_is_hardened_and_its_own_state_stays_local(synthesized: dict[str, Synthesized]) -> None:
    stack = bootstrap(synthesized)
    assert stack["terraform"]["backend"] == {"local": {"path": "../../../state/prod/bootstrap.tfstate"}}
    buckets = {b["name"]: b for b in of(stack, "google_storage_bucket")}
    state = buckets["hfkit-prod-tfstate"]
    assert state["labels"]["hfkit-role"] == "terraform-state"
    assert state["uniform_bucket_level_access"] is True and state["public_access_prevention"] == "enforced"
    assert state["versioning"] == {"enabled": True}
    assert state["soft_delete_policy"]["retention_duration_seconds"] >= 7 * 86400
    assert state["logging"]["log_bucket"].startswith("${google_storage_bucket.state_access-logs_")


def test_provider_accepts_only_the_repository_and_the_two_subjects(synthesized: dict[str, Synthesized]) -> None:
    (provider,) = of(bootstrap(synthesized), "google_iam_workload_identity_pool_provider")
    assert provider["oidc"] == {"issuer_uri": "https://token.actions.githubusercontent.com"}
    assert provider["attribute_condition"] == (
        f"assertion.repository == 'example-org/ml-infra' && (assertion.sub == '{PR}' || assertion.sub == '{DEPLOY}')"
    )


def test_plan_only_from_pull_requests_apply_only_from_the_environment(synthesized: dict[str, Synthesized]) -> None:
    stack = bootstrap(synthesized)
    trusted = {
        (m["service_account_id"].split(".")[1].split("_")[0], m["member"].rsplit("/subject/", 1)[1])
        for m in of(stack, "google_service_account_iam_member")
    }
    assert trusted == {("plan", PR), ("apply", DEPLOY)}


def test_plan_is_read_only_plus_lock_files(synthesized: dict[str, Synthesized]) -> None:
    stack = bootstrap(synthesized)
    plan = account_ref(stack, "hfkit-plan")
    project_roles = sorted(m["role"] for m in of(stack, "google_project_iam_member") if m["member"] == plan)
    assert project_roles == sorted(PLAN_ROLES)
    assert all(r.endswith((".viewer", "Viewer", ".securityReviewer")) for r in project_roles)
    on_state = {
        (m["role"], m.get("condition", {}).get("expression"))
        for m in of(stack, "google_storage_bucket_iam_member")
        if m["member"] == plan
    }
    assert on_state == {
        ("roles/storage.objectViewer", None),
        ("roles/storage.objectUser", 'resource.name.endsWith(".tflock")'),
    }


def test_apply_roles_and_state_write(synthesized: dict[str, Synthesized]) -> None:
    stack = bootstrap(synthesized)
    apply = account_ref(stack, "hfkit-apply")
    assert sorted(m["role"] for m in of(stack, "google_project_iam_member") if m["member"] == apply) == sorted(
        APPLY_ROLES
    )
    on_state = {m["role"] for m in of(stack, "google_storage_bucket_iam_member") if m["member"] == apply}
    assert on_state == {"roles/storage.objectUser", "roles/storage.bucketViewer"}


def test_no_other_stack_grants_service_account_roles_on_the_project(synthesized: dict[str, Synthesized]) -> None:
    """What CKV_HFKIT_8 allows the apply identity stays in the bootstrap stack."""
    admin = ("roles/owner", "roles/editor", "roles/iam.securityAdmin", "roles/iam.serviceAccount", "roles/iam.workload")
    for name, synth in synthesized.items():
        for stack_dir in synth.stacks_dir.iterdir():
            if stack_dir.name == "bootstrap":
                continue
            roles = [m["role"] for m in synth.resources(stack_dir.name, "google_project_iam_member").values()]
            assert [r for r in roles if r.startswith(admin)] == [], (name, stack_dir.name)
