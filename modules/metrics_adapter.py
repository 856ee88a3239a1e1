"""The Custom Metrics Stackdriver Adapter, so the model servers' autoscalers have something serving their metric.

The HPAs scale on Managed Prometheus gauges (`prometheus.googleapis.com|vllm:num_requests_waiting|gauge`), which the
Kubernetes API only knows through the custom.metrics.k8s.io APIService this adapter backs. Declared as in the upstream
manifest (GoogleCloudPlatform/k8s-stackdriver custom-metrics-stackdriver-adapter/deploy/production/
adapter_new_resource_model.yaml, commit af49d86), pinned in modules/catalog/serving.py, with these differences:
- only the custom metrics API is registered (`--enable-external-metrics-api=false`, no external APIService and no
  `external-metrics-reader` ClusterRole with its `*` resources): no autoscaler of the kit reads external metrics;
- hardened like the model servers: read-only root filesystem (the self-signed serving certificate goes to an
  emptyDir through `--cert-dir`, k8s.io/apiserver's flag whose default is the relative
  `apiserver.local.config/certificates`), non-root, no capabilities, so it serves on 6443 instead of 443 (the Service
  still listens on 443, which the APIService calls);
- it runs on the accelerator nodes (the cluster has no other pool), tolerating their device taints and the taints of
  the pools the deployments use.
Its Google identity (roles/monitoring.viewer on the project, through Workload Identity) lives in the identities stack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_kubernetes import deployment_v1 as k8s
from cdktf_cdktf_provider_kubernetes.api_service_v1 import ApiServiceV1
from cdktf_cdktf_provider_kubernetes.cluster_role_binding_v1 import ClusterRoleBindingV1, ClusterRoleBindingV1Subject
from cdktf_cdktf_provider_kubernetes.cluster_role_v1 import ClusterRoleV1, ClusterRoleV1Rule
from cdktf_cdktf_provider_kubernetes.namespace_v1 import NamespaceV1
from cdktf_cdktf_provider_kubernetes.role_binding_v1 import RoleBindingV1, RoleBindingV1Subject
from cdktf_cdktf_provider_kubernetes.service_account_v1 import ServiceAccountV1
from cdktf_cdktf_provider_kubernetes.service_v1 import ServiceV1, ServiceV1SpecPort
from constructs import Construct

from modules.catalog.serving import (
    CUSTOM_METRICS_VERSIONS,
    METRICS_ADAPTER_IMAGE,
    METRICS_ADAPTER_NAME,
    METRICS_ADAPTER_NAMESPACE,
)
from modules.config.pools import Taint
from modules.service_account import ServiceAccount
from modules.serving.pod import TAINT_EFFECTS

#: The port the adapter serves on inside the pod (non-root cannot bind 443).
SECURE_PORT = 6443
#: distroless `nobody`: the adapter is a static binary that reads nothing from disk.
NOBODY = "65534"
DEVICE_TAINTS = ("nvidia.com/gpu", "google.com/tpu")


def _role_ref(kind: str, name: str) -> dict[str, str]:
    return {"api_group": "rbac.authorization.k8s.io", "kind": kind, "name": name}


@dataclass(frozen=True)
class MetricsAdapterProps:
    identity: ServiceAccount
    """Google service account with roles/monitoring.viewer, bound to this adapter's KSA through Workload Identity."""
    taints: Sequence[Taint] = ()
    """Taints of the pools the deployments run on, which the adapter tolerates."""


