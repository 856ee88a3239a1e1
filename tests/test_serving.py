"""The serving stack's promises, on the real synthesized JSON of tests/configs/serving.yaml: vLLM on an L4 (streams from
GCS), vLLM TPU on a v5e 2x4 slice and TGI on a tainted H100 pool (both through GCS FUSE, weights cached in memory),
plus the Custom Metrics Stackdriver Adapter their autoscalers read.

Expected values come from the sources cited in modules/catalog/serving.py and are computed by hand in each test."""

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

CONFIG = yaml.safe_load(CONFIGS["serving"].read_text())
NAMES = {"llama-3-1-8b", "gemma-2-27b", "llama-3-1-70b"}


@pytest.fixture(scope="module")
def serving(synthesized: dict[str, Synthesized]) -> dict[str, Any]:
    return synthesized["serving"].stack("serving")


def by_name(serving: dict[str, Any], resource_type: str) -> dict[str, Any]:
    return {body["metadata"]["name"]: body for body in serving["resource"][resource_type].values()}


def pod(serving: dict[str, Any], name: str) -> dict[str, Any]:
    return by_name(serving, "kubernetes_deployment_v1")[name]["spec"]["template"]


def volumes(spec: dict[str, Any]) -> dict[str, Any]:
    return {v["name"]: v for v in spec["volume"]}


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
    for resource_type in (
        "kubernetes_namespace_v1",
        "kubernetes_deployment_v1",
        "kubernetes_service_v1",
        "kubernetes_horizontal_pod_autoscaler_v2",
        "kubernetes_pod_disruption_budget_v1",
    ):
        assert set(by_name(serving, resource_type)) >= NAMES, resource_type
    models = [
        a
        for a in serving["resource"]["kubernetes_service_account_v1"].values()
        if a["metadata"]["name"] == "model-server"
    ]
    assert len(models) == len(NAMES)
    monitors = {
        m["manifest"]["metadata"]["name"]: m["manifest"] for m in serving["resource"]["kubernetes_manifest"].values()
    }
    assert set(monitors) == NAMES
    assert monitors["gemma-2-27b"]["kind"] == "PodMonitoring"
    assert monitors["gemma-2-27b"]["spec"]["endpoints"] == [{"interval": "15s", "path": "/metrics", "port": 8000}]


def test_service_accounts_are_bound_to_the_serving_identity(
    serving: dict[str, Any], synthesized: dict[str, Synthesized]
) -> None:
    accounts = [
        a
        for a in serving["resource"]["kubernetes_service_account_v1"].values()
        if a["metadata"]["name"] == "model-server"
    ]
    assert {a["metadata"]["namespace"].split(".")[0] for a in accounts} == {"${kubernetes_namespace_v1"}
    for account in accounts:
        assert account["metadata"]["annotations"]["iam.gke.io/gcp-service-account"].startswith(
            "${data.terraform_remote_state.cross-stack-reference-input-identities.outputs."
        )
        assert account["automount_service_account_token"] is False
    bindings = synthesized["serving"].resources("identities", "google_service_account_iam_member")
    members = {b["member"].split("[")[-1] for b in bindings.values() if b["role"] == "roles/iam.workloadIdentityUser"}
    assert members >= {"llama-3-1-8b/model-server]", "gemma-2-27b/model-server]", "llama-3-1-70b/model-server]"}


