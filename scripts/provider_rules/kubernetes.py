"""The serving stack's resources in hashicorp/kubernetes 2.38.0 (read 2026-12-02).

The SDK resources build their schemas from shared functions with an `isUpdatable` flag (`ForceNew: !isUpdatable`);
a Deployment's pod template passes true (resource_kubernetes_deployment_v1.go:222-223 ->
podSpecFields(true, false)), so nothing under `spec.template.spec` forces a new Deployment: the only literal
`ForceNew: true` in the files that schema is built from (schema_pod_spec.go, schema_container.go,
schema_volume_source.go, schema_affinity_spec.go) are azure_file.secret_namespace (schema_volume_source.go:190) and
node affinity match_fields (schema_affinity_spec.go:130), neither of which the kit writes. That subtree is one TREE
entry; its validated and Required fields have their own entries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scripts.provider_rules import validators as v
from scripts.provider_rules.model import (
    BLOCK,
    KUBERNETES,
    LIST,
    MAP,
    TREE,
    Attr,
    PlanCheck,
    ResourceRules,
    Rule,
    Source,
    Valid,
    source_in,
)

md = source_in(KUBERNETES, "kubernetes/schema_metadata.go")
dep = source_in(KUBERNETES, "kubernetes/resource_kubernetes_deployment_v1.go")
pod = source_in(KUBERNETES, "kubernetes/schema_pod_spec.go")
ctr = source_in(KUBERNETES, "kubernetes/schema_container.go")
svc = source_in(KUBERNETES, "kubernetes/resource_kubernetes_service_v1.go")
pdb = source_in(KUBERNETES, "kubernetes/resource_kubernetes_pod_disruption_budget_v1.go")
hpa = source_in(KUBERNETES, "kubernetes/schema_horizontal_pod_autoscaler.go")
sel = source_in(KUBERNETES, "kubernetes/schema_label_selector.go")
api = source_in(KUBERNETES, "kubernetes/resource_kubernetes_api_service_v1.go")
rbac = source_in(KUBERNETES, "kubernetes/schema_rbac.go")
crole = source_in(KUBERNETES, "kubernetes/resource_kubernetes_cluster_role_v1.go")
crb = source_in(KUBERNETES, "kubernetes/resource_kubernetes_cluster_role_binding_v1.go")
rb = source_in(KUBERNETES, "kubernetes/resource_kubernetes_role_binding_v1.go")
manifest = source_in(KUBERNETES, "manifest/provider/validate.go")
plan = source_in(KUBERNETES, "manifest/provider/plan.go")


def metadata(key_line: Source, prefix: str = "metadata", namespaced: bool = True) -> tuple[Attr, ...]:
    """metadataFields (schema_metadata.go:12-52), wrapped by namespacedMetadataSchemaIsTemplate (:89-118, adds
    `namespace`, ForceNew) or metadataSchema (:54-78): a Required list of at most one block."""
    found = (
        Attr(prefix, key_line, BLOCK, required=True, max_items=1),
        Attr(f"{prefix}.annotations", md(14), MAP),
        Attr(f"{prefix}.labels", md(26), MAP),
        Attr(f"{prefix}.name", md(33), force_new=True),
    )
    return (*found, Attr(f"{prefix}.namespace", md(91), force_new=True)) if namespaced else found


def metadata_rules(prefix: str = "metadata") -> tuple[Rule, ...]:
    return (
        Valid(f"{prefix}.annotations", v.kube_annotations, md(19)),
        Valid(f"{prefix}.labels", v.kube_labels, md(31)),
        Valid(f"{prefix}.name", v.kube_name, md(39)),
    )


SPEC = "spec.template.spec"
PROBES = ("liveness_probe", "readiness_probe", "startup_probe")

DEPLOYMENT = ResourceRules(
    "kubernetes_deployment_v1",
    attributes=(
        *metadata(dep(61)),
        Attr("spec", dep(62), BLOCK, required=True, max_items=1),
        Attr("spec.replicas", dep(87)),
        Attr("spec.selector", dep(100), BLOCK, force_new=True, max_items=1),
        Attr("spec.selector.match_labels", dep(138), MAP, force_new=True),
        Attr("spec.strategy", dep(147), BLOCK, max_items=1),
        Attr("spec.strategy.type", dep(155)),
        Attr("spec.strategy.rolling_update", dep(162), BLOCK, max_items=1),
        Attr("spec.strategy.rolling_update.max_surge", dep(170)),
        Attr("spec.strategy.rolling_update.max_unavailable", dep(177)),
        Attr("spec.template", dep(190), BLOCK, required=True, max_items=1),
        *metadata(dep(197), "spec.template.metadata"),
        Attr(SPEC, dep(198), TREE, required=True, max_items=1),
        Attr("wait_for_rollout", dep(213)),
        # Required fields inside the pod template (podSpecFields / containerFields / volumeSchema).
        Attr(f"{SPEC}.container.name", ctr(538), required=True),
        Attr(f"{SPEC}.container.env.name", ctr(298), required=True),
        Attr(f"{SPEC}.container.port.container_port", ctr(550), required=True),
        Attr(f"{SPEC}.container.volume_mount.mount_path", ctr(225), required=True),
        Attr(f"{SPEC}.container.volume_mount.name", ctr(230), required=True),
        Attr(f"{SPEC}.volume.csi.driver", pod(1144), required=True),
    ),
    rules=(
        *metadata_rules(),
        *metadata_rules("spec.template.metadata"),
        Valid("spec.replicas", v.nullable_int, dep(92)),
        Valid("spec.strategy.type", v.one_of("RollingUpdate", "Recreate"), dep(160)),
        Valid("spec.strategy.rolling_update.max_surge", v.matches(r"^([0-9]+|[0-9]+%|)$"), dep(175)),
        Valid("spec.strategy.rolling_update.max_unavailable", v.matches(r"^([0-9]+|[0-9]+%|)$"), dep(182)),
        Valid(f"{SPEC}.container.port.container_port", v.port_number_or_name, ctr(553)),
        Valid(f"{SPEC}.container.port.name", v.port_number_or_name, ctr(574)),
        *(Valid(f"{SPEC}.container.{p}.http_get.port", v.port_number_or_name, ctr(61)) for p in PROBES),
        *(Valid(f"{SPEC}.container.{p}.failure_threshold", v.positive_int, ctr(720)) for p in PROBES),
        *(Valid(f"{SPEC}.container.{p}.period_seconds", v.positive_int, ctr(731)) for p in PROBES),
        *(Valid(f"{SPEC}.container.{p}.timeout_seconds", v.positive_int, ctr(746)) for p in PROBES),
        Valid(f"{SPEC}.termination_grace_period_seconds", v.non_negative_int, pod(440)),
        # corev1.TaintEffect* and TolerationOp* values: k8s.io/api core/v1/types.go:3228-3241, 3278-3279.
        Valid(f"{SPEC}.toleration.effect", v.one_of("NoSchedule", "PreferNoSchedule", "NoExecute"), pod(454)),
        Valid(f"{SPEC}.toleration.operator", v.one_of("Exists", "Equal"), pod(472)),
        # validEmptyDirMediums (:742-749): corev1.StorageMedium* (k8s.io/api core/v1/types.go:1068-1071).
        Valid(
            f"{SPEC}.volume.empty_dir.medium",
            v.one_of("", "Memory", "HugePages", "HugePages-2Mi", "HugePages-1Gi"),
            pod(764),
        ),
        Valid(f"{SPEC}.volume.empty_dir.size_limit", v.resource_quantity, pod(771)),
    ),
)

SERVICE = ResourceRules(
    "kubernetes_service_v1",
    attributes=(
        *metadata(svc(51)),
        Attr("spec", svc(52), BLOCK, required=True, max_items=1),
        Attr("spec.port", svc(171), BLOCK, min_items=1),
        Attr("spec.port.name", svc(183)),
        Attr("spec.port.port", svc(195), required=True),
        Attr("spec.port.protocol", svc(201)),
        Attr("spec.port.target_port", svc(212)),
        Attr("spec.selector", svc(227), MAP),
        Attr("spec.type", svc(271)),
    ),
    rules=(
        *metadata_rules(),
        Valid("spec.port.port", v.int_between(1, 65535), svc(199)),  # validation.IsPortNumber
        Valid("spec.port.protocol", v.one_of("TCP", "UDP", "SCTP"), svc(206)),  # corev1.Protocol*
        # corev1.ServiceType* (k8s.io/api core/v1/types.go:4589-4603).
        Valid("spec.type", v.one_of("ClusterIP", "ExternalName", "NodePort", "LoadBalancer"), svc(276)),
    ),
)

POD_DISRUPTION_BUDGET = ResourceRules(
    "kubernetes_pod_disruption_budget_v1",
    attributes=(
        *metadata(pdb(39)),
        Attr("spec", pdb(43), BLOCK, required=True, force_new=True, max_items=1),
        Attr("spec.max_unavailable", pdb(51), force_new=True),
        Attr("spec.selector", pdb(65), BLOCK, required=True, force_new=True, max_items=1),
        # labelSelectorFields(false): match_labels is ForceNew (!updatable).
        Attr("spec.selector.match_labels", sel(42), MAP, force_new=True),
    ),
    rules=(*metadata_rules(), Valid("spec.max_unavailable", v.nullable_int_or_percent, pdb(56))),
)

HORIZONTAL_POD_AUTOSCALER = ResourceRules(
    "kubernetes_horizontal_pod_autoscaler_v2",
    attributes=(
        *metadata(hpa(15)),
        Attr("spec", hpa(16), BLOCK, required=True, max_items=1),
        Attr("spec.max_replicas", hpa(23), required=True),
        Attr("spec.metric", hpa(28), BLOCK),
        Attr("spec.min_replicas", hpa(35)),
        Attr("spec.scale_target_ref", hpa(66), BLOCK, required=True, max_items=1),
        Attr("spec.scale_target_ref.api_version", hpa(73)),
        Attr("spec.scale_target_ref.kind", hpa(78), required=True),
        Attr("spec.scale_target_ref.name", hpa(83), required=True),
        # metricSpecFields (:283-337), podsMetricSourceFields (:168-185), metricIdentifierFields, metricTargetFields.
        Attr("spec.metric.type", hpa(323), required=True),
        Attr("spec.metric.pods", hpa(309), BLOCK, max_items=1),
        Attr("spec.metric.pods.metric", hpa(172), BLOCK, required=True, max_items=1),
        Attr("spec.metric.pods.metric.name", hpa(152), required=True),
        Attr("spec.metric.pods.target", hpa(179), BLOCK, max_items=1),
        Attr("spec.metric.pods.target.type", hpa(116), required=True),
        Attr("spec.metric.pods.target.average_value", hpa(111)),
    ),
    rules=(
        *metadata_rules(),
        # autoscalingv2beta2.*MetricSourceType (k8s.io/api autoscaling/v2beta2/types.go:236-258).
        Valid("spec.metric.type", v.one_of("ContainerResource", "External", "Object", "Pods", "Resource"), hpa(327)),
    ),
)

SERVICE_ACCOUNT = ResourceRules(
    "kubernetes_service_account_v1",
    attributes=(
        *metadata(Source(KUBERNETES, "kubernetes/resource_kubernetes_service_account_v1.go", 40)),
        Attr(
            "automount_service_account_token",
            Source(KUBERNETES, "kubernetes/resource_kubernetes_service_account_v1.go", 69),
        ),
    ),
    rules=metadata_rules(),
)

NAMESPACE = ResourceRules(
    "kubernetes_namespace_v1",
    attributes=metadata(Source(KUBERNETES, "kubernetes/resource_kubernetes_namespace_v1.go", 34), namespaced=False),
    rules=metadata_rules(),
)

API_SERVICE = ResourceRules(
    "kubernetes_api_service_v1",
    attributes=(
        # metadataSchema("api_service", true): cluster-scoped, so no namespace.
        *metadata(api(32), namespaced=False),
        Attr("spec", api(33), BLOCK, required=True, max_items=1),
        Attr("spec.group", api(45), required=True),
        Attr("spec.group_priority_minimum", api(50), required=True),
        Attr("spec.insecure_skip_tls_verify", api(56)),
        Attr("spec.service", api(62), BLOCK, force_new=True, max_items=1),
        Attr("spec.service.name", api(70), required=True),
        Attr("spec.service.namespace", api(75), required=True),
        Attr("spec.service.port", api(80)),
        Attr("spec.version", api(90), required=True),
        Attr("spec.version_priority", api(95), required=True),
    ),
    rules=(
        *metadata_rules(),
        Valid("spec.group_priority_minimum", v.int_between(0, 20000), api(54)),
        Valid("spec.service.port", v.int_between(1, 65535), api(85)),  # validatePortNum = IsValidPortNum
        Valid("spec.version_priority", v.int_between(0, 1000), api(99)),
    ),
)


def rbac_metadata(key_line: Source, namespaced: bool) -> tuple[tuple[Attr, ...], tuple[Rule, ...]]:
    """metadataSchemaRBAC (schema_rbac.go:14-31): the usual metadata, but names are path segments
    (validateRBACNameFunc), so `system:auth-delegator`-style names with ':' are allowed."""
    rules = metadata_rules()
    rules = (*(r for r in rules if r.path != "metadata.name"), Valid("metadata.name", v.path_segment_name, rbac(24)))
    return metadata(key_line, namespaced=namespaced), rules


ROLE_REF = (
    # rbacRoleRefSchema (schema_rbac.go:44-67): every field Required and ForceNew.
    Attr("role_ref.api_group", rbac(46), required=True, force_new=True),
    Attr("role_ref.kind", rbac(53), required=True, force_new=True),
    Attr("role_ref.name", rbac(60), required=True, force_new=True),
)
SUBJECT = (
    # rbacSubjectSchema (schema_rbac.go:69-94): updatable in place.
    Attr("subject.api_group", rbac(71)),
    Attr("subject.kind", rbac(77), required=True),
    Attr("subject.name", rbac(82), required=True),
    Attr("subject.namespace", rbac(87)),
)
ROLE_REF_RULES = (
    Valid("role_ref.api_group", v.one_of("rbac.authorization.k8s.io"), rbac(51)),
    Valid("role_ref.kind", v.one_of("Role", "ClusterRole"), rbac(58)),
)


def _binding(resource_type: str, src: Callable[[int], Source], namespaced: bool) -> ResourceRules:
    attributes, rules = rbac_metadata(src(30), namespaced)
    return ResourceRules(
        resource_type,
        attributes=(
            *attributes,
            Attr("role_ref", src(31), BLOCK, required=True, force_new=True, max_items=1),
            *ROLE_REF,
            Attr("subject", src(41), BLOCK, required=True, min_items=1),
            *SUBJECT,
        ),
        rules=(*rules, *ROLE_REF_RULES),
    )


CLUSTER_ROLE_BINDING = _binding("kubernetes_cluster_role_binding_v1", crb, namespaced=False)
ROLE_BINDING = _binding("kubernetes_role_binding_v1", rb, namespaced=True)

_cluster_role_metadata, _cluster_role_rules = rbac_metadata(crole(30), namespaced=False)
CLUSTER_ROLE = ResourceRules(
    "kubernetes_cluster_role_v1",
    attributes=(
        *_cluster_role_metadata,
        Attr("rule", crole(31), BLOCK, min_items=1),
        # policyRuleSchema (schema_rbac.go:96-130).
        Attr("rule.api_groups", rbac(98), LIST, min_items=1),
        Attr("rule.non_resource_urls", rbac(105), LIST),
        Attr("rule.resource_names", rbac(111), LIST),
        Attr("rule.resources", rbac(117), LIST),
        Attr("rule.verbs", rbac(123), LIST, required=True),
    ),
    rules=_cluster_role_rules,
)


def _no_status(resource: dict[str, Any]) -> str | None:
    found = resource.get("manifest")
    return (
        "'status' attribute key is not allowed in manifest configuration"
        if (isinstance(found, dict) and "status" in found)
        else None
    )


MANIFEST = ResourceRules(
    "kubernetes_manifest",
    attributes=(
        # A dynamic attribute (manifest/provider/provider.go:181-186): the provider checks its shape itself.
        Attr("manifest", Source(KUBERNETES, "manifest/provider/provider.go", 182), TREE, required=True),
        Attr("manifest.apiVersion", manifest(19), required=True, force_new=True),
        Attr("manifest.kind", manifest(19), required=True, force_new=True),
        Attr("manifest.metadata", manifest(19), TREE, required=True),
        # PlanResourceChange marks these RequiresReplace (plan.go:185-188; namespace for namespaced kinds, :330-333).
        # The rest updates in place when the kind has an OpenAPI schema (a CRD without one: any change replaces,
        # plan.go:342-377; the kit's monitoring.googleapis.com PodMonitoring CRD publishes one).
        Attr("manifest.metadata.name", plan(188), force_new=True),
        Attr("manifest.metadata.namespace", plan(332), force_new=True),
    ),
    rules=(PlanCheck(_no_status, manifest(20)),),
)
