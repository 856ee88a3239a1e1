"""The model server's pod template: engine container, weights load path, caches, probes and drain.

Why these choices (sources in modules/catalog/serving.py):
- Weights: vLLM on GPUs streams them from `gs://` (Run:ai Model Streamer, no cache); vLLM on TPU and TGI read the
  pinned commit folder through GCS FUSE (`only-dir` = the commit, immutable: metadata cached forever), with the
  file cache in a memory-backed `gke-gcsfuse-cache` volume sized from the staged manifest (never unbounded, never
  on the boot disk), filled by parallel ranged downloads.
- A replica takes a whole node (all its chips / GPUs): tensor parallelism over every device, as `hfkit fit` sized it.
- Service links are off: a Service named `vllm` would inject `VLLM_PORT=tcp://...`, which vLLM refuses
  (vllm/envs.py `get_vllm_port`: "appears to be a URI ... Kubernetes service discovery issue").
- The first start of vLLM on TPU compiles for minutes: the startup probe allows 30 minutes before liveness applies,
  and TPU pods keep the XLA compile cache in the compile-cache bucket (GCS FUSE, read-write, one folder per
  deployment), so restarts, rescheduled pods and new replicas skip compilation.
- Shutdown drains: the preStop hook waits for in-flight requests (modules/serving/drain.py) within a grace period
  the cluster autoscaler honours.
"""

from __future__ import annotations

from cdktf_cdktf_provider_kubernetes import deployment_v1 as k8s

from modules.catalog.engines import ENGINES
from modules.catalog.machines import MACHINE_VCPUS_MEMORY_GB
from modules.catalog.serving import (
    DRAIN_POLL_SECONDS,
    DRAIN_SECONDS,
    DRAIN_SETTLE_SECONDS,
    IN_FLIGHT_METRICS,
    TERMINATION_GRACE_SECONDS,
)
from modules.compile_cache_bucket import CompileCacheBucket
from modules.config.deployments import SERVICE_ACCOUNT_NAME, Deployment
from modules.config.pools import GpuPool, TpuPool
from modules.serving.drain import drain_command
from modules.serving.memory import PodMemory, load_path, pod_memory, quantity

WEIGHTS_MOUNT = "/models"
COMPILE_CACHE_MOUNT = "/compile-cache"
POOL_LABEL = "hfkit.dev/pool"
GCSFUSE_DRIVER = "gcsfuse.csi.storage.gke.io"
#: The GCS FUSE sidecar uses a pod volume of this name as its file cache instead of its own emptyDir
#: (gcs-fuse-csi-driver pkg/webhook/sidecar_spec.go `SidecarContainerCacheVolumeName`, `GetSidecarContainerVolumeSpec`).
GCSFUSE_CACHE_VOLUME = "gke-gcsfuse-cache"
#: GCS FUSE mount options for a large, immutable, read-once prefix (GKE recommends mount options over the equivalent
#: volume attributes): whole files cached even when the first read is not at offset 0 (safetensors loaders seek),
#: parallel ranged downloads, metadata cached forever. The cache size (`file-cache:max-size-mb`) is added per model.
GCSFUSE_MOUNT_OPTIONS = (
    "implicit-dirs",
    "file-cache:cache-file-for-range-read:true",
    "file-cache:enable-parallel-downloads:true",
    "file-cache:parallel-downloads-per-file:16",
    "file-cache:max-parallel-downloads:-1",
    "file-cache:download-chunk-size-mb:32",
    "metadata-cache:ttl-secs:-1",
    "metadata-cache:stat-cache-max-size-mb:-1",
    "metadata-cache:type-cache-max-size-mb:-1",
)
#: Writable scratch (/tmp) for the engines' caches under a read-only root filesystem.
SCRATCH_SIZE = "20Gi"
STARTUP_BUDGET_SECONDS = 30 * 60
#: The Run:ai streamer's extra config on GPUs: distributed streaming across the tensor-parallel ranks (CUDA only).
RUNAI_EXTRA_CONFIG = '{"distributed":true}'


