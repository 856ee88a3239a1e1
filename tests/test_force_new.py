"""`hfkit diff` flags every ForceNew attribute the kit emits as a replacement, and nothing else.

The table below lists every attribute the test environments synthesize whose schema is `ForceNew` in the pinned
providers, read in their source: hashicorp/terraform-provider-google v6.50.0 (`google/services/<file>:<line>`, where
the attribute's schema entry says `ForceNew: true`) and hashicorp/terraform-provider-kubernetes v2.38.0 (`k8s <file>:
<line>`). A map or value list inherits ForceNew from its entry (terraform-plugin-sdk v2.37.0 helper/schema/schema.go:
1441-1445, 1505-1557), so its elements are listed under their own paths; a field of a ForceNew *block* that is not
ForceNew itself updates in place (schema.go:1429-1440) and is not listed. The kubernetes_manifest rows are the
provider's `RequiresReplace` paths (plan.go:186-188, 332). The table was checked against the checkouts with
`python -m scripts.provider_rules.verify` (every cited line names the attribute; ForceNew agrees) and by reading each
entry, 2026-12-03.

Each attribute is changed alone in a synthesized environment (the test environments and the ones generated from the
catalogs; one concrete instance, the value edited in the JSON) and compared as `hfkit diff` compares: a listed
attribute must make its resource a replacement, any other emitted attribute must not. Subnetwork `ip_cidr_range` is
forced new by a CustomizeDiff only when the new range does not contain the old one; it is listed apart with the
moved range the test uses.
"""

from __future__ import annotations

import copy
import ipaddress
import json
from collections.abc import Iterator
from typing import Any

import pytest

from scripts.diff.compare import compare, flatten
from scripts.provider_rules.check import index_free
from tests.conftest import CONFIGS, Synthesized

