"""The serving stack's promises, on the real synthesized JSON of tests/configs/serving.yaml (vLLM on an L4, vLLM TPU
on a v5e 2x4 slice, TGI on a tainted H100 pool)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from cdktf import Testing as CdktfTesting

from modules.catalog.engines import TGI_IMAGE_GPU, VLLM_IMAGE_GPU, VLLM_IMAGE_TPU
from modules.config import parse_environment
from stacks.app import build_stacks
from tests.conftest import CONFIGS, Synthesized


@pytest.fixture(scope="module")
def serving(synthesized: dict[str, Synthesized]) -> dict[str, Any]:
    return synthesized["serving"].stack("serving")


def by_name(serving: dict[str, Any], resource_type: str) -> dict[str, Any]:
    return {body["metadata"]["name"]: body for body in serving["resource"][resource_type].values()}


def pod(serving: dict[str, Any], name: str) -> dict[str, Any]:
    return by_name(serving, "kubernetes_deployment_v1")[name]["spec"]["template"]


def test_only_configs_with_deployments_get_a_serving_stack(synthesized: dict[str, Synthesized]) -> None:
    for name, synth in synthesized.items():
        assert (synth.stacks_dir / "serving").is_dir() == ("deployments:" in CONFIGS[name].read_text()), name


def test_provider_uses_cluster_endpoint_and_ca_and_no_literal_token(
    serving: dict[str, Any], synthesized: dict[str, Synthesized]
) -> None:
    (provider,) = serving["provider"]["kubernetes"]
    remote = "data.terraform_remote_state.cross-stack-reference-input-cluster.outputs."
    assert provider["host"].startswith("https://${" + remote)
    assert provider["cluster_ca_certificate"].startswith("${base64decode(" + remote)
    assert provider["token"].startswith("${data.google_client_config.") and provider["token"].endswith(".access_token}")
    assert "google_client_config" in serving["data"]
    text = (synthesized["serving"].stacks_dir / "serving" / "cdk.tf.json").read_text()
    assert "ya29." not in text and "BEGIN CERTIFICATE" not in text
    outputs = synthesized["serving"].stack("cluster")["output"]
    assert all(o["sensitive"] for k, o in outputs.items() if k.startswith("cross-stack-output-"))


def test_each_deployment_has_its_objects(serving: dict[str, Any]) -> None:
    names = {"llama-3-1-8b", "gemma-2-27b", "llama-3-1-70b"}
    for resource_type in (
        "kubernetes_namespace_v1",
        "kubernetes_deployment_v1",
        "kubernetes_service_v1",
        "kubernetes_horizontal_pod_autoscaler_v2",
        "kubernetes_pod_disruption_budget_v1",
    ):
        assert set(by_name(serving, resource_type)) == names, resource_type
    assert len(serving["resource"]["kubernetes_service_account_v1"]) == len(names)
    manifests = [m["manifest"] for m in serving["resource"]["kubernetes_manifest"].values()]
    monitors = {m["metadata"]["name"]: m for m in manifests}
    assert set(monitors) == names
    assert monitors["gemma-2-27b"]["kind"] == "PodMonitoring"
    assert monitors["gemma-2-27b"]["spec"]["endpoints"] == [{"interval": "15s", "path": "/metrics", "port": 8000}]


def test_service_accounts_are_bound_to_the_serving_identity(
    serving: dict[str, Any], synthesized: dict[str, Synthesized]
) -> None:
    accounts = list(serving["resource"]["kubernetes_service_account_v1"].values())
    assert {a["metadata"]["namespace"].split(".")[0] for a in accounts} == {"${kubernetes_namespace_v1"}
    for account in accounts:
        assert account["metadata"]["name"] == "model-server"
        assert account["metadata"]["annotations"]["iam.gke.io/gcp-service-account"].startswith(
            "${data.terraform_remote_state.cross-stack-reference-input-identities.outputs."
        )
        assert account["automount_service_account_token"] is False
    bindings = synthesized["serving"].resources("identities", "google_service_account_iam_member")
    members = {b["member"].split("[")[-1] for b in bindings.values() if b["role"] == "roles/iam.workloadIdentityUser"}
    assert members >= {"llama-3-1-8b/model-server]", "gemma-2-27b/model-server]", "llama-3-1-70b/model-server]"}


def test_vllm_on_l4(serving: dict[str, Any]) -> None:
    spec = pod(serving, "llama-3-1-8b")["spec"]
    (container,) = spec["container"]
    assert container["image"] == VLLM_IMAGE_GPU
    assert container["args"][:4] == [
        "--model=/models",
        "--served-model-name=llama-3-1-8b",
        "--tensor-parallel-size=1",
        "--max-model-len=42256",
    ]
    assert (
        container["resources"]["requests"]["nvidia.com/gpu"]
        == container["resources"]["limits"]["nvidia.com/gpu"]
        == "1"
    )
    assert spec["node_selector"] == {"cloud.google.com/gke-accelerator": "nvidia-l4", "hfkit.dev/pool": "l4-x1"}
    assert spec["toleration"] == [{"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}]


def test_vllm_tpu_on_v5e_2x4(serving: dict[str, Any]) -> None:
    spec = pod(serving, "gemma-2-27b")["spec"]
    (container,) = spec["container"]
    assert container["image"] == VLLM_IMAGE_TPU
    assert "--tensor-parallel-size=8" in container["args"] and "--max-model-len=8192" in container["args"]
    assert container["resources"]["limits"]["google.com/tpu"] == "8"
    assert spec["node_selector"] == {
        "cloud.google.com/gke-tpu-accelerator": "tpu-v5-lite-podslice",
        "cloud.google.com/gke-tpu-topology": "2x4",
        "hfkit.dev/pool": "v5e-2x4",
    }
    assert spec["toleration"] == [{"effect": "NoSchedule", "key": "google.com/tpu", "operator": "Exists"}]
    cache = next(v for v in spec["volume"] if v["name"] == "compile-cache")["csi"]
    assert cache["driver"] == "gcsfuse.csi.storage.gke.io" and cache["read_only"] is False
    assert cache["volume_attributes"]["bucketName"].startswith(
        "${data.terraform_remote_state.cross-stack-reference-input-storage.outputs."
    )
    assert cache["volume_attributes"]["mountOptions"] == "only-dir=gemma-2-27b,implicit-dirs"
    assert {"name": "VLLM_XLA_CACHE_PATH", "value": "/compile-cache"} in container["env"]


def test_compile_cache_bucket_only_with_tpu_deployments(synthesized: dict[str, Synthesized]) -> None:
    """The serving identity writes only the compile-cache bucket; it stays read-only on the weights bucket."""
    for name, synth in synthesized.items():
        assert len(caches_of(synth)) == (name == "serving"), name
    (cache,) = caches_of(synthesized["serving"])
    assert cache["labels"]["hfkit-role"] == "compile-cache"
    assert cache["logging"]["log_bucket"].startswith("${google_storage_bucket.")
    grants = synthesized["serving"].resources("identities", "google_storage_bucket_iam_member").values()
    serving = [g for g in grants if "serving" in g["member"]]
    assert sorted(g["role"] for g in serving) == ["roles/storage.objectUser", "roles/storage.objectViewer"]
    writer = next(g for g in serving if g["role"] == "roles/storage.objectUser")
    assert "google_storage_bucketcompile-cache_bucket" in writer["bucket"]  # never the weights bucket


def caches_of(synth: Synthesized) -> list[dict[str, Any]]:
    return [b for b in synth.resources("storage", "google_storage_bucket").values() if b["name"].endswith("-xla-cache")]


def test_tgi_on_h100_tolerates_the_pool_taint(serving: dict[str, Any]) -> None:
    spec = pod(serving, "llama-3-1-70b")["spec"]
    (container,) = spec["container"]
    assert container["image"] == TGI_IMAGE_GPU
    assert container["command"] == ["text-generation-launcher"]
    assert "--num-shard=8" in container["args"] and "--max-total-tokens=32768" in container["args"]
    assert {"effect": "NoSchedule", "key": "dedicated", "operator": "Equal", "value": "llm"} in spec["toleration"]


@pytest.mark.parametrize("name", ["llama-3-1-8b", "gemma-2-27b", "llama-3-1-70b"])
def test_weights_mount_offline_probes_and_autoscaling(serving: dict[str, Any], name: str) -> None:
    template = pod(serving, name)
    assert template["metadata"]["annotations"]["gke-gcsfuse/volumes"] == "true"
    spec = template["spec"]
    weights = next(v for v in spec["volume"] if v["name"] == "weights")["csi"]
    assert weights["driver"] == "gcsfuse.csi.storage.gke.io" and weights["read_only"] is True
    assert weights["volume_attributes"]["bucketName"] == "hfkit-serve-weights"
    only_dir = weights["volume_attributes"]["mountOptions"].split(",")[0]
    assert only_dir.startswith("only-dir=models/") and len(only_dir.rsplit("/", 1)[-1]) == 40  # the commit folder
    options = weights["volume_attributes"]["mountOptions"].split(",")
    assert {
        "metadata-cache:ttl-secs:-1",
        "file-cache:max-size-mb:-1",
        "file-cache:enable-parallel-downloads:true",
    } <= set(options)
    (container,) = spec["container"]
    assert {"mount_path": "/models", "name": "weights", "read_only": True} in container["volume_mount"]
    assert {"name": "HF_HUB_OFFLINE", "value": "1"} in container["env"]
    startup = container["startup_probe"]
    assert startup["period_seconds"] * startup["failure_threshold"] >= 1800
    assert container["security_context"]["read_only_root_filesystem"] is True
    hpa = by_name(serving, "kubernetes_horizontal_pod_autoscaler_v2")[name]["spec"]
    (metric,) = hpa["metric"]
    assert metric["type"] == "Pods"
    assert metric["pods"]["metric"]["name"].startswith("prometheus.googleapis.com|")
    assert metric["pods"]["metric"]["name"].split("|")[1] in ("vllm:num_requests_waiting", "tgi_queue_size")
    assert hpa["scale_target_ref"] == {"api_version": "apps/v1", "kind": "Deployment", "name": name}
    assert by_name(serving, "kubernetes_pod_disruption_budget_v1")[name]["spec"]["max_unavailable"] == "1"
    assert json.dumps(by_name(serving, "kubernetes_deployment_v1")[name]["lifecycle"]) == (
        '{"ignore_changes": ["spec[0].replicas"]}'
    )


def test_image_override_replaces_the_catalog_image() -> None:
    """A deployment's `image:` wins over the engine's pinned one (e.g. to pin a digest)."""
    data = yaml.safe_load(CONFIGS["serving"].read_text())
    pinned = "vllm/vllm-openai@sha256:" + "0" * 64
    data["deployments"][0]["image"] = pinned
    stacks = build_stacks(CdktfTesting.app(), parse_environment(data))
    assert stacks.serving is not None
    serving = json.loads(CdktfTesting.synth(stacks.serving))
    images = {
        body["metadata"]["name"]: body["spec"]["template"]["spec"]["container"][0]["image"]
        for body in serving["resource"]["kubernetes_deployment_v1"].values()
    }
    assert images == {"llama-3-1-8b": pinned, "gemma-2-27b": VLLM_IMAGE_TPU, "llama-3-1-70b": TGI_IMAGE_GPU}
