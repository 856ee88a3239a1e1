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
KEY = "projects/hfkit-example-project/locations/{location}/keyRings/hfkit/cryptoKeys/weights"
COMMIT = "a" * 40


def deployment(**fields: Any) -> dict[str, Any]:
    path = f"gs://hfkit-example-project-weights/models/acme/llama/{COMMIT}/"
    base = {"name": "llama", "model": "acme/llama", "commit": COMMIT, "path": path, "pool": "gpu"}
    return {**base, "tensor_parallel_size": 1, "max_model_len": 4096, **fields}


CASES: dict[str, tuple[dict[str, Any], str]] = {
    "unknown_tpu": (
        config(tpu_pools=[tpu(machine_type="ct5lp-hightpu-2t")]),
        "tpu_pools[0].machine_type: 'ct5lp-hightpu-2t' is not a TPU machine type the kit knows; allowed: ct5lp-hightpu-1t, ct5lp-hightpu-4t, ct5lp-hightpu-8t, ct5l-hightpu-1t, ct5l-hightpu-4t, ct5l-hightpu-8t, ct6e-standard-1t, ct6e-standard-4t, ct6e-standard-8t, tpu7x-standard-1t, tpu7x-standard-4t",
    ),
    "single_host_mismatch": (
        config(tpu_pools=[tpu(topology="2x2")]),
        "tpu_pools[0].topology: '2x2' is not a TPU v5e shape for ct5lp-hightpu-8t; allowed: 2x4 (single-host) or a multi-host slice on ct5lp-hightpu-4t: 2x4, 4x4, 4x8, 8x8, 8x16, 16x16",
    ),
    "bad_shape": (
        config(tpu_pools=[tpu(machine_type="ct5lp-hightpu-4t", topology="4x6")]),
        "tpu_pools[0].topology: '4x6' is not a TPU v5e shape for ct5lp-hightpu-4t; allowed: 2x2 (single-host) or a multi-host slice on ct5lp-hightpu-4t: 2x4, 4x4, 4x8, 8x8, 8x16, 16x16",
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
        "tpu_pools[0].zones: 'us-central1-b' does not offer tpu-v5-lite-podslice (ct5lp-hightpu-8t) in the kit's zone catalog; allowed: us-central1-a (or allow_unlisted_zone: true after checking availability)",
    ),
    "tpu_default_zone": (
        config(zones=["us-central1-f"], tpu_pools=[tpu()]),
        "tpu_pools[0].zones: not set, so the pool would use zone 'us-central1-f', which does not offer tpu-v5-lite-podslice (ct5lp-hightpu-8t) in the kit's zone catalog; allowed: us-central1-a (or allow_unlisted_zone: true after checking availability)",
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
        "gpu_pools[0].machine_type: 'n1-standard-8' is not a GPU machine type the kit knows; allowed: g2-standard-4, g2-standard-8, g2-standard-12, g2-standard-16, g2-standard-24, g2-standard-32, g2-standard-48, g2-standard-96, a2-highgpu-1g, a2-highgpu-2g, a2-highgpu-4g, a2-highgpu-8g, a2-ultragpu-1g, a2-ultragpu-2g, a2-ultragpu-4g, a2-ultragpu-8g, a3-highgpu-8g, a3-megagpu-8g, a3-ultragpu-8g, a3-highgpu-1g, a3-highgpu-2g, a3-highgpu-4g, a4-highgpu-8g, g4-standard-48, g4-standard-96, g4-standard-192, g4-standard-384",
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
        "weights_bucket.name: 'My_Bucket' is not a valid bucket name; allowed: 3-51 lowercase letters, digits, - and _, starting and ending with a letter or digit",
    ),
    "bucket_google": (
        config(weights_bucket={"name": "google-weights"}),
        "weights_bucket.name: 'google-weights' is not allowed: GCS reserves names starting with 'goog' or containing 'google'; allowed: any other valid name",
    ),
    "bucket_dots": (
        config(weights_bucket={"name": "weights.example.com"}),
        "weights_bucket.name: 'weights.example.com' is not allowed: dotted bucket names need domain verification; allowed: 3-51 lowercase letters, digits, - and _",
    ),
    "bucket_short": (
        config(weights_bucket={"name": "ab"}),
        "weights_bucket.name: 'ab' is not a valid bucket name; allowed: 3-51 lowercase letters, digits, - and _, starting and ending with a letter or digit",
    ),
    "bucket_long": (
        config(weights_bucket={"name": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}),
        "weights_bucket.name: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is too long to derive its bucket 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-access-logs'; allowed: at most 51 characters",
    ),
    "tpu_disk": (
        config(tpu_pools=[tpu(disk_type="pd-standard")]),
        "tpu_pools[0].disk_type: 'pd-standard' is not a boot disk of TPU v5e; allowed: pd-balanced, pd-ssd",
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
        "cluster.release_channel: 'FAST' is not allowed; input should be 'RAPID', 'REGULAR', 'STABLE' or 'EXTENDED'",
    ),
    "topology_fmt": (
        config(tpu_pools=[tpu(topology="2by4")]),
        "tpu_pools[0].topology: '2by4' is not a TPU v5e topology; allowed: AxB, e.g. 2x4 or 4x8",
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
            ci={
                "github_repository": "octo-org/ml-infra",
                "plan_account_id": "hfkit-ci",
                "apply_account_id": "hfkit-ci",
            },
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
        "deployments[0].pool: 'tpu' is a multi-host TPU slice (4x8) and the serving stack runs one pod per node, while vLLM across a slice's hosts needs one pod per host joined by Ray (a LeaderWorkerSet), which it does not build; allowed: a single-host TPU pool (1x1, 2x2, 2x4) or a GPU pool",
    ),
    "deploy_tp_tpu": (
        config(tpu_pools=[tpu()], deployments=[deployment(pool="tpu", tensor_parallel_size=4)]),
        "deployments[0].tensor_parallel_size: 4 does not match pool 'tpu' (8 chips); allowed: 8 (vLLM shards over every chip of the slice)",
    ),
    "deploy_tp_tpu7x": (
        # tpu-inference shards over JAX devices, two per TPU7x chip (modules/catalog/engines.py TPU_DEVICES_PER_CHIP)
        config(
            cluster={"min_master_version": "1.34.0-gke.2201000"},
            tpu_pools=[tpu(machine_type="tpu7x-standard-4t", zones=["us-central1-c"])],
            deployments=[deployment(pool="tpu", tensor_parallel_size=4)],
        ),
        "deployments[0].tensor_parallel_size: 4 does not match pool 'tpu' (4 chips, 8 devices); allowed: 8 (vLLM shards over every device, 2 per chip)",
    ),
    "deploy_multi_host_tpu7x": (
        config(
            cluster={"min_master_version": "1.34.0-gke.2201000"},
            tpu_pools=[tpu(machine_type="tpu7x-standard-4t", topology="2x2x2", zones=["us-central1-c"])],
            deployments=[deployment(pool="tpu", tensor_parallel_size=16)],
        ),
        "deployments[0].pool: 'tpu' is a multi-host TPU slice (2x2x2) and the serving stack runs one pod per node, while vLLM across a slice's hosts needs one pod per host joined by Ray (a LeaderWorkerSet), which it does not build; allowed: a single-host TPU pool (1x1x1, 2x2x1) or a GPU pool",
    ),
    "deploy_multi_host_v6e": (
        config(
            cluster={"min_master_version": "1.31.2-gke.1115000"},
            tpu_pools=[tpu(machine_type="ct6e-standard-4t", topology="4x4", zones=["us-central1-b"])],
            deployments=[deployment(pool="tpu", tensor_parallel_size=16)],
        ),
        "deployments[0].pool: 'tpu' is a multi-host TPU slice (4x4) and the serving stack runs one pod per node, while vLLM across a slice's hosts needs one pod per host joined by Ray (a LeaderWorkerSet), which it does not build; allowed: a single-host TPU pool (1x1, 2x2, 2x4) or a GPU pool",
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
    "region_unknown": (
        config(region="us-centrl1", zones=["us-centrl1-a"]),
        "region: 'us-centrl1' is not a region the kit knows; allowed: us-central1, us-east1, us-east4, us-east5, us-south1, us-west1, us-west4, europe-west4 (or allow_unlisted_region: true after checking the name); did you mean us-central1?",
    ),
    # The opt-out takes any region of `gcloud compute regions list` (43 on 2026-01-09), never a name Google lacks.
    "region_unlisted_but_nonexistent": (
        config(region="us-centrl1", zones=["us-centrl1-a"], allow_unlisted_region=True),
        "region: 'us-centrl1' is not a Google Cloud region, so allow_unlisted_region cannot take it; allowed: one of the 43 regions of `gcloud compute regions list` (modules/catalog/locations.py); did you mean us-central1?",
    ),
    "region_unlisted_far_off": (
        config(region="mars-north1", zones=["mars-north1-a"], allow_unlisted_region=True),
        "region: 'mars-north1' is not a Google Cloud region, so allow_unlisted_region cannot take it; allowed: one of the 43 regions of `gcloud compute regions list` (modules/catalog/locations.py)",
    ),
    "zone_syntax": (
        config(zones=["us-central1-ai1"]),
        "zones[0]: 'us-central1-ai1' is not a valid zone; allowed: a zone such as us-central1-a, or an AI zone such as us-central1-ai1a",
    ),
    # AI zones are valid names but not in the zone catalog: a pool there needs allow_unlisted_zone.
    "ai_zone_unlisted": (
        config(gpu_pools=[gpu(zones=["us-central1-ai1a"])]),
        "gpu_pools[0].zones: 'us-central1-ai1a' does not offer nvidia-l4 (g2-standard-8) in the kit's zone catalog; allowed: us-central1-a, us-central1-b, us-central1-c (or allow_unlisted_zone: true after checking availability)",
    ),
    "zone_unknown": (
        config(zones=["us-central1-d"]),
        "zones[0]: 'us-central1-d' is not a zone of us-central1 the kit knows; allowed: us-central1-a, us-central1-b, us-central1-c, us-central1-f (or allow_unlisted_region: true after checking the name)",
    ),
    # Zone expectations: the recorded GPU regions-and-zones page (cloud-atlas fixture @bec943e8) lists A3 Ultra in
    # us-central1 only in us-central1-b, A3 High not in europe-west4-a; Google's TPU zone list names v5e in us-east5
    # only as single-tenant capacity (left out); no zone-level source read lists G4 in us-east5, or ct5l anywhere.
    "gpu_zone": (
        config(gpu_pools=[gpu(machine_type="a3-ultragpu-8g", spot=True)]),
        "gpu_pools[0].zones: not set, so the pool would use zone 'us-central1-a', which does not offer nvidia-h200-141gb (a3-ultragpu-8g) in the kit's zone catalog; allowed: us-central1-b (or allow_unlisted_zone: true after checking availability)",
    ),
    "h100_zone": (
        config(region="europe-west4", zones=["europe-west4-a"], gpu_pools=[gpu(machine_type="a3-highgpu-8g")]),
        "gpu_pools[0].zones: not set, so the pool would use zone 'europe-west4-a', which does not offer nvidia-h100-80gb (a3-highgpu-8g) in the kit's zone catalog; allowed: europe-west4-b, europe-west4-c (or allow_unlisted_zone: true after checking availability)",
    ),
    "v5e_single_tenant_zone": (
        config(region="us-east5", zones=["us-east5-a"], tpu_pools=[tpu()]),
        "tpu_pools[0].zones: not set, so the pool would use zone 'us-east5-a', which does not offer tpu-v5-lite-podslice (ct5lp-hightpu-8t) in the kit's zone catalog; allowed: no zone of us-east5 (or allow_unlisted_zone: true after checking availability)",
    ),
    "g4_region_only": (
        config(region="us-east5", zones=["us-east5-a"], gpu_pools=[gpu(machine_type="g4-standard-48")]),
        "gpu_pools[0].zones: not set, so the pool would use zone 'us-east5-a', which does not offer nvidia-rtx-pro-6000 (g4-standard-48) in the kit's zone catalog; allowed: no zone of us-east5 (or allow_unlisted_zone: true after checking availability)",
    ),
    "ct5l_no_zone": (
        config(tpu_pools=[tpu(machine_type="ct5l-hightpu-8t")]),
        "tpu_pools[0].zones: not set, so the pool would use zone 'us-central1-a', which does not offer tpu-v5-lite-device (ct5l-hightpu-8t) in the kit's zone catalog; allowed: no zone of us-central1 (or allow_unlisted_zone: true after checking availability)",
    ),
    # accelerator-optimized-machines (2026-04-13): A4 and A3 Ultra need a reservation, spot, flex-start or a MIG
    # resize request; a3-highgpu-1g/2g/4g need spot or flex-start (gpuhunt drops these on-demand offers too).
    "a4_on_demand": (
        config(zones=["us-central1-b"], gpu_pools=[gpu(machine_type="a4-highgpu-8g")]),
        "gpu_pools[0].machine_type: 'a4-highgpu-8g' is not offered as on-demand; allowed: spot, reservation, flex-start, queued-provisioning",
    ),
    "a3_ultra_on_demand": (
        config(zones=["us-central1-b"], gpu_pools=[gpu(machine_type="a3-ultragpu-8g")]),
        "gpu_pools[0].machine_type: 'a3-ultragpu-8g' is not offered as on-demand; allowed: spot, reservation, flex-start, queued-provisioning",
    ),
    "a3_high_4g_on_demand": (
        config(gpu_pools=[gpu(machine_type="a3-highgpu-4g")]),
        "gpu_pools[0].machine_type: 'a3-highgpu-4g' is not offered as on-demand; allowed: spot, flex-start, queued-provisioning",
    ),
    "a3_high_1g_reservation": (
        config(gpu_pools=[gpu(machine_type="a3-highgpu-1g", reservation={"name": "r1"})]),
        "gpu_pools[0].machine_type: 'a3-highgpu-1g' is not offered as reservation; allowed: spot, flex-start, queued-provisioning",
    ),
    # Cluster Toolkit gke-node-pool main.tf @10470803: queued provisioning with spot (lines 431-434), and COMPACT
    # with flex-start outside A3 Ultra, A4 (lines 452-459), are refused.
    "queued_spot": (
        config(gpu_pools=[gpu(queued_provisioning=True, spot=True, autoscaling={"min_nodes": 0, "max_nodes": 2})]),
        "gpu_pools[0].queued_provisioning: true conflicts with spot: true; allowed: DWS queued provisioning or spot, not both",
    ),
    "flex_compact_g2": (
        config(gpu_pools=[gpu(flex_start=True, placement="COMPACT", autoscaling={"min_nodes": 0, "max_nodes": 2})]),
        "gpu_pools[0].placement: COMPACT conflicts with flex_start: true on G2 machines (g2-standard-8); allowed: no placement, or COMPACT with flex-start on A3 Ultra or A4 machines",
    ),
    # accelerator-optimized-machines: g4-standard-6 carries 1/8 of an RTX PRO 6000 (vGPU, Preview); left out.
    "g4_fractional": (
        config(gpu_pools=[gpu(machine_type="g4-standard-6")]),
        "gpu_pools[0].machine_type: 'g4-standard-6' is a fractional G4 shape (1/8 of an nvidia-rtx-pro-6000 vGPU, GKE Preview) the kit does not size or serve; allowed: a whole-GPU G4 shape (g4-standard-48, g4-standard-96, g4-standard-192, g4-standard-384) or another GPU machine type the kit knows",
    ),
    "tpu_device_zone": (
        config(region="us-west4", zones=["us-west4-a"], tpu_pools=[tpu(machine_type="ct5l-hightpu-4t")]),
        "tpu_pools[0].zones: not set, so the pool would use zone 'us-west4-a', which does not offer tpu-v5-lite-device (ct5l-hightpu-4t) in the kit's zone catalog; allowed: no zone of us-west4 (or allow_unlisted_zone: true after checking availability)",
    ),
    "gpu_disk_hyperdisk_only": (
        config(zones=["us-central1-b"], gpu_pools=[gpu(machine_type="a4-highgpu-8g", disk_type="pd-ssd", spot=True)]),
        "gpu_pools[0].disk_type: 'pd-ssd' is not a boot disk of A4 machines (a4-highgpu-8g); allowed: hyperdisk-balanced",
    ),
    "gpu_disk_g2_standard": (
        config(gpu_pools=[gpu(disk_type="pd-standard")]),
        "gpu_pools[0].disk_type: 'pd-standard' is not a boot disk of G2 machines (g2-standard-8); allowed: pd-balanced, pd-ssd",
    ),
    "flex_fixed": (
        config(gpu_pools=[gpu(flex_start=True, node_count=2)]),
        "gpu_pools[0].flex_start: true needs autoscaling from zero, got a fixed node_count 2; allowed: autoscaling: {min_nodes: 0, max_nodes: N}",
    ),
    "flex_noauto": (
        config(gpu_pools=[gpu(flex_start=True)]),
        "gpu_pools[0].flex_start: true needs autoscaling from zero, got no autoscaling; allowed: autoscaling: {min_nodes: 0, max_nodes: N}",
    ),
    "flex_min": (
        config(gpu_pools=[gpu(flex_start=True, autoscaling={"min_nodes": 1, "max_nodes": 2})]),
        "gpu_pools[0].flex_start: true needs autoscaling from zero, got min_nodes 1; allowed: autoscaling: {min_nodes: 0, max_nodes: N}",
    ),
    "bucket_location": (
        config(weights_bucket={"location": "US-CENTRAL"}),
        "weights_bucket.location: 'US-CENTRAL' is not a Cloud Storage location; allowed: a Google Cloud region such as us-central1 (`gcloud compute regions list`), a multi-region (US, EU, ASIA) or a predefined dual-region (ASIA1, EUR4, EUR5, EUR7, EUR8, NAM4); did you mean us-central1?",
    ),
    # Region-shaped but no such region (the 43 of `gcloud compute regions list`, 2026-01-09).
    "bucket_location_misspelled": (
        config(weights_bucket={"location": "us-centrl1"}),
        "weights_bucket.location: 'us-centrl1' is not a Cloud Storage location; allowed: a Google Cloud region such as us-central1 (`gcloud compute regions list`), a multi-region (US, EU, ASIA) or a predefined dual-region (ASIA1, EUR4, EUR5, EUR7, EUR8, NAM4); did you mean us-central1?",
    ),
    "bucket_location_no_such_dual_region": (
        config(weights_bucket={"location": "NAM5"}),
        "weights_bucket.location: 'NAM5' is not a Cloud Storage location; allowed: a Google Cloud region such as us-central1 (`gcloud compute regions list`), a multi-region (US, EU, ASIA) or a predefined dual-region (ASIA1, EUR4, EUR5, EUR7, EUR8, NAM4); did you mean NAM4?",
    ),
    "bucket_location_zone": (
        config(weights_bucket={"location": "us-central1-a"}),
        "weights_bucket.location: 'us-central1-a' is not a Cloud Storage location; allowed: a Google Cloud region such as us-central1 (`gcloud compute regions list`), a multi-region (US, EU, ASIA) or a predefined dual-region (ASIA1, EUR4, EUR5, EUR7, EUR8, NAM4); did you mean us-central1?",
    ),
    "state_bucket_name": (
        config(backend=GCS_BACKEND, ci={"github_repository": "octo-org/ml-infra", "state_bucket": "State"}),
        "ci.state_bucket: 'State' is not a valid bucket name; allowed: 3-51 lowercase letters, digits, - and _, starting and ending with a letter or digit",
    ),
    "backend_bucket_name": (
        config(backend={"type": "gcs", "bucket": "State"}),
        "backend.gcs.bucket: 'State' is not a valid bucket name; allowed: 3-63 lowercase letters, digits, - and _, starting and ending with a letter or digit",
    ),
    "kms_region": (
        config(weights_bucket={"kms_key": KEY.format(location="us-west4")}),
        "weights_bucket.kms_key: 'projects/hfkit-example-project/locations/us-west4/keyRings/hfkit/cryptoKeys/weights' is in location 'us-west4' but the bucket is in 'us-central1'; allowed: a key in locations/us-central1 (Cloud Storage uses keys in the bucket's own location)",
    ),
    "kms_multi_region": (
        config(weights_bucket={"location": "US", "kms_key": KEY.format(location="us-central1")}),
        "weights_bucket.kms_key: 'projects/hfkit-example-project/locations/us-central1/keyRings/hfkit/cryptoKeys/weights' is in location 'us-central1' but the bucket is in 'us'; allowed: a key in locations/us (Cloud Storage uses keys in the bucket's own location)",
    ),
    "identity_stager_serving": (
        config(identities={"stager": {"account_id": "hfkit-ml"}, "serving": {"account_id": "hfkit-ml"}}),
        "identities.serving.account_id: 'hfkit-ml' is already used by identities.stager.account_id; allowed: a distinct service account ID",
    ),
    "identity_node_account": (
        config(identities={"stager": {"account_id": "hfkit-dev-nodes"}}),
        "identities.stager.account_id: 'hfkit-dev-nodes' is already used by the node service account of cluster.name; allowed: a distinct service account ID",
    ),
    "identity_ci_node": (
        config(
            cluster={"name": "hfkit-ci"},
            backend=GCS_BACKEND,
            ci={"github_repository": "octo-org/ml-infra", "plan_account_id": "hfkit-ci-nodes"},
        ),
        "ci.plan_account_id: 'hfkit-ci-nodes' is already used by the node service account of cluster.name; allowed: a distinct service account ID",
    ),
    "state_is_weights": (
        config(
            backend={"type": "gcs", "bucket": "hfkit-example-project-weights"},
            ci={"github_repository": "octo-org/ml-infra"},
        ),
        "backend.bucket: 'hfkit-example-project-weights' makes bucket 'hfkit-example-project-weights', which weights_bucket.name already makes; allowed: a distinct bucket name (state and weights never share a bucket)",
    ),
    "state_is_weights_without_ci": (
        config(backend={"type": "gcs", "bucket": "hfkit-example-project-weights-xla-cache"}),
        "backend.bucket: 'hfkit-example-project-weights-xla-cache' is a bucket weights_bucket.name already makes; allowed: a distinct bucket name (state and weights never share a bucket)",
    ),
    "state_is_weights_logs": (
        config(
            backend={"type": "gcs", "bucket": "hfkit-example-project-weights-access-logs"},
            ci={"github_repository": "octo-org/ml-infra"},
        ),
        "backend.bucket: 'hfkit-example-project-weights-access-logs' makes bucket 'hfkit-example-project-weights-access-logs', which weights_bucket.name already makes; allowed: a distinct bucket name (state and weights never share a bucket)",
    ),
    "state_bucket_long": (
        config(backend={"type": "gcs", "bucket": "s" * 52}, ci={"github_repository": "octo-org/ml-infra"}),
        "backend.bucket: 'ssssssssssssssssssssssssssssssssssssssssssssssssssss' is too long to derive its bucket 'ssssssssssssssssssssssssssssssssssssssssssssssssssss-access-logs'; allowed: at most 51 characters",
    ),
    "reservation_project": (
        config(gpu_pools=[gpu(reservation={"name": "r1", "project": "Other_Project"})]),
        "gpu_pools[0].reservation.project: 'Other_Project' is not a valid project ID; allowed: 6-30 lowercase letters, digits and hyphens, starting with a letter",
    ),
    "cidr_bare": (
        config(network={"master_authorized_networks": [{"name": "me", "cidr": "203.0.113.7"}]}),
        "network.master_authorized_networks[0].cidr: '203.0.113.7' is a bare address, not a CIDR block; allowed: a.b.c.d/n with the host bits zero, e.g. 203.0.113.7/32",
    ),
    "cidr_netmask": (
        config(network={"subnet_cidr": "10.10.0.0/255.255.240.0"}),
        "network.subnet_cidr: '10.10.0.0/255.255.240.0' uses a netmask, not a prefix length; allowed: a.b.c.d/n with the host bits zero, e.g. 10.10.0.0/20",
    ),
    "cidr_host_bits": (
        config(network={"pods_cidr": "10.16.0.1/14"}),
        "network.pods_cidr: '10.16.0.1/14' has host bits set; allowed: 10.16.0.0/14 (a.b.c.d/n with the host bits zero)",
    ),
    "cidr_leading_zero": (
        config(network={"services_cidr": "10.20.0.0/020"}),
        "network.services_cidr: '10.20.0.0/020' is not written canonically; allowed: 10.20.0.0/20 (a.b.c.d/n with the host bits zero)",
    ),
    "cidr_prohibited": (
        config(network={"subnet_cidr": "127.0.0.0/20"}),
        "network.subnet_cidr: '127.0.0.0/20' overlaps 127.0.0.0/8, which a VPC cannot use; allowed: a private range such as 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
    ),
    "cidr_everything_subnet": (
        config(network={"subnet_cidr": "0.0.0.0/0"}),
        "network.subnet_cidr: '0.0.0.0/0' overlaps 0.0.0.0/8, which a VPC cannot use; allowed: a private range such as 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
    ),
    "node_label_key": (
        config(gpu_pools=[gpu(labels={"acme.com/": "x"})]),
        "gpu_pools[0].labels: node label key 'acme.com/' is not allowed; allowed: an optional DNS-subdomain prefix (<= 253 lowercase characters) and '/', then a name of 1-63 letters, digits, '-', '_' or '.' starting and ending with a letter or digit",
    ),
    "node_label_prefix": (
        config(gpu_pools=[gpu(labels={"Acme.com/team": "x"})]),
        "gpu_pools[0].labels: node label key 'Acme.com/team' is not allowed; allowed: an optional DNS-subdomain prefix (<= 253 lowercase characters) and '/', then a name of 1-63 letters, digits, '-', '_' or '.' starting and ending with a letter or digit",
    ),
    "node_label_name_long": (
        config(gpu_pools=[gpu(labels={"acme.com/" + "n" * 64: "x"})]),
        "gpu_pools[0].labels: node label key 'acme.com/nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn' is not allowed; allowed: an optional DNS-subdomain prefix (<= 253 lowercase characters) and '/', then a name of 1-63 letters, digits, '-', '_' or '.' starting and ending with a letter or digit",
    ),
    "node_label_value": (
        config(gpu_pools=[gpu(labels={"team": "ML!"})]),
        "gpu_pools[0].labels: node label value 'ML!' (key 'team') is not allowed; allowed: 0-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    ),
    "node_label_value_edge": (
        config(gpu_pools=[gpu(labels={"team": "-ml"})]),
        "gpu_pools[0].labels: node label value '-ml' (key 'team') is not allowed; allowed: 0-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    ),
    "node_label_kit": (
        config(gpu_pools=[gpu(labels={"hfkit.dev/pool": "other"})]),
        "gpu_pools[0].labels: node label key 'hfkit.dev/pool' is set by hfkit itself; allowed: any key but hfkit.dev/pool, hfkit.dev/accelerator",
    ),
    "node_label_k8s_namespace": (
        config(gpu_pools=[gpu(labels={"node-role.kubernetes.io/gpu": ""})]),
        "gpu_pools[0].labels: node label key 'node-role.kubernetes.io/gpu' is in a namespace the kubelet may not set (kubernetes.io, k8s.io); allowed: another prefix, or node.kubernetes.io/ and kubelet.kubernetes.io/",
    ),
    "taint_key": (
        config(gpu_pools=[gpu(taints=[{"key": "dedicated team"}])]),
        "gpu_pools[0].taints[0].key: 'dedicated team' is not a Kubernetes taint key; allowed: an optional DNS-subdomain prefix (<= 253 lowercase characters) and '/', then a name of 1-63 letters, digits, '-', '_' or '.' starting and ending with a letter or digit",
    ),
    "taint_value": (
        config(gpu_pools=[gpu(taints=[{"key": "dedicated", "value": "ml team"}])]),
        "gpu_pools[0].taints[0].value: 'ml team' is not a Kubernetes taint value; allowed: 0-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    ),
    "gcp_label_kit": (
        config(labels={"managed-by": "terraform"}),
        "labels: label key 'managed-by' is set by hfkit itself; allowed: any key but managed-by, hfkit-environment, hfkit-role, hfkit-pool",
    ),
    "gcp_labels_many": (
        config(labels={f"l{i}": "x" for i in range(61)}),
        "labels: 62 labels; allowed: at most 60 (GCP allows 64 per resource and hfkit adds up to 4)",
    ),
    "gcp_label_upper_unicode": (
        config(labels={"Équipe": "x"}),
        "labels: label key 'Équipe' is not allowed; allowed: 1-63 lowercase letters, digits, _ and -, starting with a letter",
    ),
    "network_name_long": (
        config(network={"name": "n" * 47}),
        "network.name: 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn' is not a valid network name; allowed: 1-46 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen (the firewall name <name>-deny-all-ingress must fit Compute Engine's 63)",
    ),
    "tpu_disk_hyperdisk": (
        config(tpu_pools=[tpu(disk_type="hyperdisk-balanced")]),
        "tpu_pools[0].disk_type: 'hyperdisk-balanced' is not a boot disk of TPU v5e; allowed: pd-balanced, pd-ssd",
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


def test_a_capacity_model_the_generation_does_not_offer_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """v5e offers every capacity model; a generation that offers fewer (issue 13's may) refuses the others. Proven
    with a v5e copy that offers no spot capacity."""
    import dataclasses

    from modules.catalog import tpu as catalog
    from modules.config import pools

    no_spot = dataclasses.replace(catalog.V5E, capacity_models=("on-demand", "reservation"))
    monkeypatch.setitem(pools.TPU_GENERATION_OF, "ct5lp-hightpu-8t", no_spot)
    with pytest.raises(ConfigError) as caught:
        parse_environment(config(tpu_pools=[tpu(spot=True)]))
    assert caught.value.errors == [
        "tpu_pools[0].machine_type: 'ct5lp-hightpu-8t' is not offered as spot; allowed: on-demand, reservation"
    ]