#: (resource type, index-free path) -> where its schema says ForceNew.
FORCE_NEW: dict[tuple[str, str], str] = {
    # google_compute_firewall
    ("google_compute_firewall", "direction"): "compute/resource_compute_firewall.go:225",
    ("google_compute_firewall", "name"): "compute/resource_compute_firewall.go:169",
    ("google_compute_firewall", "project"): "compute/resource_compute_firewall.go:395",
    # google_compute_network
    ("google_compute_network", "auto_create_subnetworks"): "compute/resource_compute_network.go:74",
    ("google_compute_network", "name"): "compute/resource_compute_network.go:61",
    ("google_compute_network", "project"): "compute/resource_compute_network.go:216",
    # google_compute_resource_policy
    ("google_compute_resource_policy", "project"): "compute/resource_compute_resource_policy.go:396",
    ("google_compute_resource_policy", "region"): "compute/resource_compute_resource_policy.go:198",
    (
        "google_compute_resource_policy",
        "workload_policy.accelerator_topology",
    ): "compute/resource_compute_resource_policy.go:376",
    ("google_compute_resource_policy", "workload_policy.type"): "compute/resource_compute_resource_policy.go:369",
    # google_compute_router
    ("google_compute_router", "name"): "compute/resource_compute_router.go:79",
    ("google_compute_router", "network"): "compute/resource_compute_router.go:91",
    ("google_compute_router", "project"): "compute/resource_compute_router.go:233",
    ("google_compute_router", "region"): "compute/resource_compute_router.go:220",
    # google_compute_router_nat
    ("google_compute_router_nat", "name"): "compute/resource_compute_router_nat.go:218",
    ("google_compute_router_nat", "project"): "compute/resource_compute_router_nat.go:456",
    ("google_compute_router_nat", "region"): "compute/resource_compute_router_nat.go:385",
    ("google_compute_router_nat", "router"): "compute/resource_compute_router_nat.go:226",
    # google_compute_subnetwork
    ("google_compute_subnetwork", "name"): "compute/resource_compute_subnetwork.go:128",
    ("google_compute_subnetwork", "network"): "compute/resource_compute_subnetwork.go:141",
    ("google_compute_subnetwork", "project"): "compute/resource_compute_subnetwork.go:459",
    ("google_compute_subnetwork", "region"): "compute/resource_compute_subnetwork.go:322",
    # google_container_cluster
    ("google_container_cluster", "datapath_provider"): "container/resource_container_cluster.go:2052",
    ("google_container_cluster", "initial_node_count"): "container/resource_container_cluster.go:1014",
    (
        "google_container_cluster",
        "ip_allocation_policy.cluster_secondary_range_name",
    ): "container/resource_container_cluster.go:1609",
    (
        "google_container_cluster",
        "ip_allocation_policy.services_secondary_range_name",
    ): "container/resource_container_cluster.go:1618",
    ("google_container_cluster", "location"): "container/resource_container_cluster.go:305",
    (
        "google_container_cluster",
        "master_auth.client_certificate_config.issue_client_certificate",
    ): "container/resource_container_cluster.go:1350",
    ("google_container_cluster", "name"): "container/resource_container_cluster.go:272",
    ("google_container_cluster", "network"): "container/resource_container_cluster.go:1405",
    ("google_container_cluster", "networking_mode"): "container/resource_container_cluster.go:1693",
    (
        "google_container_cluster",
        "private_cluster_config.enable_private_nodes",
    ): "container/resource_container_cluster.go:1780",
    (
        "google_container_cluster",
        "private_cluster_config.master_ipv4_cidr_block",
    ): "container/resource_container_cluster.go:1788",
    ("google_container_cluster", "project"): "container/resource_container_cluster.go:1536",
    ("google_container_cluster", "subnetwork"): "container/resource_container_cluster.go:1544",
    # google_container_node_pool
    ("google_container_node_pool", "cluster"): "container/resource_container_node_pool.go:78",
    ("google_container_node_pool", "initial_node_count"): "container/resource_container_node_pool.go:292",
    ("google_container_node_pool", "location"): "container/resource_container_node_pool.go:84",
    ("google_container_node_pool", "name"): "container/resource_container_node_pool.go:339",
    ("google_container_node_pool", "node_config.flex_start"): "container/node_config.go:1020",
    ("google_container_node_pool", "node_config.guest_accelerator.count"): "container/node_config.go:172",
    (
        "google_container_node_pool",
        "node_config.guest_accelerator.gpu_driver_installation_config.gpu_driver_version",
    ): "container/node_config.go:194",
    (
        "google_container_node_pool",
        "node_config.guest_accelerator.gpu_sharing_config.gpu_sharing_strategy",
    ): "container/node_config.go:218",
    (
        "google_container_node_pool",
        "node_config.guest_accelerator.gpu_sharing_config.max_shared_clients_per_gpu",
    ): "container/node_config.go:224",
    ("google_container_node_pool", "node_config.guest_accelerator.type"): "container/node_config.go:178",
    ("google_container_node_pool", "node_config.metadata.disable-legacy-endpoints"): "container/node_config.go:367",
    ("google_container_node_pool", "node_config.oauth_scopes"): "container/node_config.go:384",
    (
        "google_container_node_pool",
        "node_config.reservation_affinity.consume_reservation_type",
    ): "container/node_config.go:415",
    ("google_container_node_pool", "node_config.reservation_affinity.key"): "container/node_config.go:422",
    ("google_container_node_pool", "node_config.reservation_affinity.values"): "container/node_config.go:428",
    ("google_container_node_pool", "node_config.service_account"): "container/node_config.go:448",
    (
        "google_container_node_pool",
        "node_config.shielded_instance_config.enable_integrity_monitoring",
    ): "container/node_config.go:486",
    (
        "google_container_node_pool",
        "node_config.shielded_instance_config.enable_secure_boot",
    ): "container/node_config.go:479",
    ("google_container_node_pool", "node_config.spot"): "container/node_config.go:440",
    ("google_container_node_pool", "placement_policy.policy_name"): "container/resource_container_node_pool.go:206",
    ("google_container_node_pool", "project"): "container/resource_container_node_pool.go:71",
    ("google_container_node_pool", "queued_provisioning.enabled"): "container/resource_container_node_pool.go:229",
    # google_iam_workload_identity_pool
    ("google_iam_workload_identity_pool", "project"): "iambeta/resource_iam_workload_identity_pool.go:133",
    (
        "google_iam_workload_identity_pool",
        "workload_identity_pool_id",
    ): "iambeta/resource_iam_workload_identity_pool.go:88",
    # google_iam_workload_identity_pool_provider
    (
        "google_iam_workload_identity_pool_provider",
        "project",
    ): "iambeta/resource_iam_workload_identity_pool_provider.go:382",
    (
        "google_iam_workload_identity_pool_provider",
        "workload_identity_pool_id",
    ): "iambeta/resource_iam_workload_identity_pool_provider.go:89",
    (
        "google_iam_workload_identity_pool_provider",
        "workload_identity_pool_provider_id",
    ): "iambeta/resource_iam_workload_identity_pool_provider.go:97",
    # google_kms_crypto_key_iam_member
    ("google_kms_crypto_key_iam_member", "crypto_key_id"): "kms/iam_kms_crypto_key.go:32",
    ("google_kms_crypto_key_iam_member", "member"): "google/tpgiamresource/resource_iam_member.go:68",
    ("google_kms_crypto_key_iam_member", "role"): "google/tpgiamresource/resource_iam_member.go:63",
    # google_project_iam_member
    ("google_project_iam_member", "member"): "google/tpgiamresource/resource_iam_member.go:68",
    ("google_project_iam_member", "project"): "resourcemanager/iam_project.go:31",
    ("google_project_iam_member", "role"): "google/tpgiamresource/resource_iam_member.go:63",
    # google_secret_manager_secret
    ("google_secret_manager_secret", "project"): "secretmanager/resource_secret_manager_secret.go:348",
    ("google_secret_manager_secret", "secret_id"): "secretmanager/resource_secret_manager_secret.go:174",
    # google_secret_manager_secret_iam_member
    ("google_secret_manager_secret_iam_member", "member"): "google/tpgiamresource/resource_iam_member.go:68",
    ("google_secret_manager_secret_iam_member", "project"): "secretmanager/iam_secret_manager_secret.go:35",
    ("google_secret_manager_secret_iam_member", "role"): "google/tpgiamresource/resource_iam_member.go:63",
    ("google_secret_manager_secret_iam_member", "secret_id"): "secretmanager/iam_secret_manager_secret.go:41",
    # google_service_account
    ("google_service_account", "account_id"): "resourcemanager/resource_google_service_account.go:69",
    ("google_service_account", "project"): "resourcemanager/resource_google_service_account.go:93",
    # google_service_account_iam_member
    ("google_service_account_iam_member", "member"): "google/tpgiamresource/resource_iam_member.go:68",
    ("google_service_account_iam_member", "role"): "google/tpgiamresource/resource_iam_member.go:63",
    ("google_service_account_iam_member", "service_account_id"): "resourcemanager/iam_service_account.go:34",
    # google_storage_bucket
    ("google_storage_bucket", "location"): "storage/resource_storage_bucket.go:143",
    ("google_storage_bucket", "name"): "storage/resource_storage_bucket.go:85",
    ("google_storage_bucket", "project"): "storage/resource_storage_bucket.go:153",
    # google_storage_bucket_iam_member
    ("google_storage_bucket_iam_member", "bucket"): "storage/iam_storage_bucket.go:34",
    ("google_storage_bucket_iam_member", "condition.description"): "google/tpgiamresource/resource_iam_member.go:92",
    ("google_storage_bucket_iam_member", "condition.expression"): "google/tpgiamresource/resource_iam_member.go:82",
    ("google_storage_bucket_iam_member", "condition.title"): "google/tpgiamresource/resource_iam_member.go:87",
    ("google_storage_bucket_iam_member", "member"): "google/tpgiamresource/resource_iam_member.go:68",
    ("google_storage_bucket_iam_member", "role"): "google/tpgiamresource/resource_iam_member.go:63",
    # kubernetes_api_service_v1
    ("kubernetes_api_service_v1", "metadata.name"): "k8s schema_metadata.go:33",
    # kubernetes_cluster_role_binding_v1
    ("kubernetes_cluster_role_binding_v1", "metadata.name"): "k8s schema_metadata.go:33",
    ("kubernetes_cluster_role_binding_v1", "role_ref.api_group"): "k8s schema_rbac.go:46",
    ("kubernetes_cluster_role_binding_v1", "role_ref.kind"): "k8s schema_rbac.go:53",
    ("kubernetes_cluster_role_binding_v1", "role_ref.name"): "k8s schema_rbac.go:60",
    # kubernetes_cluster_role_v1
    ("kubernetes_cluster_role_v1", "metadata.name"): "k8s schema_metadata.go:33",
    # kubernetes_deployment_v1
    ("kubernetes_deployment_v1", "metadata.name"): "k8s schema_metadata.go:33",
    ("kubernetes_deployment_v1", "metadata.namespace"): "k8s schema_metadata.go:91",
    (
        "kubernetes_deployment_v1",
        "spec.selector.match_labels.app.kubernetes.io/component",
    ): "k8s resource_kubernetes_deployment_v1.go:138",
    (
        "kubernetes_deployment_v1",
        "spec.selector.match_labels.app.kubernetes.io/managed-by",
    ): "k8s resource_kubernetes_deployment_v1.go:138",
    (
        "kubernetes_deployment_v1",
        "spec.selector.match_labels.app.kubernetes.io/name",
    ): "k8s resource_kubernetes_deployment_v1.go:138",
    ("kubernetes_deployment_v1", "spec.selector.match_labels.k8s-app"): "k8s resource_kubernetes_deployment_v1.go:138",
    # kubernetes_horizontal_pod_autoscaler_v2
    ("kubernetes_horizontal_pod_autoscaler_v2", "metadata.name"): "k8s schema_metadata.go:33",
    ("kubernetes_horizontal_pod_autoscaler_v2", "metadata.namespace"): "k8s schema_metadata.go:91",
    # kubernetes_manifest
    ("kubernetes_manifest", "manifest.apiVersion"): "k8s manifest/provider/plan.go:186",
    ("kubernetes_manifest", "manifest.kind"): "k8s manifest/provider/plan.go:187",
    ("kubernetes_manifest", "manifest.metadata.name"): "k8s manifest/provider/plan.go:188",
    ("kubernetes_manifest", "manifest.metadata.namespace"): "k8s manifest/provider/plan.go:332",
    # kubernetes_namespace_v1
    ("kubernetes_namespace_v1", "metadata.name"): "k8s schema_metadata.go:33",
    # kubernetes_pod_disruption_budget_v1
    ("kubernetes_pod_disruption_budget_v1", "metadata.name"): "k8s schema_metadata.go:33",
    ("kubernetes_pod_disruption_budget_v1", "metadata.namespace"): "k8s schema_metadata.go:91",
    (
        "kubernetes_pod_disruption_budget_v1",
        "spec.max_unavailable",
    ): "k8s resource_kubernetes_pod_disruption_budget_v1.go:51",
    (
        "kubernetes_pod_disruption_budget_v1",
        "spec.selector.match_labels.app.kubernetes.io/component",
    ): "k8s schema_label_selector.go:42",
    (
        "kubernetes_pod_disruption_budget_v1",
        "spec.selector.match_labels.app.kubernetes.io/managed-by",
    ): "k8s schema_label_selector.go:42",
    (
        "kubernetes_pod_disruption_budget_v1",
        "spec.selector.match_labels.app.kubernetes.io/name",
    ): "k8s schema_label_selector.go:42",
    # kubernetes_role_binding_v1
    ("kubernetes_role_binding_v1", "metadata.name"): "k8s schema_metadata.go:33",
    ("kubernetes_role_binding_v1", "metadata.namespace"): "k8s schema_metadata.go:91",
    ("kubernetes_role_binding_v1", "role_ref.api_group"): "k8s schema_rbac.go:46",
    ("kubernetes_role_binding_v1", "role_ref.kind"): "k8s schema_rbac.go:53",
    ("kubernetes_role_binding_v1", "role_ref.name"): "k8s schema_rbac.go:60",
    # kubernetes_service_account_v1
    ("kubernetes_service_account_v1", "metadata.name"): "k8s schema_metadata.go:33",
    ("kubernetes_service_account_v1", "metadata.namespace"): "k8s schema_metadata.go:91",
    # kubernetes_service_v1
    ("kubernetes_service_v1", "metadata.name"): "k8s schema_metadata.go:33",
    ("kubernetes_service_v1", "metadata.namespace"): "k8s schema_metadata.go:91",
}