def engine_args(d: Deployment, streams: bool) -> tuple[list[str], list[str]]:
    """Command and arguments of the engine, serving the deployment's weights under its name. `max_model_len` is passed
    through unchanged (`hfkit serve` wrote the context the fit allows)."""
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
    model = [f"--model=gs://{d.bucket}/{d.prefix.rstrip('/')}"] if streams else [f"--model={WEIGHTS_MOUNT}"]
    load = ["--load-format=runai_streamer", f"--model-loader-extra-config={RUNAI_EXTRA_CONFIG}"] if streams else []
    return ["python3", "-m", "vllm.entrypoints.openai.api_server"], [
        *model,
        f"--served-model-name={d.name}",
        f"--tensor-parallel-size={d.tensor_parallel_size}",
        f"--max-model-len={d.max_model_len}",
        f"--gpu-memory-utilization={ENGINES['vllm'].memory_utilization}",
        *load,
        "--host=0.0.0.0",
        f"--port={ENGINES['vllm'].port}",
    ]


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


def _empty_dir(name: str, size: str, memory: bool = False) -> k8s.DeploymentV1SpecTemplateSpecVolume:
    return k8s.DeploymentV1SpecTemplateSpecVolume(
        name=name,
        empty_dir=k8s.DeploymentV1SpecTemplateSpecVolumeEmptyDir(medium="Memory" if memory else None, size_limit=size),
    )


def _mount(name: str, path: str, read_only: bool | None = None) -> k8s.DeploymentV1SpecTemplateSpecContainerVolumeMount:
    return k8s.DeploymentV1SpecTemplateSpecContainerVolumeMount(name=name, mount_path=path, read_only=read_only)


def _env(name: str, value: str) -> k8s.DeploymentV1SpecTemplateSpecContainerEnv:
    return k8s.DeploymentV1SpecTemplateSpecContainerEnv(name=name, value=value)


