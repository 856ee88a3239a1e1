"""Every bad config the kit refuses, each with its exact one-line message (field, value, what is allowed).

Each case patches the shipped example (with its pools removed) so that exactly one rule is broken.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from modules.config import ConfigError, parse_environment

EXAMPLE = yaml.safe_load((Path(__file__).resolve().parents[1] / "hfkit.yaml").read_text())


def tpu(**fields: Any) -> dict[str, Any]:
    return {"name": "tpu", "machine_type": "ct5lp-hightpu-8t", **fields}


def gpu(**fields: Any) -> dict[str, Any]:
    return {"name": "gpu", "machine_type": "g2-standard-8", **fields}


def config(**patch: Any) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLE)
    data.pop("tpu_pools")
    data.pop("gpu_pools")
    for key, value in patch.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) and isinstance(data.get(key), dict) else value
    return data


GCS_BACKEND = {"type": "gcs", "bucket": "hfkit-tfstate"}
COMMIT = "a" * 40


def deployment(**fields: Any) -> dict[str, Any]:
    path = f"gs://hfkit-example-project-weights/models/acme/llama/{COMMIT}/"
    base = {"name": "llama", "model": "acme/llama", "commit": COMMIT, "path": path, "pool": "gpu"}
    return {**base, "tensor_parallel_size": 1, "max_model_len": 4096, **fields}


CASES: dict[str, tuple[dict[str, Any], str]] = {
    "unknown_tpu": (
        config(tpu_pools=[tpu(machine_type="ct5lp-hightpu-2t")]),
        "tpu_pools[0].machine_type: 'ct5lp-hightpu-2t' is not a TPU v5e machine type; allowed: ct5lp-hightpu-1t, ct5lp-hightpu-4t, ct5lp-hightpu-8t, ct5l-hightpu-1t, ct5l-hightpu-4t, ct5l-hightpu-8t",
    ),
    "single_host_mismatch": (
        config(tpu_pools=[tpu(topology="2x2")]),
        "tpu_pools[0].topology: '2x2' is not a TPU v5e shape for ct5lp-hightpu-8t; allowed: 2x4 (single-host) or a multi-host slice on ct5lp-hightpu-4t: 4x4, 4x8, 8x8, 8x16, 16x16",
    ),
    "bad_shape": (
        config(tpu_pools=[tpu(machine_type="ct5lp-hightpu-4t", topology="4x6")]),
        "tpu_pools[0].topology: '4x6' is not a TPU v5e shape for ct5lp-hightpu-4t; allowed: 2x2 (single-host) or a multi-host slice on ct5lp-hightpu-4t: 4x4, 4x8, 8x8, 8x16, 16x16",
    ),
    "multi_on_8t": (
        config(tpu_pools=[tpu(topology="4x8")]),
        "tpu_pools[0].machine_type: 'ct5lp-hightpu-8t' cannot form multi-host topology 4x8; allowed: ct5lp-hightpu-4t (4 chips per VM)",
    ),
    "device_multi": (
        config(tpu_pools=[tpu(machine_type="ct5l-hightpu-4t", topology="4x4")]),
        "tpu_pools[0].machine_type: 'ct5l-hightpu-4t' (tpu-v5-lite-device) is single-host only, but topology 4x4 is multi-host; allowed: ct5lp-hightpu-4t for multi-host slices",
    ),
    "node_count_conflict": (
        config(tpu_pools=[tpu(machine_type="ct5lp-hightpu-4t", topology="4x8", node_count=4)]),
        "tpu_pools[0].node_count: 4 does not match topology 4x8 (32 chips / 4 per node); allowed: 8 (or leave it out: it is derived)",
    ),
    "multi_zones": (
        config(
            zones=["us-central1-a", "us-central1-b"],
            tpu_pools=[
                tpu(
                    machine_type="ct5lp-hightpu-4t",
                    topology="4x4",
                    zones=["us-central1-a", "us-central1-b"],
                    allow_unlisted_zone=True,
                )
            ],
        ),
        "tpu_pools[0].zones: ['us-central1-a', 'us-central1-b'] spans 2 zones but the pool uses COMPACT placement; allowed: exactly one zone",
    ),
    "multi_default_zones": (
        config(
            zones=["us-central1-a", "us-central1-b"], tpu_pools=[tpu(machine_type="ct5lp-hightpu-4t", topology="4x4")]
        ),
        "tpu_pools[0].zones: not set, so the pool would span the environment's zones ['us-central1-a', 'us-central1-b'], but multi-host slices and COMPACT placement need one zone; allowed: zones: [ONE_ZONE]",
    ),
    "compact_zones": (
        config(gpu_pools=[gpu(placement="COMPACT", zones=["us-central1-a", "us-central1-b"])]),
        "gpu_pools[0].zones: ['us-central1-a', 'us-central1-b'] spans 2 zones but the pool uses COMPACT placement; allowed: exactly one zone",
    ),
    "tpu_zone": (
        config(tpu_pools=[tpu(zones=["us-central1-b"])]),
        "tpu_pools[0].zones: 'us-central1-b' is not known to offer TPU v5e; allowed: europe-west4-b, us-central1-a, us-east5-a, us-east5-b, us-east5-c, us-south1-a, us-west1-c, us-west4-a (or set allow_unlisted_zone: true after checking availability)",
    ),
    "tpu_default_zone": (
        config(zones=["us-central1-f"], tpu_pools=[tpu()]),
        "tpu_pools[0].zones: not set, so the pool would use zone 'us-central1-f', which is not known to offer TPU v5e; allowed: europe-west4-b, us-central1-a, us-east5-a, us-east5-b, us-east5-c, us-south1-a, us-west1-c, us-west4-a (or allow_unlisted_zone: true)",
    ),
    "gpu_type": (
        config(gpu_pools=[gpu(accelerator={"type": "nvidia-h100-80gb", "count": 1})]),
        "gpu_pools[0].accelerator.type: 'nvidia-h100-80gb' does not pair with g2-standard-8; allowed: nvidia-l4 (g2-standard-8 carries 1 x nvidia-l4)",
    ),
    "gpu_count": (
        config(gpu_pools=[gpu(machine_type="g2-standard-24", accelerator={"type": "nvidia-l4", "count": 1})]),
        "gpu_pools[0].accelerator.count: 1 does not pair with g2-standard-24; allowed: 2 (g2-standard-24 carries 2 x nvidia-l4)",
    ),
    "gpu_unknown": (
        config(gpu_pools=[gpu(machine_type="n1-standard-8")]),
        "gpu_pools[0].machine_type: 'n1-standard-8' is not a GPU machine type the kit knows; allowed: g2-standard-4, g2-standard-8, g2-standard-12, g2-standard-16, g2-standard-24, g2-standard-32, g2-standard-48, g2-standard-96, a2-highgpu-1g, a2-highgpu-2g, a2-highgpu-4g, a2-highgpu-8g, a2-ultragpu-1g, a2-ultragpu-2g, a2-ultragpu-4g, a2-ultragpu-8g, a3-highgpu-8g, a3-megagpu-8g, a3-ultragpu-8g",
    ),
    "dws_res": (
        config(
            gpu_pools=[
                gpu(queued_provisioning=True, reservation={"name": "r1"}, autoscaling={"min_nodes": 0, "max_nodes": 2})
            ]
        ),
        "gpu_pools[0].queued_provisioning: true conflicts with reservation 'r1'; allowed: DWS queued provisioning needs NO_RESERVATION",
    ),
    "dws_min": (
        config(gpu_pools=[gpu(queued_provisioning=True, autoscaling={"min_nodes": 1, "max_nodes": 2})]),
        "gpu_pools[0].queued_provisioning: true needs autoscaling with min_nodes 0, got min_nodes 1; allowed: autoscaling.min_nodes: 0",
    ),
    "dws_noauto": (
        config(gpu_pools=[gpu(queued_provisioning=True)]),
        "gpu_pools[0].queued_provisioning: true needs autoscaling with min_nodes 0, got no autoscaling; allowed: autoscaling.min_nodes: 0",
    ),
    "dws_compact": (
        config(
            gpu_pools=[gpu(queued_provisioning=True, placement="COMPACT", autoscaling={"min_nodes": 0, "max_nodes": 2})]
        ),
        "gpu_pools[0].queued_provisioning: true conflicts with COMPACT placement; allowed: DWS queued provisioning without placement",
    ),
    "dws_multihost": (
        config(
            tpu_pools=[
                tpu(
                    machine_type="ct5lp-hightpu-4t",
                    topology="4x4",
                    queued_provisioning=True,
                    autoscaling={"min_nodes": 0, "max_nodes": 4},
                )
            ]
        ),
        "tpu_pools[0].queued_provisioning: true conflicts with COMPACT placement; allowed: DWS queued provisioning without placement",
    ),
    "spot_res": (
        config(gpu_pools=[gpu(spot=True, reservation={"name": "r1"})]),
        "gpu_pools[0].spot: true conflicts with reservation 'r1'; allowed: spot or a reservation, not both",
    ),
    "flex_spot": (
        config(gpu_pools=[gpu(spot=True, flex_start=True)]),
        "gpu_pools[0].flex_start: true conflicts with spot: true; allowed: flex-start VMs are never spot",
    ),
    "min_gt_max": (
        config(gpu_pools=[gpu(autoscaling={"min_nodes": 3, "max_nodes": 2})]),
        "gpu_pools[0].autoscaling.min_nodes: 3 is greater than autoscaling.max_nodes 2; allowed: min_nodes <= max_nodes",
    ),
    "multi_autoscale": (
        config(
            tpu_pools=[
                tpu(machine_type="ct5lp-hightpu-4t", topology="4x8", autoscaling={"min_nodes": 0, "max_nodes": 4})
            ]
        ),
        "tpu_pools[0].autoscaling: min_nodes 0 / max_nodes 4 would split a 4x8 slice; allowed: max_nodes 8 with min_nodes 0 or 8 (a slice is atomic)",
    ),
    "dup": (
        config(tpu_pools=[tpu(name="a")], gpu_pools=[gpu(name="a")]),
        "gpu_pools[0].name: 'a' is already used by tpu_pools[0]; allowed: a name unique across all pools",
    ),
    "bucket_upper": (
        config(weights_bucket={"name": "My_Bucket"}),
        "weights_bucket.name: 'My_Bucket' is not a valid bucket name; allowed: 3-63 lowercase letters, digits, - and _, starting and ending with a letter or digit",
    ),
    "bucket_google": (
        config(weights_bucket={"name": "google-weights"}),
        "weights_bucket.name: 'google-weights' is not allowed: GCS reserves names starting with 'goog' or containing 'google'; allowed: any other valid name",
    ),
    "bucket_dots": (
        config(weights_bucket={"name": "weights.example.com"}),
        "weights_bucket.name: 'weights.example.com' is not allowed: dotted bucket names need domain verification; allowed: 3-63 lowercase letters, digits, - and _",
    ),
    "bucket_short": (
        config(weights_bucket={"name": "ab"}),
        "weights_bucket.name: 'ab' is not a valid bucket name; allowed: 3-63 lowercase letters, digits, - and _, starting and ending with a letter or digit",
    ),
    "bucket_long": (
        config(weights_bucket={"name": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}),
        "weights_bucket.name: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is too long to derive its access-log bucket 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-access-logs'; allowed: at most 51 characters",
    ),
    "tpu_disk": (
        config(tpu_pools=[tpu(disk_type="pd-standard")]),
        "tpu_pools[0].disk_type: 'pd-standard' is not a TPU boot disk; allowed: pd-balanced, pd-ssd",
    ),
    "zone_region": (
        config(zones=["us-east5-a"]),
        "zones[0]: 'us-east5-a' is not in region us-central1; allowed: us-central1-*",
    ),
    "bad_project": (
        config(project="My_Project"),
        "project: 'My_Project' is not a valid project ID; allowed: 6-30 lowercase letters, digits and hyphens, starting with a letter",
    ),
    "overlap": (
        config(network={"pods_cidr": "10.8.0.0/14"}),
        "network.pods_cidr: '10.8.0.0/14' overlaps subnet_cidr '10.10.0.0/20'; allowed: non-overlapping ranges",
    ),
    "master28": (
        config(network={"master_cidr": "172.16.0.0/24"}),
        "network.master_cidr: '172.16.0.0/24' is a /24; allowed: a /28 block",
    ),
    "typo": (
        config(tpu_pools=[tpu(topolgy="2x4")]),
        "tpu_pools[0].topolgy: unknown field; check the spelling against the config reference in README.md",
    ),
    "driver": (
        config(gpu_pools=[gpu(driver_version="535")]),
        "gpu_pools[0].driver_version: '535' is not a GKE driver version; allowed: DEFAULT, LATEST, INSTALLATION_DISABLED",
    ),
    "ksa": (
        config(identities={"serving": {"kubernetes_service_accounts": ["model-server"]}}),
        "identities.serving.kubernetes_service_accounts[0]: 'model-server' is not a valid Kubernetes service account; allowed: NAMESPACE/NAME in lowercase DNS-label form",
    ),
    "member": (
        config(identities={"stager": {"members": ["alice@example.com"]}}),
        "identities.stager.members[0]: 'alice@example.com' is not a valid IAM member; allowed: user:EMAIL, group:EMAIL, serviceAccount:EMAIL or domain:DOMAIN",
    ),
    "label": (
        config(labels={"Team": "x"}),
        "labels: label key 'Team' is not allowed; allowed: 1-63 lowercase letters, digits, _ and -, starting with a letter",
    ),
    "channel": (
        config(cluster={"release_channel": "FAST"}),
        "cluster.release_channel: 'FAST' is not allowed; input should be 'RAPID', 'REGULAR' or 'STABLE'",
    ),
    "topology_fmt": (
        config(tpu_pools=[tpu(topology="2by4")]),
        "tpu_pools[0].topology: '2by4' is not a topology; allowed: AxB, e.g. 2x4 or 4x8",
    ),
    "ci_repository": (
        config(backend=GCS_BACKEND, ci={"github_repository": "ml-infra"}),
        "ci.github_repository: 'ml-infra' is not a valid GitHub repository; allowed: OWNER/REPO, e.g. octo-org/ml-infra",
    ),
    "ci_no_state_bucket": (
        config(ci={"github_repository": "octo-org/ml-infra"}),
        "ci.state_bucket: not set and backend.type is 'local'; allowed: a bucket name, or backend: {type: gcs, bucket: NAME}",
    ),
    "ci_other_state_bucket": (
        config(backend=GCS_BACKEND, ci={"github_repository": "octo-org/ml-infra", "state_bucket": "other-tfstate"}),
        "ci.state_bucket: 'other-tfstate' differs from backend.bucket 'hfkit-tfstate'; allowed: 'hfkit-tfstate' (the bucket the other stacks keep state in) or leave it out",
    ),
    "ci_account_clash": (
        config(backend=GCS_BACKEND, ci={"github_repository": "octo-org/ml-infra", "apply_account_id": "hfkit-stager"}),
        "ci.apply_account_id: 'hfkit-stager' is already used by identities.stager.account_id; allowed: a distinct service account ID",
    ),
    "ci_plan_apply_same": (
        config(
            backend=GCS_BACKEND,
            ci={"github_repository": "octo-org/ml-infra", "plan_account_id": "hfkit-ci", "apply_account_id": "hfkit-ci"},
        ),
        "ci.apply_account_id: 'hfkit-ci' is already used by ci.plan_account_id; allowed: a distinct service account ID",
    ),
    "ci_pool_id": (
        config(backend=GCS_BACKEND, ci={"github_repository": "octo-org/ml-infra", "pool_id": "gcp-github"}),
        "ci.pool_id: 'gcp-github' is not a valid workload identity pool ID; allowed: 4-32 lowercase letters, digits and hyphens, not starting with gcp-",
    ),
    "ci_environment": (
        config(backend=GCS_BACKEND, ci={"github_repository": "octo-org/ml-infra", "environment": "prod env"}),
        "ci.environment: 'prod env' is not a valid GitHub environment name; allowed: letters, digits, '.', '_' and '-'",
    ),
    "deploy_unknown_pool": (
        config(gpu_pools=[gpu()], deployments=[deployment(pool="a100")]),
        "deployments[0].pool: 'a100' is not a pool of this environment; allowed: gpu",
    ),
    "deploy_tgi_on_tpu": (
        config(tpu_pools=[tpu()], deployments=[deployment(pool="tpu", engine="tgi", tensor_parallel_size=8)]),
        "deployments[0].engine: 'tgi' does not run on TPU pool 'tpu'; allowed: vllm (TGI needs a GPU pool)",
    ),
    "deploy_multi_host": (
        config(
            tpu_pools=[tpu(machine_type="ct5lp-hightpu-4t", topology="4x8")],
            deployments=[deployment(pool="tpu", tensor_parallel_size=32)],
        ),
        "deployments[0].pool: 'tpu' is a multi-host TPU slice (4x8) and vLLM on TPU on GKE is single-host; allowed: a single-host TPU pool (1x1, 2x2, 2x4) or a GPU pool",
    ),
    "deploy_tp_tpu": (
        config(tpu_pools=[tpu()], deployments=[deployment(pool="tpu", tensor_parallel_size=4)]),
        "deployments[0].tensor_parallel_size: 4 does not match pool 'tpu' (8 chips); allowed: 8 (vLLM shards over every chip of the slice)",
    ),
    "deploy_tp_gpu": (
        config(gpu_pools=[gpu()], deployments=[deployment(tensor_parallel_size=2)]),
        "deployments[0].tensor_parallel_size: 2 exceeds the 1 GPU(s) per node of pool 'gpu'; allowed: 1 to 1",
    ),
    "deploy_duplicate": (
        config(gpu_pools=[gpu()], deployments=[deployment(), deployment()]),
        "deployments[1].name: 'llama' is already used by deployments[0]; allowed: a name unique across deployments",
    ),
    "deploy_other_bucket": (
        config(gpu_pools=[gpu()], deployments=[deployment(path=f"gs://other/models/acme/llama/{COMMIT}/")]),
        f"deployments[0].path: 'gs://other/models/acme/llama/{COMMIT}/' is not in the weights bucket; allowed: gs://hfkit-example-project-weights/...",
    ),
    "deploy_path_commit": (
        config(
            gpu_pools=[gpu()], deployments=[deployment(path="gs://hfkit-example-project-weights/models/acme/llama/")]
        ),
        f"deployments[0].path: 'gs://hfkit-example-project-weights/models/acme/llama/' is not the staged folder of acme/llama at {COMMIT}; allowed: gs://BUCKET/PREFIX/acme/llama/{COMMIT}/",
    ),
    "deploy_commit": (
        config(gpu_pools=[gpu()], deployments=[deployment(commit="main")]),
        "deployments[0].commit: 'main' is not a valid commit; allowed: 40 lowercase hex digits",
    ),
    "deploy_replicas": (
        config(gpu_pools=[gpu()], deployments=[deployment(replicas={"min": 3, "max": 1})]),
        "deployments[0].replicas.min: 3 is greater than max 1; allowed: min <= max",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_config_is_refused_with_its_exact_message(case: str) -> None:
    data, expected = CASES[case]
    with pytest.raises(ConfigError) as caught:
        parse_environment(data)
    assert caught.value.errors == [expected]


def test_every_error_is_one_line_naming_field_and_allowed_values() -> None:
    for _data, expected in CASES.values():
        assert "\n" not in expected
        assert ": " in expected and ("allowed" in expected or "unknown field" in expected)


def test_several_problems_are_all_reported() -> None:
    data = config(
        project="Bad_Project",
        tpu_pools=[tpu(machine_type="ct5lp-hightpu-2t")],
        gpu_pools=[gpu(autoscaling={"min_nodes": 3, "max_nodes": 1})],
    )
    with pytest.raises(ConfigError) as caught:
        parse_environment(data)
    fields = [line.split(":", 1)[0] for line in caught.value.errors]
    assert fields == ["project", "tpu_pools[0].machine_type", "gpu_pools[0].autoscaling.min_nodes"]
