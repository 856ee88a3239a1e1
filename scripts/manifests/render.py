"""Turn the serving stack's synthesized Terraform into the Kubernetes manifests the kubernetes provider would send.

The provider (hashicorp/kubernetes 2.38.0) names attributes in snake_case and writes repeated blocks in the singular;
its expanders map them back onto the Kubernetes API (`container` -> `containers`, `volume_mount` -> `volumeMounts`,
intstr fields parsed as in k8s.io/apimachinery `intstr.Parse`: a decimal string becomes an integer). This module
applies the same mapping to the synthesized JSON, and resolves the references Terraform would fill in (namespaces,
and the identities and storage stacks' outputs: service account emails, bucket names). Anything it cannot map is an
error, never a guess: the rendered objects are validated against the Kubernetes OpenAPI schema in the tests, strict
about unknown fields, so a wrong name here fails there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: (apiVersion, kind) per kubernetes provider resource type the serving stack declares.
KINDS: dict[str, tuple[str, str]] = {
    "kubernetes_namespace_v1": ("v1", "Namespace"),
    "kubernetes_service_account_v1": ("v1", "ServiceAccount"),
    "kubernetes_service_v1": ("v1", "Service"),
    "kubernetes_deployment_v1": ("apps/v1", "Deployment"),
    "kubernetes_horizontal_pod_autoscaler_v2": ("autoscaling/v2", "HorizontalPodAutoscaler"),
    "kubernetes_pod_disruption_budget_v1": ("policy/v1", "PodDisruptionBudget"),
    "kubernetes_cluster_role_v1": ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    "kubernetes_cluster_role_binding_v1": ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    "kubernetes_role_binding_v1": ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    "kubernetes_api_service_v1": ("apiregistration.k8s.io/v1", "APIService"),
}
#: Apply order (kubectl applies a folder's files by name): what others refer to first.
ORDER = (
    "Namespace",
    "ServiceAccount",
    "ClusterRole",
    "ClusterRoleBinding",
    "RoleBinding",
    "Service",
    "Deployment",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "PodMonitoring",
    "APIService",
)
#: Terraform-only arguments of a resource (meta-arguments and provider behaviour), not part of the object.
TERRAFORM_ONLY = {"//", "depends_on", "lifecycle", "provider", "count", "for_each", "timeouts", "wait_for_rollout"}
#: Repeated blocks the provider names in the singular.
PLURALS = {
    "container": "containers",
    "init_container": "initContainers",
    "volume": "volumes",
    "volume_mount": "volumeMounts",
    "toleration": "tolerations",
    "metric": "metrics",
    "subject": "subjects",
    "rule": "rules",
}
#: Lists of at most one block in the provider whose Kubernetes field is a single object.
SINGLE_BLOCK_LISTS = {"pre_stop", "post_start"}
#: Names whose camelCase is not the mechanical one.
SPECIAL = {"insecure_skip_tls_verify": "insecureSkipTLSVerify"}
#: Map arguments: their keys are data (label keys, resource names), never renamed.
MAPS = {"labels", "annotations", "node_selector", "match_labels", "volume_attributes", "limits", "requests"}
#: int-or-string fields the provider takes as strings and parses with intstr.Parse.
INT_OR_STRING = {"target_port", "max_surge", "max_unavailable", "min_available"}
#: Integer fields the provider takes as strings.
STRING_INTS = {"replicas", "run_as_user", "run_as_group"}
#: Attributes Terraform computes that the kit reads: google_service_account.email is `account_id@project.iam
#: .gserviceaccount.com` (hashicorp/terraform-provider-google v6.50.0 resource_google_service_account.go).
COMPUTED = {("google_service_account", "email"): lambda r: f"{r['account_id']}@{r['project']}.iam.gserviceaccount.com"}

_REFERENCE = re.compile(r"^\$\{([^${}]+)\}$")
_INDEX = re.compile(r"\[\d+\]")
_DECIMAL = re.compile(r"^[+-]?\d+$")


class RenderError(ValueError):
    """Something in the synthesized stack has no Kubernetes equivalent the renderer knows."""


@dataclass(frozen=True)
class Manifest:
    folder: str
    """The deployment it belongs to (its name), or the construct scope (e.g. `metrics-adapter`)."""
    body: dict[str, Any]

    @property
    def filename(self) -> str:
        kind = self.body["kind"]
        return f"{ORDER.index(kind):02d}-{kind.lower()}-{self.body['metadata']['name'].replace(':', '-')}.yaml"


def field(name: str, value: Any) -> str:
    """The Kubernetes field of a provider argument: repeated blocks become plurals (a container's or Service's `port`
    blocks become `ports`), a single block keeps its name (an HPA's `pods.metric`, a probe's `port`)."""
    if isinstance(value, list) and name in PLURALS:
        return PLURALS[name]
    if isinstance(value, list) and name == "port":
        return "ports"
    return camel(name)


def camel(name: str) -> str:
    if name in SPECIAL:
        return SPECIAL[name]
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def intstr(value: Any) -> Any:
    """k8s.io/apimachinery intstr.Parse: a decimal string is an integer, anything else stays a string."""
    return int(value) if isinstance(value, str) and _DECIMAL.match(value) else value


class Renderer:
    """Renders the serving stack of one synthesized environment (`stacks`: stack id -> its cdk.tf.json)."""

    def __init__(self, stacks: dict[str, dict[str, Any]], stack_id: str = "serving") -> None:
        self.stacks = stacks
        self.stack_id = stack_id

    def manifests(self) -> list[Manifest]:
        found = []
        resources = self.stacks[self.stack_id].get("resource", {})
        for resource_type, by_id in sorted(resources.items()):
            for logical_id, resource in sorted(by_id.items()):
                body = self.render(resource_type, resource)
                scope = logical_id.split("_", 1)[0]
                found.append(Manifest(scope.removeprefix("model-"), body))
        return sorted(found, key=lambda m: (m.folder, m.filename))

    def render(self, resource_type: str, resource: dict[str, Any]) -> dict[str, Any]:
        if resource_type == "kubernetes_manifest":
            return self._resolve_all(resource["manifest"])
        if resource_type not in KINDS:
            raise RenderError(f"{resource_type}: no Kubernetes kind known for this resource type")
        api_version, kind = KINDS[resource_type]
        body: dict[str, Any] = {"apiVersion": api_version, "kind": kind}
        for key, value in resource.items():
            if key not in TERRAFORM_ONLY:
                body[field(key, value)] = self._convert(key, value)
        ignored = resource.get("lifecycle", {}).get("ignore_changes", [])
        if "spec[0].replicas" in ignored:
            # Terraform stops owning the count once created (the autoscaler does); GitOps must not declare it either.
            body["spec"].pop("replicas", None)
        return body

    def _convert(self, key: str, value: Any) -> Any:
        if isinstance(value, str):
            value = self.resolve(value)
            if key in INT_OR_STRING or key == "port":
                return intstr(value)
            return int(value) if key in STRING_INTS else value
        if isinstance(value, dict):
            if key in MAPS or (key == "selector" and all(isinstance(v, str) for v in value.values())):
                return {k: self.resolve(v) if isinstance(v, str) else v for k, v in value.items()}
            return {field(k, v): self._convert(k, v) for k, v in value.items()}
        if isinstance(value, list):
            items = [self._convert(key, item) for item in value]
            if key in SINGLE_BLOCK_LISTS:
                if len(items) != 1:
                    raise RenderError(f"{key}: expected exactly one block, got {len(items)}")
                return items[0]
            return items
        return value

    def _resolve_all(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.resolve(value)
        if isinstance(value, dict):
            return {k: self._resolve_all(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._resolve_all(v) for v in value]
        return value

    def resolve(self, text: str, stack_id: str | None = None) -> str:
        """A string with no Terraform reference left: `${TYPE.NAME.ATTR...}` and remote state outputs are followed."""
        if "${" not in text:
            return text
        match = _REFERENCE.match(text)
        if match is None:
            raise RenderError(f"{text!r}: only a whole-string reference can be rendered")
        stack_id = stack_id or self.stack_id
        parts = _INDEX.sub("", match[1]).split(".")
        if parts[:2] == ["data", "terraform_remote_state"] and parts[3] == "outputs":
            producer = parts[2].removeprefix("cross-stack-reference-input-")
            output = self.stacks[producer]["output"][parts[4]]["value"]
            return self.resolve(output, producer)
        resource_type, name, *path = parts
        try:
            resource = self.stacks[stack_id]["resource"][resource_type][name]
        except KeyError:
            raise RenderError(f"{text!r}: no such resource in stack {stack_id}") from None
        if (resource_type, path[0]) in COMPUTED and len(path) == 1:
            return COMPUTED[(resource_type, path[0])](resource)
        value: Any = resource
        for step in path:
            if not isinstance(value, dict) or step not in value:
                raise RenderError(f"{text!r}: {step!r} is computed by Terraform and the renderer cannot know it")
            value = value[step]
        if not isinstance(value, str):
            raise RenderError(f"{text!r}: not a string")
        return self.resolve(value, stack_id)