#: ForceNew in the schema, but the cluster's `lifecycle.ignore_changes = [node_config]` (the default pool's node
#: config, read at creation only: hashicorp/terraform-provider-google#24069) keeps Terraform from planning any change.
FORCE_NEW_BUT_IGNORED: dict[tuple[str, str], str] = {
    ("google_container_cluster", "node_config.metadata.disable-legacy-endpoints"): "container/node_config.go:367",
    ("google_container_cluster", "node_config.oauth_scopes"): "container/node_config.go:384",
    ("google_container_cluster", "node_config.service_account"): "container/node_config.go:448",
    (
        "google_container_cluster",
        "node_config.shielded_instance_config.enable_integrity_monitoring",
    ): "container/node_config.go:486",
    (
        "google_container_cluster",
        "node_config.shielded_instance_config.enable_secure_boot",
    ): "container/node_config.go:479",
}

#: Forced new by a CustomizeDiff for the value the test writes: 10.10.0.0/20 -> 10.11.0.0/20 does not contain the old
#: range (compute/resource_compute_subnetwork.go:122, ForceNewIfChange("ip_cidr_range", IsShrinkageIpCidr)).
FORCED_BY_CUSTOMIZE_DIFF: dict[tuple[str, str], str] = {
    ("google_compute_subnetwork", "ip_cidr_range"): "compute/resource_compute_subnetwork.go:122",
}


