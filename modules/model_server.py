"""A model server: one `deployments` entry as Kubernetes objects on the pool it names.

Per deployment: a namespace; a Kubernetes service account bound (by the identities stack) to the serving identity,
which may only read the weights bucket (and write the TPU compile cache); the engine's Deployment (pod template in
modules/serving/pod.py); a Service; a PodMonitoring for Managed Prometheus; an autoscaler on the engine's queue length,
whose metric the Custom Metrics Stackdriver Adapter serves (modules/metrics_adapter.py); a PodDisruptionBudget.
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
from modules.compile_cache_bucket import CompileCacheBucket
from modules.config.deployments import SERVICE_ACCOUNT_NAME, Deployment
from modules.config.pools import GpuPool, TpuPool
from modules.service_account import ServiceAccount
from modules.serving.pod import ModelServerPod
from modules.serving.rollout import strategy

#: The HPA's metric: a Managed Prometheus gauge as the Custom Metrics Stackdriver Adapter names it (`/` becomes `|`;
#: GoogleCloudPlatform/kubernetes-engine-samples ai-ml/vllm-tpu/vllm-hpa.yaml).
PROMETHEUS_METRIC = "prometheus.googleapis.com|{name}|gauge"


@dataclass(frozen=True)
class ModelServerProps:
    deployment: Deployment
    pool: TpuPool | GpuPool
    identity: ServiceAccount
    """The serving Google service account; its Workload Identity binding to this KSA lives in the identities stack."""
    surge: bool
    """Whether the pool has a spare node per deployment for rollouts to surge into (modules/serving/rollout.py)."""
    compile_cache: CompileCacheBucket | None = None
    """Where TPU servers keep their XLA compile cache (required for a TPU pool)."""


class ModelServer(Construct):
    def __init__(self, scope: Construct, id_: str, props: ModelServerProps) -> None:
        super().__init__(scope, id_)
        d = props.deployment
        engine = ENGINES[d.engine]
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
        pod = ModelServerPod(d, props.pool, props.compile_cache)
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
                strategy={"type": "RollingUpdate", "rolling_update": strategy(props.surge)},
                template=k8s.DeploymentV1SpecTemplate(
                    metadata={"labels": self.labels, "annotations": {**pod.annotations, "hfkit.dev/commit": d.commit}},
                    spec=pod.spec,
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
                            "metric": {"name": PROMETHEUS_METRIC.format(name=engine.queue_metric)},
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