class MetricsAdapter(Construct):
    def __init__(self, scope: Construct, id_: str, props: MetricsAdapterProps) -> None:
        super().__init__(scope, id_)
        managed = {"app.kubernetes.io/managed-by": "hfkit"}
        name, labels = METRICS_ADAPTER_NAME, {"k8s-app": METRICS_ADAPTER_NAME, **managed}
        self.namespace = NamespaceV1(
            self,
            "namespace",
            metadata={"name": METRICS_ADAPTER_NAMESPACE, "labels": {"app.kubernetes.io/managed-by": "hfkit"}},
        )
        ns = self.namespace.metadata.name
        ServiceAccountV1(
            self,
            "service-account",
            metadata={
                "name": name,
                "namespace": ns,
                "labels": labels,
                "annotations": {"iam.gke.io/gcp-service-account": props.identity.email},
            },
            automount_service_account_token=True,  # it is an API server extension: it calls the Kubernetes API
        )
        subject = {"kind": "ServiceAccount", "name": name, "namespace": METRICS_ADAPTER_NAMESPACE}
        ClusterRoleBindingV1(
            self,
            "auth-delegator",
            metadata={"name": "custom-metrics:system:auth-delegator", "labels": labels},
            role_ref=_role_ref("ClusterRole", "system:auth-delegator"),
            subject=[ClusterRoleBindingV1Subject(**subject)],
            depends_on=[self.namespace],
        )
        RoleBindingV1(
            self,
            "auth-reader",
            metadata={"name": "custom-metrics-auth-reader", "namespace": "kube-system", "labels": labels},
            role_ref=_role_ref("Role", "extension-apiserver-authentication-reader"),
            subject=[RoleBindingV1Subject(**subject)],
            depends_on=[self.namespace],
        )
        ClusterRoleV1(
            self,
            "resource-reader-role",
            metadata={"name": "custom-metrics-resource-reader", "labels": labels},
            rule=[
                ClusterRoleV1Rule(
                    api_groups=[""], resources=["pods", "nodes", "nodes/stats"], verbs=["get", "list", "watch"]
                )
            ],
        )
        ClusterRoleBindingV1(
            self,
            "resource-reader",
            metadata={"name": "custom-metrics-resource-reader", "labels": labels},
            role_ref=_role_ref("ClusterRole", "custom-metrics-resource-reader"),
            subject=[ClusterRoleBindingV1Subject(**subject)],
            depends_on=[self.namespace],
        )
        self.deployment = self._deployment(ns, labels, props.taints)
        self.service = ServiceV1(
            self,
            "service",
            metadata={"name": name, "namespace": ns, "labels": labels},
            spec={
                "selector": labels,
                "type": "ClusterIP",
                "port": [ServiceV1SpecPort(name="https", port=443, target_port=str(SECURE_PORT), protocol="TCP")],
            },
        )
        for version, priority in CUSTOM_METRICS_VERSIONS:
            ApiServiceV1(
                self,
                f"api-service-{version}",
                metadata={"name": f"{version}.custom.metrics.k8s.io", "labels": labels},
                spec={
                    "group": "custom.metrics.k8s.io",
                    "version": version,
                    "group_priority_minimum": 100,
                    "version_priority": priority,
                    # As upstream: the adapter serves a self-signed certificate.
                    "insecure_skip_tls_verify": True,
                    "service": {"name": name, "namespace": METRICS_ADAPTER_NAMESPACE},
                },
                depends_on=[self.service],
            )

    def _deployment(self, ns: str, labels: dict[str, str], taints: Sequence[Taint]) -> k8s.DeploymentV1:
        tolerations = [
            k8s.DeploymentV1SpecTemplateSpecToleration(key=key, operator="Exists", effect="NoSchedule")
            for key in DEVICE_TAINTS
        ]
        seen = set()
        for t in taints:
            if (t.key, t.value, t.effect) not in seen:
                seen.add((t.key, t.value, t.effect))
                tolerations.append(
                    k8s.DeploymentV1SpecTemplateSpecToleration(
                        key=t.key, operator="Equal", value=t.value, effect=TAINT_EFFECTS[t.effect]
                    )
                )
        probe = {"http_get": {"path": "/healthz", "port": str(SECURE_PORT), "scheme": "HTTPS"}, "timeout_seconds": 5}
        return k8s.DeploymentV1(
            self,
            "deployment",
            metadata={"name": METRICS_ADAPTER_NAME, "namespace": ns, "labels": labels},
            spec=k8s.DeploymentV1Spec(
                replicas="1",
                selector={"match_labels": labels},
                template=k8s.DeploymentV1SpecTemplate(
                    metadata={"labels": labels},
                    spec=k8s.DeploymentV1SpecTemplateSpec(
                        service_account_name=METRICS_ADAPTER_NAME,
                        enable_service_links=False,
                        toleration=tolerations,
                        container=[
                            k8s.DeploymentV1SpecTemplateSpecContainer(
                                name="adapter",
                                image=METRICS_ADAPTER_IMAGE,
                                image_pull_policy="Always",
                                command=[
                                    "/adapter",
                                    "--use-new-resource-model=true",
                                    "--fallback-for-container-metrics=true",
                                    "--enable-external-metrics-api=false",
                                    f"--secure-port={SECURE_PORT}",
                                    "--cert-dir=/tmp",
                                ],
                                port=[
                                    k8s.DeploymentV1SpecTemplateSpecContainerPort(
                                        name="https", container_port=SECURE_PORT
                                    )
                                ],
                                resources={
                                    "requests": {"cpu": "250m", "memory": "200Mi"},
                                    "limits": {"cpu": "250m", "memory": "200Mi"},
                                },
                                readiness_probe={**probe, "initial_delay_seconds": 40, "period_seconds": 10},
                                liveness_probe={**probe, "initial_delay_seconds": 60, "period_seconds": 20},
                                security_context={
                                    "allow_privilege_escalation": False,
                                    "read_only_root_filesystem": True,
                                    "run_as_non_root": True,
                                    "run_as_user": NOBODY,
                                    "capabilities": {"drop": ["ALL"]},
                                },
                                volume_mount=[
                                    k8s.DeploymentV1SpecTemplateSpecContainerVolumeMount(name="tmp", mount_path="/tmp")
                                ],
                            )
                        ],
                        volume=[
                            k8s.DeploymentV1SpecTemplateSpecVolume(
                                name="tmp", empty_dir=k8s.DeploymentV1SpecTemplateSpecVolumeEmptyDir(size_limit="64Mi")
                            )
                        ],
                    ),
                ),
            ),
            wait_for_rollout=False,
        )
