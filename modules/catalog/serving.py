"""Serving facts: how each engine loads weights on each accelerator, what a GKE node leaves for pods, how long a
drain may take, and the pinned Custom Metrics Stackdriver Adapter. Each fact carries the source it was read from
(read 2026-12-02); the serving stack, `hfkit serve` and the config checks all read them from here."""

from __future__ import annotations

import math
from typing import Literal

LoadPath = Literal["gcs-stream", "fuse-memory-cache"]

#: How the weights reach the engine, per (engine, accelerator kind).
#: - vLLM on GPUs streams safetensors straight from `gs://` with the Run:ai Model Streamer (`--load-format
#:   runai_streamer`): no file cache at all, so nothing can fill a disk. Source: GoogleCloudPlatform/
#:   accelerated-platforms (commit 9320f3b, 2026-08-20) kubernetes-manifests/online-inference-gpu/
#:   llmd-optimized-baseline/vllm/*/patch-vllm-args.yaml and vllm-native-cache-offloading/single-tier/base/
#:   deployment.yaml (`--model=gs://...`, `--load-format=runai_streamer`, `--model-loader-extra-config=
#:   {"distributed":true}`); vLLM docs/models/extensions/runai_model_streamer.md ("To run model from Google Cloud
#:   Storage"; `distributed` is CUDA/ROCm only).
#: - vLLM on TPU reads a GCS FUSE mount with a memory-backed file cache: tpu-inference (commit b8692ff, 2026-08-22)
#:   docs/includes/core_features.md lists `runai_model_streamer_loader` as "Untested" on every backend, so the
#:   streamer is not trusted on TPU; TPU VMs have host memory to spare (ct5lp-hightpu-8t: 384 GB). The sources
#:   disagree at tag v0.27.0: tests/e2e/test_runai_model_streamer_loader.py there loads small models from public
#:   buckets with `load_format="runai_streamer"` (anonymous credentials), while the release's feature matrix
#:   (docs/includes/core_features.md) still marks the loader untested; the kit follows the matrix (read 2026-12-03).
#: - TGI only loads from a local directory (`--model-id` path), so it too reads the GCS FUSE mount with the cache in
#:   memory. accelerated-platforms online-inference-{gpu,tpu}/vllm/base/deployment.yaml mount the same memory-backed
#:   `gke-gcsfuse-cache` volume (there without a size limit; the kit sizes it from the staged manifest).
#: Local SSD (`ephemeral_storage_local_ssd_config`) was not chosen: it changes node pools (not the serving stack),
#: and only some GPU machines have it.
LOAD_PATHS: dict[tuple[str, str], LoadPath] = {
    ("vllm", "gpu"): "gcs-stream",
    ("vllm", "tpu"): "fuse-memory-cache",
    ("tgi", "gpu"): "fuse-memory-cache",
}

MIB = 1024**2
GIB = 1024**3

#: GKE's memory reservation for system components (kube-reserved) on Standard nodes: 255 MiB below 1 GiB, else 25% of
#: the first 4 GiB, 20% of the next 4, 10% of the next 8, 6% of the next 112 and 2% above 128 GiB; plus a 100 MiB
#: hard eviction threshold. Source: cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes ("Node
#: allocatable resources"), the same table quoted by GKE-sizing tools. GKE 1.37+ reserves min(this, a per-pod
#: formula), so this is an upper bound on every version (a budget computed from it errs safe).
MEMORY_RESERVATION_BANDS_GIB: tuple[tuple[float, float], ...] = ((4, 0.25), (4, 0.20), (8, 0.10), (112, 0.06))
MEMORY_RESERVATION_ABOVE_128_GIB = 0.02
EVICTION_THRESHOLD_MIB = 100
#: Left for the node's own pods (logging, Managed Prometheus collector, GCS FUSE and PD CSI node agents, device
#: plugins): the kit's choice, not a published figure; their requests total well under this.
SYSTEM_PODS_HEADROOM_MIB = 2048

#: The GCS FUSE sidecar's own memory beside its file cache (the kit's request before the cache moved to memory; the
#: webhook's default is 256Mi: gcs-fuse-csi-driver cmd/webhook/main.go, commit 5fcdc04).
SIDECAR_BASE_MEMORY_MIB = 1024
#: Room above the cached bytes in the cache's tmpfs, for gcsfuse's cache bookkeeping (the kit's choice).
CACHE_VOLUME_SLACK_MIB = 512