def changed(value: Any) -> Any:
    """Another value of the same kind: a bool flipped, a number raised, a CIDR moved past itself, a string edited."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        try:
            network = ipaddress.ip_network(value) if "/" in value else None
        except ValueError:
            network = None
        if network is None:
            return f"{value}-changed"
        if network.prefixlen == 0:
            return str(next(network.subnets(new_prefix=1)))
        moved = ipaddress.ip_network((int(network.network_address) + network.num_addresses, network.prefixlen))
        return str(moved)
    raise TypeError(f"no edit for {value!r}")


def set_at(node: Any, path: str, value: Any) -> None:
    """Write `value` at a flattened path (`a.b[0].c`); map keys may hold dots, so walk by the keys that exist."""
    rest = path
    while True:
        if rest.startswith("["):
            index, _, rest = rest[1:].partition("]")
            rest = rest.removeprefix(".")
            if not rest:
                node[int(index)] = value
                return
            node = node[int(index)]
            continue
        key = next(k for k in sorted(node, key=len, reverse=True) if rest == k or rest.startswith((f"{k}.", f"{k}[")))
        rest = rest[len(key) :].removeprefix(".")
        if not rest:
            node[key] = value
            return
        node = node[key]


Instance = tuple[str, str, str, str, str]  # config, stack id, resource type, resource name, concrete path


def leaves(synthesized: dict[str, Synthesized]) -> Iterator[Instance]:
    """Every scalar attribute value of every resource of every given environment's stacks."""
    for config in synthesized:
        for stack_file in sorted(synthesized[config].stacks_dir.glob("*/cdk.tf.json")):
            stack = json.loads(stack_file.read_text())
            for resource_type, by_name in stack.get("resource", {}).items():
                for name, body in by_name.items():
                    arguments = {k: v for k, v in body.items() if k not in ("//", "lifecycle", "depends_on")}
                    for path, value in flatten(arguments).items():
                        if isinstance(value, bool | int | float | str):
                            yield config, stack_file.parent.name, resource_type, name, path