def test_vllm_on_gpu_streams_weights_from_gcs_without_a_cache(serving: dict[str, Any]) -> None:
    """accelerated-platforms' GPU vLLM reference: `--model=gs://BUCKET/PATH --load-format=runai_streamer
    --model-loader-extra-config={"distributed":true}`; no GCS FUSE volume, so no sidecar and no file cache at all."""
    template = pod(serving, "llama-3-1-8b")
    spec = template["spec"]
    (container,) = spec["container"]
    assert container["image"] == VLLM_IMAGE_GPU
    path = CONFIG["deployments"][0]["path"].rstrip("/")
    assert container["args"] == [
        f"--model={path}",
        "--served-model-name=llama-3-1-8b",
        "--tensor-parallel-size=1",
        "--max-model-len=30304",
        "--gpu-memory-utilization=0.9",
        "--load-format=runai_streamer",
        '--model-loader-extra-config={"distributed":true}',
        "--host=0.0.0.0",
        "--port=8000",
    ]
    assert set(volumes(spec)) == {"shm", "tmp"}
    assert not any(key.startswith("gke-gcsfuse/") for key in template["metadata"]["annotations"])
    assert (
        container["resources"]["requests"]["nvidia.com/gpu"]
        == container["resources"]["limits"]["nvidia.com/gpu"]
        == "1"
    )
    # g2-standard-8: 8 vCPUs, 32 GB; half requested, three quarters the limit (no cache beside it).
    assert (
        container["resources"]["requests"]["memory"] == "16Gi" and container["resources"]["limits"]["memory"] == "24Gi"
    )
    assert spec["node_selector"] == {"cloud.google.com/gke-accelerator": "nvidia-l4", "hfkit.dev/pool": "l4-x1"}
    assert spec["toleration"] == [{"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}]


def test_vllm_tpu_reads_gcs_fuse_with_a_memory_cache_sized_from_the_manifest(serving: dict[str, Any]) -> None:
    """staged_bytes 54,672,006,144 = 52,139.29 MiB -> file-cache:max-size-mb 52140; the memory-backed
    gke-gcsfuse-cache volume adds 512 MiB of slack (52652Mi); the sidecar requests 1024 MiB more (53676Mi).
    ct5lp-hightpu-8t has 384 GiB: GKE reserves 1024 + 819.2 + 819.2 + 6881.28 (6% of 112 GiB) + 5242.88 (2% of
    256 GiB) MiB plus 100 MiB eviction, leaving 378,329 MiB; the server keeps 192Gi requested and min(288Gi,
    378329 - 2048 - 53676 = 322605 MiB) = 288Gi as its limit."""
    template = pod(serving, "gemma-2-27b")
    spec = template["spec"]
    (container,) = spec["container"]
    assert container["image"] == VLLM_IMAGE_TPU
    assert container["args"][:4] == [
        "--model=/models",
        "--served-model-name=gemma-2-27b",
        "--tensor-parallel-size=8",
        "--max-model-len=8192",
    ]
    assert container["resources"]["limits"]["google.com/tpu"] == "8"
    assert container["resources"]["requests"]["memory"] == "192Gi"
    assert container["resources"]["limits"]["memory"] == "288Gi"
    assert spec["node_selector"] == {
        "cloud.google.com/gke-tpu-accelerator": "tpu-v5-lite-podslice",
        "cloud.google.com/gke-tpu-topology": "2x4",
        "hfkit.dev/pool": "v5e-2x4",
    }
    found = volumes(spec)
    weights = found["weights"]["csi"]
    assert weights["driver"] == "gcsfuse.csi.storage.gke.io" and weights["read_only"] is True
    assert weights["volume_attributes"]["bucketName"] == "hfkit-serve-weights"
    options = weights["volume_attributes"]["mountOptions"].split(",")
    assert options[0] == "only-dir=models/google/gemma-2-27b-it/aaf20e6b9f4c0fcf043f6fb2a2068419086d77b0"
    assert "file-cache:max-size-mb:52140" in options and "file-cache:max-size-mb:-1" not in options
    assert {"metadata-cache:ttl-secs:-1", "file-cache:enable-parallel-downloads:true"} <= set(options)
    assert found["gke-gcsfuse-cache"]["empty_dir"] == {"medium": "Memory", "size_limit": "52652Mi"}
    annotations = template["metadata"]["annotations"]
    assert annotations["gke-gcsfuse/volumes"] == "true"
    assert annotations["gke-gcsfuse/memory-request"] == "53676Mi"
    assert "gke-gcsfuse/ephemeral-storage-limit" not in annotations  # the webhook's bounded 5Gi default applies
    assert {"mount_path": "/models", "name": "weights", "read_only": True} in container["volume_mount"]
    cache = found["compile-cache"]["csi"]
    assert cache["driver"] == "gcsfuse.csi.storage.gke.io" and cache["read_only"] is False
    assert cache["volume_attributes"]["bucketName"].startswith(
        "${data.terraform_remote_state.cross-stack-reference-input-storage.outputs."
    )
    assert cache["volume_attributes"]["mountOptions"] == "only-dir=gemma-2-27b,implicit-dirs"
    assert {"name": "VLLM_XLA_CACHE_PATH", "value": "/compile-cache"} in container["env"]


def test_tgi_on_h100_caches_in_memory_and_tolerates_the_pool_taint(serving: dict[str, Any]) -> None:
    """staged_bytes 141,107,497,984 = 134,570.6 MiB -> max-size-mb 134571, volume 135083Mi, sidecar 136107Mi;
    a3-highgpu-8g (1872 GiB) keeps 936Gi requested and 1404Gi (3/4) as the limit, far below what is left."""
    template = pod(serving, "llama-3-1-70b")
    spec = template["spec"]
    (container,) = spec["container"]
    assert container["image"] == TGI_IMAGE_GPU
    assert container["command"] == ["text-generation-launcher"]
    assert "--num-shard=8" in container["args"] and "--model-id=/models" in container["args"]
    assert "file-cache:max-size-mb:134571" in volumes(spec)["weights"]["csi"]["volume_attributes"]["mountOptions"]
    assert volumes(spec)["gke-gcsfuse-cache"]["empty_dir"] == {"medium": "Memory", "size_limit": "135083Mi"}
    assert template["metadata"]["annotations"]["gke-gcsfuse/memory-request"] == "136107Mi"
    assert container["resources"]["limits"]["memory"] == "1404Gi"
    assert {"effect": "NoSchedule", "key": "dedicated", "operator": "Equal", "value": "llm"} in spec["toleration"]


def test_max_model_len_is_passed_through_unchanged(serving: dict[str, Any]) -> None:
    """The context `hfkit serve` wrote (what fit allows) reaches each engine as is: vLLM `--max-model-len`, TGI
    `--max-total-tokens` (and `--max-input-tokens` one less, TGI requires input < total)."""
    for entry in CONFIG["deployments"]:
        (container,) = pod(serving, entry["name"])["spec"]["container"]
        n = entry["max_model_len"]
        if entry["engine"] == "tgi":
            assert {f"--max-total-tokens={n}", f"--max-input-tokens={n - 1}"} <= set(container["args"])
        else:
            assert f"--max-model-len={n}" in container["args"]


@pytest.mark.parametrize("name", sorted(NAMES))
def test_probes_drain_service_links_and_autoscaling(serving: dict[str, Any], name: str) -> None:
    spec = pod(serving, name)["spec"]
    (container,) = spec["container"]
    assert spec["enable_service_links"] is False  # a Service named `vllm` would inject VLLM_PORT=tcp://...
    assert {"name": "HF_HUB_OFFLINE", "value": "1"} in container["env"]
    startup = container["startup_probe"]
    assert startup["period_seconds"] * startup["failure_threshold"] >= 1800
    assert container["security_context"]["read_only_root_filesystem"] is True
    # Drain: the preStop hook polls the engine and gives up after 540 s; the grace period (the cluster autoscaler's
    # 600 s maximum, kubernetes/autoscaler FAQ) leaves 60 s for the engine to exit after it.
    (pre_stop,) = container["lifecycle"]["pre_stop"]
    command = pre_stop["exec"]["command"]
    assert command[:2] == ["python3", "-c"] and "deadline = time.monotonic() + 540" in command[2]
    assert "http://127.0.0.1:8000/metrics" in command[2]
    assert spec["termination_grace_period_seconds"] == 600
    hpa = by_name(serving, "kubernetes_horizontal_pod_autoscaler_v2")[name]["spec"]
    (metric,) = hpa["metric"]
    assert metric["type"] == "Pods"
    assert metric["pods"]["metric"]["name"].split("|")[1] in ("vllm:num_requests_waiting", "tgi_queue_size")
    assert hpa["scale_target_ref"] == {"api_version": "apps/v1", "kind": "Deployment", "name": name}
    assert by_name(serving, "kubernetes_pod_disruption_budget_v1")[name]["spec"]["max_unavailable"] == "1"
    assert json.dumps(by_name(serving, "kubernetes_deployment_v1")[name]["lifecycle"]) == (
        '{"ignore_changes": ["spec[0].replicas"]}'
    )


def test_rollouts_surge_only_where_the_pool_has_a_spare_node(serving: dict[str, Any]) -> None:
    """l4-x1: max_nodes 3 x 1 zone, llama-3-1-8b may use all 3 -> replace one at a time. v5e-2x4: 2 nodes, gemma
    up to 2 -> same. h100-x8: 2 nodes, llama-3-1-70b up to 1 -> one spare node, so it surges."""
    strategies = {
        name: body["spec"]["strategy"]["rolling_update"]
        for name, body in by_name(serving, "kubernetes_deployment_v1").items()
        if name in NAMES
    }
    assert strategies == {
        "llama-3-1-8b": {"max_surge": "0", "max_unavailable": "1"},
        "gemma-2-27b": {"max_surge": "0", "max_unavailable": "1"},
        "llama-3-1-70b": {"max_surge": "1", "max_unavailable": "0"},
    }


def test_every_hpa_metric_has_a_provider(serving: dict[str, Any], synthesized: dict[str, Synthesized]) -> None:
    """Follow each autoscaler's metric to what serves it: a Pods metric named `prometheus.googleapis.com|...` is read
    from custom.metrics.k8s.io, so an APIService for that group must route to a Service whose selector matches a
    Deployment running the pinned adapter image; that adapter's KSA must be annotated with a Google account that holds
    roles/monitoring.viewer through Workload Identity; and a PodMonitoring must scrape the metric's pods."""
    resources = serving["resource"]
    services = {(b["metadata"]["name"], "custom-metrics"): b for b in resources["kubernetes_service_v1"].values()}
    deployments = resources["kubernetes_deployment_v1"].values()
    monitors = [m["manifest"] for m in resources["kubernetes_manifest"].values()]
    identities = synthesized["serving"].stack("identities")
    for hpa in resources["kubernetes_horizontal_pod_autoscaler_v2"].values():
        (metric,) = hpa["spec"]["metric"]
        assert metric["type"] == "Pods" and metric["pods"]["metric"]["name"].startswith("prometheus.googleapis.com|")
        api = [
            a for a in resources["kubernetes_api_service_v1"].values() if a["spec"]["group"] == "custom.metrics.k8s.io"
        ]
        assert {a["spec"]["version"] for a in api} == {"v1beta1", "v1beta2"}
        for service_ref in (a["spec"]["service"] for a in api):
            service = services[(service_ref["name"], service_ref["namespace"])]
            (adapter,) = [
                d for d in deployments if d["spec"]["template"]["metadata"]["labels"] == service["spec"]["selector"]
            ]
            (container,) = adapter["spec"]["template"]["spec"]["container"]
            assert container["image"] == "gcr.io/gke-release/custom-metrics-stackdriver-adapter:v0.16.9-gke.0"
        target = hpa["spec"]["scale_target_ref"]["name"]
        labels = by_name(serving, "kubernetes_deployment_v1")[target]["spec"]["template"]["metadata"]["labels"]
        assert any(m["spec"]["selector"]["matchLabels"] == labels for m in monitors), target
    (account,) = [
        a
        for a in identities["resource"]["google_service_account"].values()
        if a["account_id"] == "hfkit-metrics-adapter"
    ]
    viewers = [
        m
        for m in identities["resource"]["google_project_iam_member"].values()
        if m["role"] == "roles/monitoring.viewer"
    ]
    assert len(viewers) == 1 and viewers[0]["member"].startswith("${google_service_account.metrics-adapter_account_")
    binding = [
        b
        for b in identities["resource"]["google_service_account_iam_member"].values()
        if b["member"].endswith("[custom-metrics/custom-metrics-stackdriver-adapter]")
    ]
    assert len(binding) == 1 and binding[0]["service_account_id"].startswith(
        "${google_service_account.metrics-adapter_account_"
    )
    (ksa,) = [
        a
        for a in resources["kubernetes_service_account_v1"].values()
        if a["metadata"]["name"] == "custom-metrics-stackdriver-adapter"
    ]
    assert "metrics-adapter_account" in ksa["metadata"]["annotations"]["iam.gke.io/gcp-service-account"]
    assert account["project"] == "hfkit-example-project"


def test_compile_cache_bucket_only_with_tpu_deployments_and_no_age_expiry(synthesized: dict[str, Synthesized]) -> None:
    """The serving identity writes only the compile-cache bucket; entries are never deleted by age (a busy model
    would recompile), only overwritten versions after a day."""
    for name, synth in synthesized.items():
        assert len(caches_of(synth)) == (name == "serving"), name
    (cache,) = caches_of(synthesized["serving"])
    assert cache["labels"]["hfkit-role"] == "compile-cache"
    assert cache["logging"]["log_bucket"].startswith("${google_storage_bucket.")
    assert cache["lifecycle_rule"] == [
        {"action": {"type": "Delete"}, "condition": {"days_since_noncurrent_time": 1, "with_state": "ARCHIVED"}}
    ]
    grants = synthesized["serving"].resources("identities", "google_storage_bucket_iam_member").values()
    serving = [g for g in grants if "serving" in g["member"]]
    assert sorted(g["role"] for g in serving) == ["roles/storage.objectUser", "roles/storage.objectViewer"]
    writer = next(g for g in serving if g["role"] == "roles/storage.objectUser")
    assert "google_storage_bucketcompile-cache_bucket" in writer["bucket"]  # never the weights bucket


def caches_of(synth: Synthesized) -> list[dict[str, Any]]:
    return [b for b in synth.resources("storage", "google_storage_bucket").values() if b["name"].endswith("-xla-cache")]


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
    assert images == {
        "llama-3-1-8b": pinned,
        "gemma-2-27b": VLLM_IMAGE_TPU,
        "llama-3-1-70b": TGI_IMAGE_GPU,
        "custom-metrics-stackdriver-adapter": "gcr.io/gke-release/custom-metrics-stackdriver-adapter:v0.16.9-gke.0",
    }


#: The published config.json of each model the serving test config deploys (tests/fit/models.py builds their
#: safetensors headers with the checkpoints' real tensor names and shapes).
PUBLISHED = {
    "meta-llama/Llama-3.1-8B-Instruct": "LLAMA_3_1_8B",
    "google/gemma-2-27b-it": "GEMMA_2_27B",
    "meta-llama/Llama-3.1-70B-Instruct": "LLAMA_3_1_70B",
}


@pytest.mark.parametrize("index", range(len(CONFIG["deployments"])))
def test_each_deployment_serves_a_context_its_engine_accepts(index: int) -> None:
    """Issue 11, item 2: the context the serving stack passes (`--max-model-len`, `--max-total-tokens`) is one the
    engine starts with after its start-up reservations: at most what `hfkit fit` allows on that pool
    (`serving_max_model_len`, the number `hfkit serve` writes; tests/fit derive it by hand from the engines' source).
    Llama-3.1-8B on one L4 is exactly what serve writes: 30,304 tokens (tests/fit/test_fit_arithmetic.py), not the
    42,256 of the whole KV budget, which left vLLM no room for its profile run and failed at start-up."""
    from modules.catalog.engines import ENGINES
    from modules.fit.memory import pool_shape, serving_max_model_len
    from modules.fit.profile import profile_model
    from tests.fit import models

    deployment = CONFIG["deployments"][index]
    published = getattr(models, PUBLISHED[deployment["model"]])
    profile = profile_model(published, models.decoder_headers(published))
    env = parse_environment(CONFIG)
    allowed = serving_max_model_len(profile, pool_shape(env.pool(deployment["pool"])), ENGINES[deployment["engine"]])
    assert 0 < deployment["max_model_len"] <= allowed
    if deployment["name"] == "llama-3-1-8b":
        assert deployment["max_model_len"] == allowed == 30_304


#: Llama-3.1-70B (141,107,497,984 staged bytes) on a v6e 2x4 VM and on a TPU7x 2x2x1 VM, entries as `hfkit serve`
#: writes them: tensor parallel = JAX devices (8 v6e chips; 4 TPU7x chips of 2 devices each), the full 131,072 context
#: (tests/fit/test_fit_arithmetic.py derives both by hand). TPU7x needs GKE 1.34.0-gke.2201000 (modules/catalog/tpu.py).
GENERATIONS = {
    **CONFIG,
    "cluster": {**CONFIG["cluster"], "min_master_version": "1.34.0-gke.2201000"},
    "tpu_pools": [
        {"name": "v6e-2x4", "machine_type": "ct6e-standard-8t", "zones": ["us-central1-b"]},
        {"name": "tpu7x-2x2x1", "machine_type": "tpu7x-standard-4t", "zones": ["us-central1-c"]},
    ],
    "gpu_pools": [],
    "deployments": [
        {
            **CONFIG["deployments"][2],
            "name": name,
            "pool": pool,
            "engine": "vllm",
            "tensor_parallel_size": 8,
            "max_model_len": 131_072,
        }
        for name, pool in (("llama-70b-v6e", "v6e-2x4"), ("llama-70b-tpu7x", "tpu7x-2x2x1"))
    ],
}


@pytest.fixture(scope="module")
def generations() -> dict[str, Any]:
    stacks = build_stacks(CdktfTesting.app(), parse_environment(GENERATIONS))
    assert stacks.serving is not None
    return json.loads(CdktfTesting.synth(stacks.serving))


@pytest.mark.parametrize(
    ("name", "accelerator", "topology", "chips", "cpu", "memory"),
    [
        # ct6e-standard-8t: 360 vCPUs, 1,440 GB (machines.py), 8 chips; requests half, limits all CPU and 3/4 memory
        ("llama-70b-v6e", "tpu-v6e-slice", "2x4", "8", ("180", "360"), ("720Gi", "1080Gi")),
        # tpu7x-standard-4t: 224 vCPUs, 960 GB, 4 chips (google.com/tpu counts chips: tpu-inference's GKE example
        # requests 4 on a 2x2x1 node and serves with --tensor-parallel-size 8)
        ("llama-70b-tpu7x", "tpu7x", "2x2x1", "4", ("112", "224"), ("480Gi", "720Gi")),
    ],
)
def test_each_tpu_generation_gets_its_labels_chips_and_the_pinned_image(
    generations: dict[str, Any], name: str, accelerator: str, topology: str, chips: str, cpu: tuple, memory: tuple
) -> None:
    """Memory by hand for 141,107,497,984 staged bytes = 134,571 MiB of file cache (+512 MiB volume slack, +1 GiB
    sidecar = 136,107 MiB). ct6e-standard-8t: 1,474,560 MiB, GKE reserves 1,024 + 819.2 + 819.2 + 6,881.28 + 2% of
    1,312 GiB (26,869.76) + 100 MiB eviction: 1,438,046 MiB allocatable, so the limit stays 3/4 (1,105,920 MiB:
    1,438,046 - 2,048 - 136,107 is more). tpu7x-standard-4t: 983,040 MiB, 956,356 allocatable; limit 737,280."""
    template = pod(generations, name)
    spec = template["spec"]
    (container,) = spec["container"]
    assert container["image"] == VLLM_IMAGE_TPU
    assert container["args"][:4] == [
        "--model=/models",
        f"--served-model-name={name}",
        "--tensor-parallel-size=8",
        "--max-model-len=131072",
    ]
    pool = GENERATIONS["deployments"][0 if name.endswith("v6e") else 1]["pool"]
    assert spec["node_selector"] == {
        "cloud.google.com/gke-tpu-accelerator": accelerator,
        "cloud.google.com/gke-tpu-topology": topology,
        "hfkit.dev/pool": pool,
    }
    requests, limits = container["resources"]["requests"], container["resources"]["limits"]
    assert (requests["google.com/tpu"], limits["google.com/tpu"]) == (chips, chips)
    assert (requests["cpu"], limits["cpu"]) == cpu
    assert (requests["memory"], limits["memory"]) == memory
    weights = volumes(spec)["weights"]["csi"]["volume_attributes"]["mountOptions"].split(",")
    assert "file-cache:max-size-mb:134571" in weights
    assert volumes(spec)["gke-gcsfuse-cache"]["empty_dir"] == {"medium": "Memory", "size_limit": "135083Mi"}
    assert template["metadata"]["annotations"]["gke-gcsfuse/memory-request"] == "136107Mi"
    assert {"name": "VLLM_XLA_CACHE_PATH", "value": "/compile-cache"} in container["env"]


@pytest.mark.parametrize(
    ("machine_type", "message"),
    [
        # 176 GB: 180,224 MiB - (1,024 + 819.2 + 819.2 + 6,881.28 + 2% of 48 GiB = 983.04) - 100 = 169,597 MiB
        # allocatable; room = 169,597 - 2,048 - 90,112 (half the node) - 1,024 - 512 = 75,901 MiB < 134,571
        (
            "ct6e-standard-1t",
            "141107497984 bytes (131.4 GiB) do not fit the in-memory GCS FUSE file cache on pool 'small' "
            "(ct6e-standard-1t: 165.6 GiB allocatable, 88 GiB requested by the server, 1.5 GiB for GCS FUSE, 2 GiB "
            "for system pods); allowed: at most 79587966976 bytes (74.1 GiB) on ct6e-standard-1t, else a machine "
            "type with more memory",
        ),
        # 240 GB: 245,760 MiB - 11,837.44 - 100 = 233,822 allocatable; room 233,822 - 2,048 - 122,880 - 1,536
        # = 107,358 MiB: the 70B's HBM fits one TPU7x chip (108,032 tokens) but its weights do not fit the VM's cache
        (
            "tpu7x-standard-1t",
            "141107497984 bytes (131.4 GiB) do not fit the in-memory GCS FUSE file cache on pool 'small' "
            "(tpu7x-standard-1t: 228.3 GiB allocatable, 120 GiB requested by the server, 1.5 GiB for GCS FUSE, 2 GiB "
            "for system pods); allowed: at most 112573022208 bytes (104.8 GiB) on tpu7x-standard-1t, else a machine "
            "type with more memory",
        ),
        ("ct6e-standard-4t", None),  # 715,512 MiB allocatable: room 343,288 MiB
        ("tpu7x-standard-4t", None),  # 956,356 MiB allocatable: room 461,252 MiB
    ],
)
def test_each_generations_vm_memory_holds_the_weights_cache_or_is_refused(machine_type: str, message: str) -> None:
    from modules.serving.memory import cache_fit_error

    assert cache_fit_error("vllm", machine_type, "small", 141_107_497_984) == message