class ModelServerPod:
    """The pod template of one deployment on its pool: `annotations` for the template metadata, `spec` for its spec."""

    def __init__(self, d: Deployment, pool: TpuPool | GpuPool, compile_cache: CompileCacheBucket | None) -> None:
        tpu = isinstance(pool, TpuPool)
        self.streams = load_path(d.engine, "tpu" if tpu else "gpu") == "gcs-stream"
        self.memory: PodMemory = pod_memory(pool.machine_type, None if self.streams else d.staged_bytes)
        if not self.streams and d.staged_bytes is None:
            raise ValueError(f"deployment {d.name!r} reads weights through GCS FUSE but has no staged_bytes")
        if tpu and compile_cache is None:
            raise ValueError(f"deployment {d.name!r} runs on TPU pool {pool.name!r} but no compile-cache bucket")
        self.annotations = self._sidecar_annotations() if (not self.streams or tpu) else {}
        self.spec = self._spec(d, pool, compile_cache)

    def _sidecar_annotations(self) -> dict[str, str]:
        """The GCS FUSE sidecar GKE injects: its memory request holds the file cache (tmpfs pages are charged to the
        sidecar that writes them), limits unset ("0") so downloads are never throttled; ephemeral storage keeps the
        webhook's bounded default (5Gi, gcs-fuse-csi-driver cmd/webhook/main.go) since no cache is on disk."""
        return {
            "gke-gcsfuse/volumes": "true",
            "gke-gcsfuse/cpu-request": "500m",
            "gke-gcsfuse/cpu-limit": "0",
            "gke-gcsfuse/memory-request": quantity(self.memory.sidecar_request or 1024),
            "gke-gcsfuse/memory-limit": "0",
        }

    def _spec(
        self, d: Deployment, pool: TpuPool | GpuPool, compile_cache: CompileCacheBucket | None
    ) -> k8s.DeploymentV1SpecTemplateSpec:
        engine = ENGINES[d.engine]
        vcpus, _ = MACHINE_VCPUS_MEMORY_GB[pool.machine_type]
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
            k8s.DeploymentV1SpecTemplateSpecToleration(key=device_taint, operator="Exists", effect="NoSchedule"),
            *(
                k8s.DeploymentV1SpecTemplateSpecToleration(
                    key=t.key, operator="Equal", value=t.value, effect=TAINT_EFFECTS[t.effect]
                )
                for t in pool.taints
            ),
        ]
        env = [
            _env("HF_HUB_OFFLINE", "1"),
            # The root filesystem is read-only: every cache the engines write (HF, torch, Triton, vLLM) goes to /tmp.
            _env("HOME", "/tmp"),
            _env("XDG_CACHE_HOME", "/tmp/.cache"),
            _env("HF_HOME", "/tmp/hf"),
        ]
        volumes = [_empty_dir("shm", "16Gi", memory=True), _empty_dir("tmp", SCRATCH_SIZE)]
        mounts = [_mount("shm", "/dev/shm"), _mount("tmp", "/tmp")]
        if not self.streams:
            options = (
                f"only-dir={d.prefix.rstrip('/')}",
                *GCSFUSE_MOUNT_OPTIONS,
                f"file-cache:max-size-mb:{self.memory.cache}",
            )
            volumes.insert(0, _gcsfuse_volume("weights", d.bucket, ",".join(options), read_only=True))
            volumes.append(_empty_dir(GCSFUSE_CACHE_VOLUME, quantity(self.memory.cache_volume), memory=True))
            mounts.insert(0, _mount("weights", WEIGHTS_MOUNT, read_only=True))
        if compile_cache is not None and isinstance(pool, TpuPool):
            env.append(_env("VLLM_XLA_CACHE_PATH", COMPILE_CACHE_MOUNT))
            mounts.append(_mount("compile-cache", COMPILE_CACHE_MOUNT))
            # One folder per deployment: entries are keyed by graph hash, so replicas share them.
            volumes.append(
                _gcsfuse_volume(
                    "compile-cache", compile_cache.name, f"only-dir={d.name},implicit-dirs", read_only=False
                )
            )
        probe = {"http_get": {"path": engine.health_path, "port": str(engine.port)}}
        drain = drain_command(
            IN_FLIGHT_METRICS[d.engine],
            engine.port,
            engine.metrics_path,
            DRAIN_SECONDS,
            DRAIN_SETTLE_SECONDS,
            DRAIN_POLL_SECONDS,
        )
        memory = self.memory
        container = k8s.DeploymentV1SpecTemplateSpecContainer(
            name="server",
            image=d.image or engine.images["tpu" if isinstance(pool, TpuPool) else "gpu"],
            image_pull_policy="Always",  # tags can move: resolve the pinned tag on every start
            command=engine_args(d, self.streams)[0],
            args=engine_args(d, self.streams)[1],
            env=env,
            port=[k8s.DeploymentV1SpecTemplateSpecContainerPort(name="http", container_port=engine.port)],
            resources={
                "requests": {"cpu": str(vcpus // 2), "memory": quantity(memory.server_request), **device},
                "limits": {"cpu": str(vcpus), "memory": quantity(memory.server_limit), **device},
            },
            startup_probe={**probe, "period_seconds": 10, "failure_threshold": STARTUP_BUDGET_SECONDS // 10},
            readiness_probe={**probe, "period_seconds": 5, "failure_threshold": 3},
            liveness_probe={**probe, "period_seconds": 15, "failure_threshold": 4, "timeout_seconds": 5},
            lifecycle=k8s.DeploymentV1SpecTemplateSpecContainerLifecycle(
                pre_stop=[
                    k8s.DeploymentV1SpecTemplateSpecContainerLifecyclePreStop(
                        exec=k8s.DeploymentV1SpecTemplateSpecContainerLifecyclePreStopExec(command=drain)
                    )
                ]
            ),
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
            enable_service_links=False,
            node_selector={**selector, POOL_LABEL: pool.name},
            toleration=tolerations,
            container=[container],
            volume=volumes,
            termination_grace_period_seconds=TERMINATION_GRACE_SECONDS,
        )


TAINT_EFFECTS = {"NO_SCHEDULE": "NoSchedule", "PREFER_NO_SCHEDULE": "PreferNoSchedule", "NO_EXECUTE": "NoExecute"}