@pytest.fixture(scope="module")
def environments(synthesized: dict[str, Synthesized], generated: dict[str, Synthesized]) -> dict[str, Synthesized]:
    """The test environments, then the ones generated from the catalogs (tests/generated.py: every TPU shape, GPU
    machine, capacity model and zone), so an attribute only a generated environment emits is checked too."""
    return {**{c: synthesized[c] for c in CONFIGS}, **{f"generated/{n}": g for n, g in generated.items()}}


@pytest.fixture(scope="module")
def first_instance(environments: dict[str, Synthesized]) -> dict[tuple[str, str], Instance]:
    """(type, index-free path) -> its first instance in the environments."""
    found: dict[tuple[str, str], Instance] = {}
    for instance in leaves(environments):
        found.setdefault((instance[2], index_free(instance[4])), instance)
    return found


def effect_of_changing(synthesized: dict[str, Synthesized], instance: Instance) -> tuple[str, list[tuple[str, str]]]:
    """Change one attribute value of a synthesized stack and compare as hfkit diff does: the resource's action
    ("none" when nothing is planned) and each planned change's (path, effect)."""
    config, stack_id, resource_type, name, path = instance
    before = synthesized[config].stack(stack_id)
    after = copy.deepcopy(before)
    resource = after["resource"][resource_type][name]
    old = flatten(resource)[path]
    set_at(resource, path, changed(old))
    found = [
        r
        for s in compare({stack_id: before}, {stack_id: after})
        for r in s.resources
        if r.address == f"{resource_type}.{name}"
    ]
    if not found:
        return "none", []
    return found[0].action, [(c.path, c.effect) for c in found[0].changes]


