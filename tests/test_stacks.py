"""Properties of the synthesized Terraform that the kit promises, asserted on the real cdk.tf.json."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import CONFIGS, Synthesized


def only(resources: dict[str, Any]) -> dict[str, Any]:
    assert len(resources) == 1, list(resources)
    return next(iter(resources.values()))


def pool(synth: Synthesized, name: str) -> dict[str, Any]:
    pools = synth.resources("accelerators", "google_container_node_pool")
    return next(p for p in pools.values() if p["name"] == name)


# -- TPU v5e --------------------------------------------------------------------------------------------------------


def test_single_host_v5e_pool_has_no_placement_and_no_guest_accelerator(synthesized: dict[str, Synthesized]) -> None:
    p = pool(synthesized["example"], "v5e-2x4")
    assert p["node_config"]["machine_type"] == "ct5lp-hightpu-8t"
    assert "placement_policy" not in p
    assert "guest_accelerator" not in p["node_config"]
    assert p["autoscaling"] == {"min_node_count": 0, "max_node_count": 2}
    assert p["node_config"]["labels"]["hfkit.dev/accelerator"] == "tpu-v5-lite-podslice"


def test_multi_host_slice_is_compact_single_zone_with_derived_size(synthesized: dict[str, Synthesized]) -> None:
    p = pool(synthesized["multihost-spot"], "v5e-4x8-spot")
    assert p["node_config"]["machine_type"] == "ct5lp-hightpu-4t"
    assert p["placement_policy"] == {"type": "COMPACT", "tpu_topology": "4x8"}
    assert p["node_locations"] == ["us-east5-a"]
    assert p["autoscaling"]["max_node_count"] == 32 // 4
    assert p["node_config"]["spot"] is True
    assert "guest_accelerator" not in p["node_config"]


def test_fixed_size_pool_consumes_its_specific_reservation(synthesized: dict[str, Synthesized]) -> None:
    p = pool(synthesized["production"], "v5e-2x2-reserved")
    assert p["node_count"] == 2
    assert "autoscaling" not in p
    assert p["node_config"]["reservation_affinity"] == {
        "consume_reservation_type": "SPECIFIC_RESERVATION",
        "key": "compute.googleapis.com/reservation-name",
        "values": ["v5e-reservation"],
    }
    assert "spot" not in p["node_config"]


def test_flex_start_pool_turns_auto_repair_off_and_reserves_nothing(synthesized: dict[str, Synthesized]) -> None:
    p = pool(synthesized["production"], "v5e-1x1-b")
    assert p["node_config"]["flex_start"] is True
    assert p["management"]["auto_repair"] is False
    assert p["node_config"]["reservation_affinity"] == {"consume_reservation_type": "NO_RESERVATION"}
    assert p["node_locations"] == ["us-west4-b"]


# -- GPUs -----------------------------------------------------------------------------------------------------------


def test_h100_dws_pool_is_queued_without_reservation_or_placement(synthesized: dict[str, Synthesized]) -> None:
    p = pool(synthesized["h100-dws"], "h100-dws")
    assert p["queued_provisioning"] == {"enabled": True}
    assert p["node_config"]["reservation_affinity"] == {"consume_reservation_type": "NO_RESERVATION"}
    assert p["autoscaling"] == {"total_min_node_count": 0, "total_max_node_count": 4, "location_policy": "ANY"}
    assert p["management"]["auto_repair"] is False
    assert "placement_policy" not in p
    assert p["node_config"]["guest_accelerator"] == [
        {"type": "nvidia-h100-80gb", "count": 8, "gpu_driver_installation_config": {"gpu_driver_version": "LATEST"}}
    ]
    assert p["node_config"]["taint"] == [{"key": "hfkit.dev/dws", "value": "true", "effect": "NO_SCHEDULE"}]


def test_l4_pool_shares_each_gpu_by_time_slicing(synthesized: dict[str, Synthesized]) -> None:
    accelerator = pool(synthesized["l4-timesharing"], "l4-shared")["node_config"]["guest_accelerator"][0]
    assert accelerator["type"] == "nvidia-l4"
    assert accelerator["count"] == 2  # g2-standard-24 carries two L4s
    assert accelerator["gpu_sharing_config"] == {
        "gpu_sharing_strategy": "TIME_SHARING",
        "max_shared_clients_per_gpu": 4,
    }


# -- security defaults on every config --------------------------------------------------------------------------------


@pytest.mark.parametrize("config", list(CONFIGS))
def test_every_node_runs_hardened_as_the_dedicated_node_identity(
    synthesized: dict[str, Synthesized], config: str
) -> None:
    synth = synthesized[config]
    cluster = only(synth.resources("cluster", "google_container_cluster"))
    configs = [cluster["node_config"]] + [
        p["node_config"] for p in synth.resources("accelerators", "google_container_node_pool").values()
    ]
    for node_config in configs:
        assert "google_service_account" in node_config["service_account"]  # a reference to the node identity
        assert "compute@developer" not in node_config["service_account"]
        assert node_config["shielded_instance_config"] == {
            "enable_secure_boot": True,
            "enable_integrity_monitoring": True,
        }
        assert node_config["workload_metadata_config"] == {"mode": "GKE_METADATA"}
        assert node_config["metadata"] == {"disable-legacy-endpoints": "true"}


@pytest.mark.parametrize("config", list(CONFIGS))
def test_cluster_is_private_with_workload_identity_and_protected(
    synthesized: dict[str, Synthesized], config: str
) -> None:
    synth = synthesized[config]
    cluster = only(synth.resources("cluster", "google_container_cluster"))
    assert cluster["private_cluster_config"]["enable_private_nodes"] is True
    assert cluster["workload_identity_config"] == {"workload_pool": "hfkit-example-project.svc.id.goog"} or config == (
        "production"
    )
    assert cluster["workload_identity_config"]["workload_pool"].endswith(".svc.id.goog")
    assert cluster["datapath_provider"] == "ADVANCED_DATAPATH"
    assert cluster["enable_shielded_nodes"] is True
    assert cluster["deletion_protection"] is True
    assert cluster["remove_default_node_pool"] is True
    assert cluster["addons_config"]["gcs_fuse_csi_driver_config"] == {"enabled": True}
    assert cluster["secret_manager_config"] == {"enabled": True}
    assert cluster["monitoring_config"]["managed_prometheus"] == {"enabled": True}
    assert cluster["release_channel"]["channel"] in {"RAPID", "REGULAR", "STABLE"}
    node_roles = [m["role"] for m in synth.resources("cluster", "google_project_iam_member").values()]
    assert node_roles == ["roles/container.defaultNodeServiceAccount"]


@pytest.mark.parametrize("config", list(CONFIGS))
def test_weights_bucket_is_hardened_and_logs_access(synthesized: dict[str, Synthesized], config: str) -> None:
    buckets = {
        b["labels"]["hfkit-role"]: b for b in synthesized[config].resources("storage", "google_storage_bucket").values()
    }
    weights, logs = buckets["weights"], buckets["access-logs"]
    for bucket in (weights, logs):
        assert bucket["uniform_bucket_level_access"] is True
        assert bucket["public_access_prevention"] == "enforced"
        assert bucket["versioning"] == {"enabled": True}
        assert bucket["soft_delete_policy"]["retention_duration_seconds"] >= 7 * 86400
    assert weights["logging"]["log_bucket"].startswith("${google_storage_bucket.")
    assert weights["lifecycle_rule"][0]["condition"]["with_state"] == "ARCHIVED"
    # A killed stager's XML multipart uploads are aborted, not billed forever (GCS lifecycle docs: the action takes
    # an `age` condition in days since the upload began).
    assert {"action": {"type": "AbortIncompleteMultipartUpload"}, "condition": {"age": 1}} in weights["lifecycle_rule"]


@pytest.mark.parametrize("config", list(CONFIGS))
def test_hf_token_never_has_a_version_in_terraform(synthesized: dict[str, Synthesized], config: str) -> None:
    synth = synthesized[config]
    assert only(synth.resources("storage", "google_secret_manager_secret"))["secret_id"] == "hf-token"
    for stack_dir in synth.stacks_dir.iterdir():
        text = (stack_dir / "cdk.tf.json").read_text()
        assert "google_secret_manager_secret_version" not in text
        assert "secret_data" not in text


@pytest.mark.parametrize("config", list(CONFIGS))
def test_identities_are_granted_on_the_narrowest_resource(synthesized: dict[str, Synthesized], config: str) -> None:
    synth = synthesized[config]
    stack = synth.stack("identities")
    # One project-level grant, with deployments only: Cloud Monitoring has no narrower resource for the metrics adapter.
    project = [(g["role"], g["member"]) for g in stack["resource"].get("google_project_iam_member", {}).values()]
    expected = [("roles/monitoring.viewer", "metrics-adapter")] if "deployments:" in CONFIGS[config].read_text() else []
    assert [
        (role, "metrics-adapter" if "metrics-adapter_account" in member else member) for role, member in project
    ] == (expected)
    bindings = stack["resource"]["google_storage_bucket_iam_member"].values()
    # TPU model servers may also write their compile-cache bucket (tests/test_serving.py); never the weights.
    grants = [(g["role"], g["member"]) for g in bindings if "compile-cache" not in g["bucket"]]
    stager = [role for role, member in grants if "stager" in member]
    serving = [role for role, member in grants if "serving" in member]
    assert sorted(stager) == ["roles/storage.bucketViewer", "roles/storage.objectUser"]
    assert serving == ["roles/storage.objectViewer"]
    secret_grants = list(stack["resource"]["google_secret_manager_secret_iam_member"].values())
    assert [(g["role"], "stager" in g["member"]) for g in secret_grants] == [
        ("roles/secretmanager.secretAccessor", True)
    ]
    wi = [
        m
        for m in stack["resource"]["google_service_account_iam_member"].values()
        if "workloadIdentityUser" in m["role"]
    ]
    assert all(m["member"].startswith("serviceAccount:${") and m["member"].endswith("]") for m in wi)


def test_workload_identity_binds_each_configured_kubernetes_account(synthesized: dict[str, Synthesized]) -> None:
    stack = synthesized["production"].stack("identities")
    members = sorted(
        m["member"].split("[")[1]
        for m in stack["resource"]["google_service_account_iam_member"].values()
        if m["role"] == "roles/iam.workloadIdentityUser"
    )
    assert members == ["llm/tgi]", "llm/vllm]"]
    impersonation = [
        m
        for m in stack["resource"]["google_service_account_iam_member"].values()
        if m["role"] == "roles/iam.serviceAccountTokenCreator"
    ]
    assert [m["member"] for m in impersonation] == ["serviceAccount:ci@hfkit-prod-project.iam.gserviceaccount.com"]


# -- production-only options ------------------------------------------------------------------------------------------


def test_cmek_bucket_waits_for_the_storage_agent_key_grant(synthesized: dict[str, Synthesized]) -> None:
    storage = synthesized["production"].stack("storage")
    weights = next(
        b for b in storage["resource"]["google_storage_bucket"].values() if b["labels"]["hfkit-role"] == "weights"
    )
    key = "projects/hfkit-prod-project/locations/us-west4/keyRings/hfkit/cryptoKeys/weights"
    assert weights["encryption"] == {"default_kms_key_name": key}
    grant = only(storage["resource"]["google_kms_crypto_key_iam_member"])
    assert grant["crypto_key_id"] == key
    assert grant["role"] == "roles/cloudkms.cryptoKeyEncrypterDecrypter"
    assert any("google_kms_crypto_key_iam_member" in d for d in weights["depends_on"])


def test_gcs_backend_keeps_each_stack_under_its_own_prefix(synthesized: dict[str, Synthesized]) -> None:
    for stack_id in ("network", "cluster", "accelerators", "storage", "identities"):
        backend = synthesized["production"].stack(stack_id)["terraform"]["backend"]
        assert backend == {"gcs": {"bucket": "hfkit-prod-tfstate", "prefix": f"hfkit/prod/{stack_id}"}}


def test_local_backend_is_relative_so_output_is_machine_independent(synthesized: dict[str, Synthesized]) -> None:
    backend = synthesized["example"].stack("cluster")["terraform"]["backend"]
    assert backend == {"local": {"path": "../../../state/dev/cluster.tfstate"}}


def test_google_groups_rbac_only_when_configured(synthesized: dict[str, Synthesized]) -> None:
    prod = only(synthesized["production"].resources("cluster", "google_container_cluster"))
    assert prod["authenticator_groups_config"] == {"security_group": "gke-security-groups@example.com"}
    assert "authenticator_groups_config" not in only(
        synthesized["example"].resources("cluster", "google_container_cluster")
    )


def test_consumers_read_producers_through_remote_state(synthesized: dict[str, Synthesized]) -> None:
    accelerators = synthesized["example"].stack("accelerators")
    remote = accelerators["data"]["terraform_remote_state"]
    assert [r["config"]["path"] for r in remote.values()] == ["../../../state/dev/cluster.tfstate"]
    assert json.dumps(accelerators).count("${data.terraform_remote_state.") >= 2


def test_service_account_descriptions_fit_the_provider_limit(tmp_path) -> None:
    """resource_google_service_account.go @v6.50.0: description StringLenBetween(0, 256). A GitHub environment name
    may have 255 characters (GitHub's limit) and is part of the apply identity's description."""
    from cdktf import App

    from modules.config import load_environment
    from stacks.app import build_stacks

    env = load_environment(CONFIGS["production"])
    env = env.model_copy(update={"ci": env.ci.model_copy(update={"environment": "e" * 255})})
    app = App(outdir=str(tmp_path))
    build_stacks(app, env)
    app.synth()
    accounts = Synthesized(tmp_path).resources("bootstrap", "google_service_account").values()
    assert [len(a["description"]) for a in accounts if "apply" in a["display_name"]] == [256]