def allocatable_memory_mib(node_gib: int) -> int:
    """What a GKE Standard node of `node_gib` GiB leaves for pods (MiB, rounded down)."""
    if node_gib < 1:
        reserved = 255.0
    else:
        reserved, left = 0.0, float(node_gib)
        for size, rate in MEMORY_RESERVATION_BANDS_GIB:
            part = min(left, size)
            reserved += part * rate * 1024
            left -= part
        reserved += max(left, 0.0) * MEMORY_RESERVATION_ABOVE_128_GIB * 1024
    return math.floor(node_gib * 1024 - reserved - EVICTION_THRESHOLD_MIB)


#: Engine metrics that count requests still in flight (running in a batch, or queued). The drain before shutdown waits
#: for their sum to reach 0. vLLM: vllm-project/vllm tests/entrypoints/openai/test_metrics.py EXPECTED_METRICS;
#: TGI: huggingface/text-generation-inference v3.3.7 backends/v3/src/backend.rs (`tgi_batch_current_size`) and
#: backends/v2/src/queue.rs (`tgi_queue_size`).
IN_FLIGHT_METRICS: dict[str, tuple[str, ...]] = {
    "vllm": ("vllm:num_requests_running", "vllm:num_requests_waiting"),
    "tgi": ("tgi_batch_current_size", "tgi_queue_size"),
}
#: The cluster autoscaler waits at most this long for a pod to terminate when it removes a node (kubernetes/autoscaler
#: cluster-autoscaler/FAQ.md, `max-graceful-termination-sec` default 600): a longer grace period would be cut there.
TERMINATION_GRACE_SECONDS = 600
#: Left after the drain for the engine to exit on SIGTERM (TGI's own `--graceful-termination-timeout` defaults to 90 s,
#: launcher/src/main.rs v3.3.7, but after the drain nothing is in flight).
ENGINE_EXIT_SECONDS = 60
#: The preStop drain gives up after this: grace period minus the engine's exit.
DRAIN_SECONDS = TERMINATION_GRACE_SECONDS - ENGINE_EXIT_SECONDS
#: Wait before the first poll, so requests routed just before the endpoint was removed have arrived.
DRAIN_SETTLE_SECONDS = 5
DRAIN_POLL_SECONDS = 2

#: Custom Metrics Stackdriver Adapter: serves Managed Prometheus metrics (`prometheus.googleapis.com|...`) to the HPA
#: through custom.metrics.k8s.io. Source: GoogleCloudPlatform/k8s-stackdriver custom-metrics-stackdriver-adapter/deploy/
#: production/adapter_new_resource_model.yaml (commit af49d86, 2026-08-17, tag cm-sd-adapter-v0.16.9 of 2026-08-11).
METRICS_ADAPTER_IMAGE = "gcr.io/gke-release/custom-metrics-stackdriver-adapter:v0.16.9-gke.0"
METRICS_ADAPTER_NAMESPACE = "custom-metrics"
METRICS_ADAPTER_NAME = "custom-metrics-stackdriver-adapter"
#: The adapter's Google identity needs to read Cloud Monitoring (README of the same directory: "monitoring.viewer").
METRICS_ADAPTER_ROLE = "roles/monitoring.viewer"
#: The custom metrics API versions the adapter serves (both registered upstream); the external metrics API is not
#: registered because no autoscaler of the kit uses it.
CUSTOM_METRICS_VERSIONS: tuple[tuple[str, int], ...] = (("v1beta1", 100), ("v1beta2", 200))

#: Kubernetes minors of the REGULAR channel, which the kit's clusters use by default: 1.35 is the default for new
#: clusters (GKE Regular channel release notes, 2026-09-17: "1.35.8-gke.1036000 is now the default version for cluster
#: creation in the Regular channel") and 1.36 the newest minor the channel offers (release notes "Current versions":
#: Regular "1.34 to 1.36"). Rendered manifests are validated against both.
GKE_REGULAR_KUBERNETES_MINORS: tuple[str, ...] = ("1.35", "1.36")

#: Why a deployment never runs on a multi-host TPU slice. tpu-inference does run across hosts: its GKE example
#: (vllm-project/tpu-inference tag v0.27.0, examples/offload/gke/benchmarks/multi-host/deploy-baseline.yaml) is a
#: LeaderWorkerSet with one pod per host of a tpu7x 2x2x2 slice, joined into one engine by Ray
#: (`TPU_MULTIHOST_BACKEND=ray`, `--tensor-parallel-size 16`). The kit's serving stack runs a Deployment whose
#: replica takes one node: on a slice it would start unconnected engines, one per host. Until it builds that
#: LeaderWorkerSet, `hfkit fit`, `hfkit serve` and the config refuse with this reason.
MULTI_HOST_REASON = (
    "the serving stack runs one pod per node, while vLLM across a slice's hosts needs one pod per host joined by "
    "Ray (a LeaderWorkerSet), which it does not build"
)
