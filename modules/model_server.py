"""A model server: one `deployments` entry as Kubernetes objects on the pool it names.

Per deployment: a namespace; a Kubernetes service account bound (by the identities stack) to the serving identity,
which may only read the weights bucket; the engine's Deployment with the weights mounted read-only from the staged
commit prefix through the GCS FUSE CSI driver; a Service; a PodMonitoring for Managed Prometheus; an autoscaler on
the engine's queue length; a PodDisruptionBudget.

Why these choices:
- The weights are read once, sequentially, from an immutable prefix (`only-dir` = the commit folder): metadata can
  be cached forever, and the file cache with parallel downloads turns the cold load into many concurrent ranged
  reads instead of one slow stream.
- A replica takes a whole node (all its chips / GPUs): tensor parallelism over every device, as `hfkit fit` sized it.
- The first start of vLLM on TPU compiles for minutes: the startup probe allows 30 minutes before liveness applies,
  and TPU pods keep the XLA compile cache in the compile-cache bucket (GCS FUSE, read-write, one folder per
  deployment), so restarts, rescheduled pods and new replicas skip compilation.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_kubernetes import deployment_v1 as k8s
from cdktf_cdktf_provider_kubernetes.horizontal_pod_autoscaler_v2 import (
    HorizontalPodAutoscalerV2,
    HorizontalPodAutoscalerV2SpecMetric,
)
from cdktf_cdktf_provider_kubernetes.manifest import Manifest
from cdktf_cdktf_provider_kubernetes.namespace_v1 import NamespaceV1
from cdktf_cdktf_provider_kubernetes.pod_disruption_budget_v1 import PodDisruptionBudgetV1
from cdktf_cdktf_provider_kubernetes.service_account_v1 import ServiceAccountV1
from cdktf_cdktf_provider_kubernetes.service_v1 import ServiceV1, ServiceV1SpecPort
from constructs import Construct

from modules.catalog.engines import ENGINES, QUEUE_TARGET_PER_REPLICA
from modules.catalog.machines import MACHINE_VCPUS_MEMORY_GB
from modules.compile_cache_bucket import CompileCacheBucket
from modules.config.deployments import SERVICE_ACCOUNT_NAME, Deployment
from modules.config.pools import GpuPool, TpuPool
from modules.service_account import ServiceAccount

WEIGHTS_MOUNT = "/models"
COMPILE_CACHE_MOUNT = "/compile-cache"
POOL_LABEL = "hfkit.dev/pool"
GCSFUSE_DRIVER = "gcsfuse.csi.storage.gke.io"
#: GCS FUSE mount options for a large, immutable, read-once prefix (GKE recommends mount options over the equivalent
#: volume attributes): a file cache as large as its volume, filled by parallel ranged downloads, whole files cached
#: even when the first read is not at offset 0 (safetensors loaders seek), and metadata cached forever.
GCSFUSE_MOUNT_OPTIONS = (
    "implicit-dirs",
    "file-cache:max-size-mb:-1",
    "file-cache:cache-file-for-range-read:true",
    "file-cache:enable-parallel-downloads:true",
    "file-cache:parallel-downloads-per-file:16",
    "file-cache:max-parallel-downloads:-1",
    "file-cache:download-chunk-size-mb:32",
    "metadata-cache:ttl-secs:-1",
    "metadata-cache:stat-cache-max-size-mb:-1",
    "metadata-cache:type-cache-max-size-mb:-1",
)
#: Resources of the GCS FUSE sidecar GKE injects (pod annotations): requests small, limits unset ("0") so the
#: parallel downloads are never throttled and the file cache can grow to the node's ephemeral storage.
GCSFUSE_SIDECAR_ANNOTATIONS = {
    "gke-gcsfuse/volumes": "true",
    "gke-gcsfuse/cpu-request": "500m",
    "gke-gcsfuse/memory-request": "1Gi",
    "gke-gcsfuse/ephemeral-storage-request": "50Gi",
    "gke-gcsfuse/cpu-limit": "0",
    "gke-gcsfuse/memory-limit": "0",
    "gke-gcsfuse/ephemeral-storage-limit": "0",
}
STARTUP_BUDGET_SECONDS = 30 * 60
#: Writable scratch (/tmp) for the engines' caches under a read-only root filesystem.
SCRATCH_SIZE = "20Gi"


@dataclass(frozen=True)
class ModelServerProps:
    deployment: Deployment
    pool: TpuPool | GpuPool
    identity: ServiceAccount
    """The serving Google service account; its Workload Identity binding to this KSA lives in the identities stack."""
    compile_cache: CompileCacheBucket | None = None
    """Where TPU servers keep their XLA compile cache (required for a TPU pool)."""


def _gcsfuse_volume(
    name: str, bucket: str, mount_options: str, *, read_only: bool
) -> k8s.DeploymentV1SpecTemplateSpecVolume:
    """A bucket mounted through the GKE GCS FUSE CSI driver (the pod carries the sidecar annotation)."""
    return k8s.DeploymentV1SpecTemplateSpecVolume(
        name=name,
        csi=k8s.DeploymentV1SpecTemplateSpecVolumeCsi(
            driver=GCSFUSE_DRIVER,
            read_only=read_only,
            volume_attributes={"bucketName": bucket, "mountOptions": mount_options},
        ),
    )


def engine_args(d: Deployment) -> tuple[list[str], list[str]]:
    """Command and arguments of the engine, serving the mounted commit folder under the deployment's name."""
    if d.engine == "tgi":
        return ["text-generation-launcher"], [
            f"--model-id={WEIGHTS_MOUNT}",  # TGI serves one model and ignores the request's model name
            f"--num-shard={d.tensor_parallel_size}",
            f"--max-total-tokens={d.max_model_len}",
            f"--max-input-tokens={d.max_model_len - 1}",
            f"--cuda-memory-fraction={ENGINES['tgi'].memory_utilization}",
            "--hostname=0.0.0.0",
            f"--port={ENGINES['tgi'].port}",
        ]
    return ["python3", "-m", "vllm.entrypoints.openai.api_server"], [
        f"--model={WEIGHTS_MOUNT}",
        f"--served-model-name={d.name}",
        f"--tensor-parallel-size={d.tensor_parallel_size}",
        f"--max-model-len={d.max_model_len}",
        f"--gpu-memory-utilization={ENGINES['vllm'].memory_utilization}",
        "--host=0.0.0.0",
        f"--port={ENGINES['vllm'].port}",
    ]