@pytest.mark.parametrize("key", list(FORCE_NEW) + list(FORCED_BY_CUSTOMIZE_DIFF), ids="{0[0]} {0[1]}".format)
def test_changing_a_force_new_attribute_is_a_replacement(
    environments: dict[str, Synthesized], first_instance: dict[tuple[str, str], Instance], key: tuple[str, str]
) -> None:
    source = FORCE_NEW.get(key) or FORCED_BY_CUSTOMIZE_DIFF[key]
    instance = first_instance[key]
    assert effect_of_changing(environments, instance) == ("replace", [(instance[4], "replace")]), source


@pytest.mark.parametrize("key", list(FORCE_NEW_BUT_IGNORED), ids="{0[0]} {0[1]}".format)
def test_force_new_attributes_under_ignore_changes_plan_nothing(
    environments: dict[str, Synthesized], first_instance: dict[tuple[str, str], Instance], key: tuple[str, str]
) -> None:
    assert effect_of_changing(environments, first_instance[key]) == ("none", []), FORCE_NEW_BUT_IGNORED[key]


def test_no_other_emitted_attribute_is_a_replacement(
    environments: dict[str, Synthesized], first_instance: dict[tuple[str, str], Instance]
) -> None:
    """The table is complete (an attribute the kit starts to emit with ForceNew must join it, with its source) and
    no in-place attribute (node labels, autoscaling bounds, machine type, disk, node locations, tpu_topology, ...) is
    called a replacement."""
    replaced = {
        key for key, instance in first_instance.items() if effect_of_changing(environments, instance)[0] == "replace"
    }
    assert replaced == set(FORCE_NEW) | set(FORCED_BY_CUSTOMIZE_DIFF)
    assert set(FORCE_NEW) | set(FORCE_NEW_BUT_IGNORED) <= set(first_instance)