class ModelServer(Construct):
    def __init__(self, scope: Construct, id_: str, props: ModelServerProps) -> None:
        super().__init__(scope, id_)
        d, pool = props.deployment, props.pool
        engine = ENGINES[d.engine]
        tpu = isinstance(pool, TpuPool)
        self.labels = {
            "app.kubernetes.io/name": d.name,
            "app.kubernetes.io/component": "model-server",
            "app.kubernetes.io/managed-by": "hfkit",
        }
        self.namespace = NamespaceV1(self, "namespace", metadata={"name": d.namespace, "labels": self.labels})
        ns = self.namespace.metadata.name
        ServiceAccountV1(
            self,
            "service-account",
            metadata={
                "name": SERVICE_ACCOUNT_NAME,
                "namespace": ns,
                "labels": self.labels,
                "annotations": {"iam.gke.io/gcp-service-account": props.identity.email},
            },
            automount_service_account_token=False,
        )
        image = d.image or engine.images["tpu" if tpu else "gpu"]
        command, args = engine_args(d)
        self.deployment = k8s.DeploymentV1(
            self,
            "deployment",
            metadata={
                "name": d.name,
                "namespace": ns,
                "labels": self.labels,
                "annotations": {"hfkit.dev/model": d.model, "hfkit.dev/commit": d.commit},
            },
            spec=k8s.DeploymentV1Spec(
                replicas=str(d.replicas.min),
                selector={"match_labels": self.labels},
                # A new replica needs a node of its own: surge one, never drop serving capacity during a rollout.
                strategy={"type": "RollingUpdate", "rolling_update": {"max_surge": "1", "max_unavailable": "0"}},
                template=k8s.DeploymentV1SpecTemplate(
                    metadata={
                        "labels": self.labels,
                        "annotations": {**GCSFUSE_SIDECAR_ANNOTATIONS, "hfkit.dev/commit": d.commit},
                    },
                    spec=self._pod_spec(d, pool, image, command, args, props.compile_cache),
                ),
            ),
            # The autoscaler owns the replica count; cold loads take minutes, so apply does not wait for them.
            lifecycle={"ignore_changes": ["spec[0].replicas"]},
            wait_for_rollout=False,
        )
        ServiceV1(
            self,
            "service",
            metadata={"name": d.name, "namespace": ns, "labels": self.labels},
            spec={
                "selector": self.labels,
                "type": "ClusterIP",
                "port": [ServiceV1SpecPort(name="http", port=engine.port, target_port=str(engine.port))],
            },
        )
        Manifest(
            self,
            "pod-monitoring",
            manifest={
                "apiVersion": "monitoring.googleapis.com/v1",
                "kind": "PodMonitoring",
                "metadata": {"name": d.name, "namespace": d.namespace, "labels": self.labels},
                "spec": {
                    "selector": {"matchLabels": self.labels},
                    "endpoints": [{"port": engine.port, "path": engine.metrics_path, "interval": "15s"}],
                },
            },
            depends_on=[self.namespace],
        )
        HorizontalPodAutoscalerV2(
            self,
            "autoscaler",
            metadata={"name": d.name, "namespace": ns, "labels": self.labels},
            spec={
                "min_replicas": d.replicas.min,
                "max_replicas": d.replicas.max,
                "scale_target_ref": {"api_version": "apps/v1", "kind": "Deployment", "name": d.name},
                "metric": [
                    HorizontalPodAutoscalerV2SpecMetric(
                        type="Pods",
                        pods={
                            "metric": {"name": f"prometheus.googleapis.com|{engine.queue_metric}|gauge"},
                            "target": {"type": "AverageValue", "average_value": str(QUEUE_TARGET_PER_REPLICA)},
                        },
                    )
                ],
            },
        )
        PodDisruptionBudgetV1(
            self,
            "disruption-budget",
            metadata={"name": d.name, "namespace": ns, "labels": self.labels},
            spec={"max_unavailable": "1", "selector": {"match_labels": self.labels}},
        )

    def _pod_spec(
        self,
        d: Deployment,
        pool: TpuPool | GpuPool,
        image: str,
        command: list[str],
        args: list[str],
        compile_cache: CompileCacheBucket | None,
    ) -> k8s.DeploymentV1SpecTemplateSpec:
        engine = ENGINES[d.engine]
        vcpus, memory_gb = MACHINE_VCPUS_MEMORY_GB[pool.machine_type]
        if isinstance(pool, TpuPool):
            device = {"google.com/tpu": str(pool.slice_chips)}
            selector = {
                "cloud.google.com/gke-tpu-accelerator": pool.accelerator,
                "cloud.google.com/gke-tpu-topology": pool.resolved_topology,
            }
            device_taint = "google.com/tpu"
        else:
            device = {"nvidia.com/gpu": str(d.tensor_parallel_size)}
            selector = {"cloud.google.com/gke-accelerator": pool.gpu_type}
            device_taint = "nvidia.com/gpu"
        tolerations = [
            k8s.DeploymentV1SpecTemplateSpecToleration(key=device_taint, operator="Exists", effect="NoSchedule")
        ]
        tolerations += [
            k8s.DeploymentV1SpecTemplateSpecToleration(
                key=t.key, operator="Equal", value=t.value, effect=_EFFECTS[t.effect]
            )
            for t in pool.taints
        ]
        env = [
            k8s.DeploymentV1SpecTemplateSpecContainerEnv(name="HF_HUB_OFFLINE", value="1"),
            # The root filesystem is read-only: every cache the engines write (HF, torch, Triton, vLLM) goes to /tmp.
            k8s.DeploymentV1SpecTemplateSpecContainerEnv(name="HOME", value="/tmp"),
            k8s.DeploymentV1SpecTemplateSpecContainerEnv(name="XDG_CACHE_HOME", value="/tmp/.cache"),
            k8s.DeploymentV1SpecTemplateSpecContainerEnv(name="HF_HOME", value="/tmp/hf"),
        ]
        mounts = [
            k8s.DeploymentV1SpecTemplateSpecContainerVolumeMount(
                name="weights", mount_path=WEIGHTS_MOUNT, read_only=True
            )
        ]
        volumes = [
            _gcsfuse_volume(
                "weights",
                d.bucket,
                ",".join((f"only-dir={d.prefix.rstrip('/')}", *GCSFUSE_MOUNT_OPTIONS)),
                read_only=True,
            ),
            k8s.DeploymentV1SpecTemplateSpecVolume(
                name="shm", empty_dir=k8s.DeploymentV1SpecTemplateSpecVolumeEmptyDir(medium="Memory", size_limit="16Gi")
            ),
            k8s.DeploymentV1SpecTemplateSpecVolume(
                name="tmp", empty_dir=k8s.DeploymentV1SpecTemplateSpecVolumeEmptyDir(size_limit=SCRATCH_SIZE)
            ),
        ]
        mounts.append(k8s.DeploymentV1SpecTemplateSpecContainerVolumeMount(name="shm", mount_path="/dev/shm"))
        mounts.append(k8s.DeploymentV1SpecTemplateSpecContainerVolumeMount(name="tmp", mount_path="/tmp"))
        if isinstance(pool, TpuPool):
            if compile_cache is None:
                raise ValueError(f"deployment {d.name!r} runs on TPU pool {pool.name!r} but no compile-cache bucket")
            env.append(
                k8s.DeploymentV1SpecTemplateSpecContainerEnv(name="VLLM_XLA_CACHE_PATH", value=COMPILE_CACHE_MOUNT)
            )
            mounts.append(
                k8s.DeploymentV1SpecTemplateSpecContainerVolumeMount(
                    name="compile-cache", mount_path=COMPILE_CACHE_MOUNT
                )
            )
            # One folder per deployment: entries are keyed by graph hash, so replicas share them.
            volumes.append(
                _gcsfuse_volume(
                    "compile-cache", compile_cache.name, f"only-dir={d.name},implicit-dirs", read_only=False
                )
            )
        probe = {"http_get": {"path": engine.health_path, "port": str(engine.port)}}
        container = k8s.DeploymentV1SpecTemplateSpecContainer(
            name="server",
            image=image,
            image_pull_policy="Always",  # tags can move: resolve the pinned tag on every start
            command=command,
            args=args,
            env=env,
            port=[k8s.DeploymentV1SpecTemplateSpecContainerPort(name="http", container_port=engine.port)],
            resources={
                "requests": {"cpu": str(vcpus // 2), "memory": f"{memory_gb // 2}Gi", **device},
                "limits": {"cpu": str(vcpus), "memory": f"{memory_gb * 3 // 4}Gi", **device},
            },
            startup_probe={**probe, "period_seconds": 10, "failure_threshold": STARTUP_BUDGET_SECONDS // 10},
            readiness_probe={**probe, "period_seconds": 5, "failure_threshold": 3},
            liveness_probe={**probe, "period_seconds": 15, "failure_threshold": 4, "timeout_seconds": 5},
            security_context={
                "allow_privilege_escalation": False,
                "read_only_root_filesystem": True,
                "capabilities": {"drop": ["ALL"]},
            },
            volume_mount=mounts,
        )
        return k8s.DeploymentV1SpecTemplateSpec(
            service_account_name=SERVICE_ACCOUNT_NAME,
            automount_service_account_token=False,
            node_selector={**selector, POOL_LABEL: pool.name},
            toleration=tolerations,
            container=[container],
            volume=volumes,
            termination_grace_period_seconds=60,
        )


_EFFECTS = {"NO_SCHEDULE": "NoSchedule", "PREFER_NO_SCHEDULE": "PreferNoSchedule", "NO_EXECUTE": "NoExecute"}
