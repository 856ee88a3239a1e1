"""The pinned providers' own rules (hashicorp/google v6.50.0, hashicorp/kubernetes v2.38.0; scripts/provider_rules,
each rule citing its Go source line) applied offline to every synthesized stack of every test environment: the
closest thing to `terraform validate` without downloading the providers.

Each rule is shown to bite: a real synthesized resource, made bad by hand (BAD below), must be refused by exactly
that rule. The bad values are chosen from the Go source of the rule (or its upstream unit tests), not from the kit.
"""

from __future__ import annotations

import copy
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.provider_rules import validators as v
from scripts.provider_rules.catalog import RULES
from scripts.provider_rules.check import check_resource, resources, unknown, violations
from scripts.provider_rules.model import (
    BLOCK,
    LIST,
    TREE,
    AtLeastOneOf,
    Attr,
    ExactlyOneOf,
    PlanCheck,
    ResourceRules,
    Rule,
    Valid,
    source_in,
)
from scripts.provider_rules.verify import Sources, verify
from tests.conftest import CONFIGS, Synthesized


def stacks_of(synth: Synthesized) -> dict[str, dict[str, Any]]:
    return {p.name: synth.stack(p.name) for p in sorted(synth.stacks_dir.iterdir()) if p.is_dir()}


@pytest.mark.parametrize("config", list(CONFIGS))
def test_every_synthesized_stack_passes_the_provider_rules(synthesized: dict[str, Synthesized], config: str) -> None:
    found = [
        f"{stack_id}: {problem}"
        for stack_id, stack in stacks_of(synthesized[config]).items()
        for problem in violations(stack)
    ]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("config", list(CONFIGS))
def test_the_rules_describe_every_attribute_the_kit_emits(synthesized: dict[str, Synthesized], config: str) -> None:
    """Without this, an attribute the kit starts to emit would have no ForceNew fact and hfkit diff would guess."""
    found = [f"{stack_id}: {u}" for stack_id, stack in stacks_of(synthesized[config]).items() for u in unknown(stack)]
    assert found == [], "add these to scripts/provider_rules (with their provider source lines):\n" + "\n".join(found)


# --- every rule can fail ---------------------------------------------------------------------------------------

DELETE = object()


def rule_id(resource_type: str, rule: Rule) -> str:
    if isinstance(rule, PlanCheck):
        return f"{resource_type} PlanCheck {rule.test.__name__}"
    paths = rule.paths if isinstance(rule, ExactlyOneOf | AtLeastOneOf) else (rule.path,)
    return f"{resource_type} {type(rule).__name__} {paths[0]}"


#: rule id -> the edits that break it, each value chosen from the rule's Go source (or that validator's upstream unit
#: tests). Paths step into the first block of a list; missing blocks are created.
BAD: dict[str, dict[str, Any]] = {
    # node_config (node_config.go), shared by the node pool and the cluster
    "google_container_cluster Valid node_config.workload_metadata_config.mode": {
        "node_config.workload_metadata_config.mode": "GKE_METADATA_SERVER"
    },
    **{
        f"google_container_node_pool Valid {path}": {path: value}
        for path, value in {
            "node_config.disk_size_gb": 9,  # IntAtLeast(10)
            "node_config.guest_accelerator.gpu_driver_installation_config.gpu_driver_version": "NEWEST",
            "node_config.reservation_affinity.consume_reservation_type": "SOME_RESERVATION",
            "node_config.taint.effect": "NoSchedule",  # the Kubernetes spelling; the provider takes NO_SCHEDULE
            "node_config.workload_metadata_config.mode": "GKE_METADATA_SERVER",  # the pre-GA name
        }.items()
    },
    "google_container_node_pool Valid autoscaling.min_node_count": {"autoscaling.min_node_count": -1},
    "google_container_node_pool Valid autoscaling.max_node_count": {"autoscaling.max_node_count": -1},
    "google_container_node_pool Valid autoscaling.total_min_node_count": {"autoscaling.total_min_node_count": -1},
    "google_container_node_pool Valid autoscaling.total_max_node_count": {"autoscaling.total_max_node_count": -1},
    "google_container_node_pool Valid autoscaling.location_policy": {"autoscaling.location_policy": "RANDOM"},
    "google_container_node_pool Valid node_count": {"node_count": -1},
    # the cluster (resource_container_cluster.go)
    "google_container_cluster Valid master_authorized_networks_config.cidr_blocks.cidr_block": {
        "master_authorized_networks_config.cidr_blocks": [{"cidr_block": "203.0.113.7"}]  # a bare address
    },
    "google_container_cluster Valid name": {"name": "hfkit_Dev"},
    "google_container_cluster AtLeastOneOf addons_config.http_load_balancing": {"addons_config": {}},
    "google_container_cluster Valid binary_authorization.evaluation_mode": {
        "binary_authorization.evaluation_mode": "ENFORCE"
    },
    "google_container_cluster ConflictsWith binary_authorization.evaluation_mode": {
        "binary_authorization.enabled": True
    },
    "google_container_cluster ConflictsWith enable_shielded_nodes": {"enable_autopilot": True},
    "google_container_cluster Valid logging_config.enable_components": {
        "logging_config.enable_components": ["SYSTEM_COMPONENTS", "KUBELET"]  # KUBELET is a monitoring component
    },
    "google_container_cluster ExactlyOneOf maintenance_policy.daily_maintenance_window": {
        "maintenance_policy.recurring_window": {"start_time": "2026-01-01T03:00:00Z"}
    },
    "google_container_cluster Valid maintenance_policy.daily_maintenance_window.start_time": {
        "maintenance_policy.daily_maintenance_window.start_time": "3:00"  # validation_test.go:165
    },
    "google_container_cluster ConflictsWith network_policy": {"enable_autopilot": True},
    "google_container_cluster ConflictsWith ip_allocation_policy": {"cluster_ipv4_cidr": "10.0.0.0/14"},
    "google_container_cluster ConflictsWith ip_allocation_policy.cluster_secondary_range_name": {
        "ip_allocation_policy.cluster_ipv4_cidr_block": "10.0.0.0/14"
    },
    "google_container_cluster ConflictsWith ip_allocation_policy.services_secondary_range_name": {
        "ip_allocation_policy.services_ipv4_cidr_block": "10.4.0.0/20"
    },
    "google_container_cluster Valid networking_mode": {"networking_mode": "VPC"},
    "google_container_cluster ConflictsWith remove_default_node_pool": {"enable_autopilot": True},
    "google_container_cluster AtLeastOneOf private_cluster_config.enable_private_endpoint": {
        "private_cluster_config": {}
    },
    "google_container_cluster Valid private_cluster_config.master_ipv4_cidr_block": {
        "private_cluster_config.master_ipv4_cidr_block": "172.16.0.0/29"  # IsCIDRNetwork(28, 28)
    },
    "google_container_cluster Valid release_channel.channel": {"release_channel.channel": "LTS"},
    "google_container_cluster Valid datapath_provider": {"datapath_provider": "CILIUM"},
    "google_container_cluster ConflictsWith enable_intranode_visibility": {"enable_autopilot": True},
    # compute (google/services/compute/*.go)
    "google_compute_network Valid name": {"name": "Hfkit"},
    # resource_compute_resource_policy.go: the RFC 1035 name its description states (:69-75), the type enum (:373)
    "google_compute_resource_policy Valid name": {"name": "hfkit-gen-tpu7x-2x2x2-"},
    "google_compute_resource_policy Valid workload_policy.type": {"workload_policy.type": "HIGH_BANDWIDTH"},
    "google_compute_network Valid routing_mode": {"routing_mode": "LOCAL"},
    "google_compute_subnetwork Valid name": {"name": "nodes_1"},
    "google_compute_subnetwork Valid ip_cidr_range": {"ip_cidr_range": "10.10.0.0/255.255.240.0"},  # netmask form
    "google_compute_subnetwork Valid log_config.aggregation_interval": {
        "log_config.aggregation_interval": "INTERVAL_1_SEC"
    },
    "google_compute_subnetwork AtLeastOneOf log_config.aggregation_interval": {"log_config": {}},
    "google_compute_subnetwork Valid log_config.metadata": {"log_config.metadata": "ALL"},
    "google_compute_subnetwork Valid secondary_ip_range.range_name": {"secondary_ip_range.range_name": "Pods"},
    "google_compute_subnetwork Valid secondary_ip_range.ip_cidr_range": {
        "secondary_ip_range.ip_cidr_range": "10.16.0.0"  # a bare address: net.ParseCIDR needs the /n
    },
    "google_compute_router Valid name": {"name": "router-"},
    "google_compute_router_nat Valid name": {"name": "n"},  # ValidateRFC1035Name(2, 63)
    "google_compute_router_nat Valid source_subnetwork_ip_ranges_to_nat": {"source_subnetwork_ip_ranges_to_nat": "ALL"},
    "google_compute_router_nat Valid log_config.filter": {"log_config.filter": "EVERYTHING"},
    "google_compute_router_nat Valid nat_ip_allocate_option": {"nat_ip_allocate_option": "AUTO"},
    "google_compute_firewall Valid name": {"name": "deny_all"},
    "google_compute_firewall ExactlyOneOf allow": {"allow": [{"protocol": "tcp"}]},
    "google_compute_firewall Valid direction": {"direction": "IN"},
    "google_compute_firewall Valid log_config.metadata": {"log_config.metadata": "CUSTOM_METADATA"},  # subnets only
    "google_compute_firewall Valid priority": {"priority": 65536},
    "google_compute_firewall PlanCheck _ingress_has_a_source": {"source_ranges": DELETE},
    # storage and secrets
    "google_storage_bucket Valid labels": {"labels": {"Team": "ml"}},
    "google_storage_bucket Valid lifecycle_rule.condition.with_state": {
        "lifecycle_rule.condition.with_state": "DELETED"
    },
    "google_storage_bucket Valid name": {"name": "hfkit-google-weights"},  # no "google" in bucket names
    "google_secret_manager_secret ExactlyOneOf replication.user_managed": {
        "replication.user_managed": {"replicas": [{"location": "us-central1"}]}
    },
    "google_secret_manager_secret Valid secret_id": {"secret_id": "hf.token"},
    # identities and IAM
    "google_service_account Valid account_id": {"account_id": "hfkit-a-very-long-cluster-nam-"},  # the case
    "google_service_account Valid description": {"description": "x" * 257},
    **{
        f"{t} Valid member": {"member": "deleted:user:someone@example.com?uid=1"}
        for t in (
            "google_project_iam_member",
            "google_service_account_iam_member",
            "google_storage_bucket_iam_member",
            "google_secret_manager_secret_iam_member",
            "google_kms_crypto_key_iam_member",
        )
    },
    "google_service_account_iam_member Valid service_account_id": {
        "service_account_id": "projects/my.project/serviceAccounts/svcacct@my.project.iam.gserviceaccount.com"
    },  # validation_test.go:231 "dot only with no colon"
    "google_iam_workload_identity_pool Valid workload_identity_pool_id": {"workload_identity_pool_id": "gcp-ci"},
    "google_iam_workload_identity_pool_provider Valid workload_identity_pool_provider_id": {
        "workload_identity_pool_provider_id": "gh"
    },
    "google_iam_workload_identity_pool_provider ExactlyOneOf aws": {"aws": {"account_id": "123456789012"}},
    # kubernetes
    **{
        f"{t} Valid {prefix}.{name}": {f"{prefix}.{name}": value}
        for t, prefixes in {
            "kubernetes_deployment_v1": ("metadata", "spec.template.metadata"),
            "kubernetes_service_v1": ("metadata",),
            "kubernetes_pod_disruption_budget_v1": ("metadata",),
            "kubernetes_horizontal_pod_autoscaler_v2": ("metadata",),
            "kubernetes_service_account_v1": ("metadata",),
            "kubernetes_namespace_v1": ("metadata",),
            "kubernetes_api_service_v1": ("metadata",),
        }.items()
        for prefix in prefixes
        for name, value in {
            "annotations": {"example.com/": "x"},  # validation_test.go:280: empty name part
            "labels": {"app": "-starts-with-dash"},  # validation_test.go:312
            "name": "Model_Server",
        }.items()
    },
    # RBAC objects: names are path segments (schema_rbac.go:33-42; apimachinery path/name.go:25-28), so
    # "Model_Server" and "system:auth-delegator" pass and only "." / ".." / "/" / "%" fail.
    **{
        f"{t} Valid metadata.{name}": {f"metadata.{name}": value}
        for t in ("kubernetes_cluster_role_v1", "kubernetes_cluster_role_binding_v1", "kubernetes_role_binding_v1")
        for name, value in {
            "annotations": {"example.com/": "x"},
            "labels": {"app": "-starts-with-dash"},
            "name": "reader/all",
        }.items()
    },
    **{
        f"{t} Valid role_ref.{name}": {f"role_ref.{name}": value}
        for t in ("kubernetes_cluster_role_binding_v1", "kubernetes_role_binding_v1")
        for name, value in {"api_group": "rbac.k8s.io", "kind": "Group"}.items()
    },
    "kubernetes_service_v1 Valid spec.port.protocol": {"spec.port.protocol": "HTTP"},
    "kubernetes_api_service_v1 Valid spec.group_priority_minimum": {"spec.group_priority_minimum": 20001},
    "kubernetes_api_service_v1 Valid spec.service.port": {"spec.service.port": 0},
    "kubernetes_api_service_v1 Valid spec.version_priority": {"spec.version_priority": 1001},
    "kubernetes_deployment_v1 Valid spec.replicas": {"spec.replicas": "two"},
    "kubernetes_deployment_v1 Valid spec.strategy.type": {"spec.strategy.type": "BlueGreen"},
    "kubernetes_deployment_v1 Valid spec.strategy.rolling_update.max_surge": {
        "spec.strategy.rolling_update.max_surge": "25 %"
    },
    "kubernetes_deployment_v1 Valid spec.strategy.rolling_update.max_unavailable": {
        "spec.strategy.rolling_update.max_unavailable": "-1"
    },
    "kubernetes_deployment_v1 Valid spec.template.spec.container.port.container_port": {
        "spec.template.spec.container.port.container_port": 70000
    },
    "kubernetes_deployment_v1 Valid spec.template.spec.container.port.name": {
        "spec.template.spec.container.port.name": "whois++"  # validation_test.go:239
    },
    **{
        f"kubernetes_deployment_v1 Valid spec.template.spec.container.{probe}.{field}": {
            f"spec.template.spec.container.{probe}.{field}": value
        }
        for probe in ("liveness_probe", "readiness_probe", "startup_probe")
        for field, value in {
            "http_get.port": "longerthan15characters",  # validation_test.go:239
            "failure_threshold": 0,
            "period_seconds": 0,
            "timeout_seconds": 0,
        }.items()
    },
    "kubernetes_deployment_v1 Valid spec.template.spec.termination_grace_period_seconds": {
        "spec.template.spec.termination_grace_period_seconds": -1
    },
    "kubernetes_deployment_v1 Valid spec.template.spec.toleration.effect": {
        "spec.template.spec.toleration.effect": "NO_SCHEDULE"  # the GKE node-pool spelling; Kubernetes: NoSchedule
    },
    "kubernetes_deployment_v1 Valid spec.template.spec.toleration.operator": {
        "spec.template.spec.toleration.operator": "In"
    },
    "kubernetes_deployment_v1 Valid spec.template.spec.volume.empty_dir.medium": {
        "spec.template.spec.volume.empty_dir.medium": "Disk"
    },
    "kubernetes_deployment_v1 Valid spec.template.spec.volume.empty_dir.size_limit": {
        "spec.template.spec.volume.empty_dir.size_limit": "1 GB"
    },
    "kubernetes_service_v1 Valid spec.port.port": {"spec.port.port": 0},
    "kubernetes_service_v1 Valid spec.type": {"spec.type": "Internal"},
    "kubernetes_pod_disruption_budget_v1 Valid spec.max_unavailable": {"spec.max_unavailable": "150%"},
    "kubernetes_horizontal_pod_autoscaler_v2 Valid spec.metric.type": {"spec.metric.type": "Custom"},
    "kubernetes_manifest PlanCheck _no_status": {"manifest.status": {}},
}


def put(resource: dict[str, Any], path: str, value: Any) -> None:
    """Set (or with DELETE remove) `path`, stepping into the first block of lists and creating missing blocks."""
    node: Any = resource
    *parents, last = path.split(".")
    for name in parents:
        child = node.get(name)
        if child is None or child == []:
            child = node[name] = {}
        node = child[0] if isinstance(child, list) else child
    if value is DELETE:
        node.pop(last, None)
    else:
        node[last] = value


def depth_present(resource: dict[str, Any], path: str) -> int:
    """How many leading parts of `path` exist in `resource`: the best base resource has the most."""
    node: Any = resource
    for depth, name in enumerate(path.split(".")):
        node = node[0] if isinstance(node, list) and node else node
        if not isinstance(node, dict) or name not in node:
            return depth
        node = node[name]
    return path.count(".") + 1


@pytest.fixture(scope="module")
def real_resources(synthesized: dict[str, Synthesized]) -> dict[str, list[dict[str, Any]]]:
    """Every synthesized resource of every test environment, by type."""
    found: dict[str, list[dict[str, Any]]] = {}
    for synth in synthesized.values():
        for stack in stacks_of(synth).values():
            for resource_type, _, resource in resources(stack):
                found.setdefault(resource_type, []).append(resource)
    return found


def base_for(real: dict[str, list[dict[str, Any]]], resource_type: str, paths: list[str]) -> dict[str, Any]:
    candidates = real[resource_type]
    return copy.deepcopy(max(candidates, key=lambda r: sum(depth_present(r, p) for p in paths)))


def all_rules() -> Iterator[tuple[ResourceRules, Rule]]:
    for rules in RULES.values():
        for rule in rules.rules:
            yield rules, rule


def test_every_rule_has_a_hand_made_bad_resource() -> None:
    ids = {rule_id(rules.type, rule) for rules, rule in all_rules()}
    assert sorted(ids - BAD.keys()) == [], "rules without a bad case"
    assert sorted(BAD.keys() - ids) == [], "bad cases for rules that do not exist"


@pytest.mark.parametrize(("rules", "rule"), list(all_rules()), ids=[rule_id(r.type, rule) for r, rule in all_rules()])
def test_each_rule_refuses_its_bad_resource(
    real_resources: dict[str, list[dict[str, Any]]], rules: ResourceRules, rule: Rule
) -> None:
    edits = BAD[rule_id(rules.type, rule)]
    resource = base_for(real_resources, rules.type, list(edits))
    assert [x for x in check_resource(rules, "r", resource) if x.source == rule.source] == []
    for path, value in edits.items():
        put(resource, path, value)
    refused = [x for x in check_resource(rules, "r", resource) if x.source == rule.source]
    assert refused, f"{rule_id(rules.type, rule)} accepted {edits}"


def schema_facts() -> Iterator[tuple[ResourceRules, Attr]]:
    for rules in RULES.values():
        for attr in rules.attributes:
            if attr.required or attr.max_items is not None or attr.min_items is not None:
                yield rules, attr


@pytest.mark.parametrize(("rules", "attr"), list(schema_facts()), ids=[f"{r.type} {a.path}" for r, a in schema_facts()])
def test_required_and_item_limits_refuse(
    real_resources: dict[str, list[dict[str, Any]]], rules: ResourceRules, attr: Attr
) -> None:
    """Required: dropping it from a real resource is refused. MaxItems / MinItems: one block too many (copies of
    the real one) or an empty list is refused."""
    resource = base_for(real_resources, rules.type, [attr.path])
    assert depth_present(resource, attr.path) == attr.path.count(".") + 1, "no synthesized resource sets it"
    mine = [x for x in check_resource(rules, "r", resource) if x.source == attr.source]
    assert mine == []
    if attr.required:
        broken = copy.deepcopy(resource)
        put(broken, attr.path, DELETE)
        assert "required attribute is not set" in [
            x.message for x in check_resource(rules, "r", broken) if x.source == attr.source
        ]
    if attr.max_items is not None:
        broken = copy.deepcopy(resource)
        parent, _, name = attr.path.rpartition(".")
        holder = broken
        for step in parent.split(".") if parent else []:
            holder = holder[step][0] if isinstance(holder[step], list) else holder[step]
        one = holder[name][0] if isinstance(holder[name], list) else holder[name]
        holder[name] = [copy.deepcopy(one) for _ in range(attr.max_items + 1)]
        assert f"at most {attr.max_items} item(s) allowed, got {attr.max_items + 1}" in [
            x.message for x in check_resource(rules, "r", broken) if x.source == attr.source
        ]
    if attr.min_items is not None:
        broken = copy.deepcopy(resource)
        put(broken, attr.path, [])
        assert f"at least {attr.min_items} item(s) required, got 0" in [
            x.message for x in check_resource(rules, "r", broken) if x.source == attr.source
        ]


def test_unknown_values_are_not_validated() -> None:
    """`terraform validate` skips values only known at apply (references): so do the rules."""
    rules = RULES["google_compute_network"]
    assert check_resource(rules, "r", {"name": "${var.name}"}) == []
    assert [x.path for x in check_resource(rules, "r", {"name": "Bad"})] == ["name"]


def test_a_rule_inside_an_absent_block_does_not_apply() -> None:
    """terraform-plugin-sdk validates a block's fields only when the block is set: no `release_channel` block, no
    Required `channel` (resource_container_cluster.go:1996)."""
    rules = RULES["google_container_cluster"]
    missing = [x.path for x in check_resource(rules, "r", {"name": "c"}) if "required" in x.message]
    assert "release_channel.channel" not in missing
    missing = [
        x.path for x in check_resource(rules, "r", {"name": "c", "release_channel": {}}) if "required" in x.message
    ]
    assert "release_channel.channel" in missing


def test_every_nested_attribute_hangs_from_a_described_block() -> None:
    for rules in RULES.values():
        for attr in rules.attributes:
            if attr.parent:
                parent = rules.describe(attr.parent)
                assert parent is not None and parent.kind in (BLOCK, TREE), f"{rules.type}: {attr.path}"


def test_unknown_lists_attributes_and_types_the_rules_miss() -> None:
    stack = {
        "resource": {
            "google_compute_network": {"n": {"name": "n", "mtu": 1460, "//": {"x": 1}, "depends_on": ["a"]}},
            "google_compute_address": {"a": {"name": "a"}},
        }
    }
    assert unknown(stack) == ["google_compute_network.n: mtu", "google_compute_address.a"]


# --- validators against upstream test cases ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "good"),
    [
        # hashicorp/terraform-provider-google v6.50.0 google/verify/validation_test.go:135-150 (TestValidateGCEName)
        ("foobar", True),
        ("foobar123", True),
        ("f", True),
        ("foo-bar", True),
        ("a" * 63, True),
        ("", False),
        ("Foobar", False),
        ("1foobar", False),
        ("foo_bar", False),
        ("a" * 64, False),
        # Go's $ matches only at the very end, Python's also before a final newline
        ("foobar\n", False),
    ],
)
def test_gce_name(value: str, good: bool) -> None:
    assert (v.gce_name(value) is None) is good


@pytest.mark.parametrize(
    ("value", "low", "high", "good"),
    [
        # validation_test.go:178-200 (TestValidateRFC1035Name)
        ("a-valid-name0", 6, 30, True),
        ("a-valid-name", 12, 30, True),
        ("a-valid-name", 6, 12, True),
        ("valid000-name", 6, 30, True),
        ("a", 1, 63, True),
        ("a" * 63, 1, 63, True),
        ("0invalid", 6, 10, False),
        ("invalid-", 6, 10, False),
        ("short", 6, 10, False),
        ("toolooooong", 6, 10, False),
        ("a", 2, 63, False),
        ("-", 1, 1, False),
        ("a-", 2, 63, False),
    ],
)
def test_rfc1035_name(value: str, low: int, high: int, good: bool) -> None:
    assert (v.rfc1035_name(low, high)(value) is None) is good


@pytest.mark.parametrize(
    ("value", "good"),
    # validation_test.go:158-170 (TestValidateRFC3339Time)
    [
        ("00:00", True),
        ("23:59", True),
        ("3:00", False),
        ("24:00", False),
        ("03:60", False),
        ("0100", False),
        ("ab:cd", False),
    ],
)
def test_rfc3339_time(value: str, good: bool) -> None:
    assert (v.rfc3339_time(value) is None) is good


@pytest.mark.parametrize(
    ("value", "good"),
    [
        # validation_test.go:216-237 (TestValidateServiceAccountLink)
        ("projects/my-project/serviceAccounts/svcacct@my-project.iam.gserviceaccount.com", True),
        ("projects/my:project/serviceAccounts/svcacct@project.my.iam.gserviceaccount.com", True),
        ("projects/my.thing:project/serviceAccounts/svcacct@project.my.thing.iam.gserviceaccount.com", True),
        ("projects/my-project/serviceAccounts/123456-compute@developer.gserviceaccount.com", True),
        ("projects/my-project/serviceAccounts/my-project@appspot.gserviceaccount.com", True),
        ("projects/my:project:thing/serviceAccounts/svcacct@thing.project.my.iam.gserviceaccount.com", False),
        ("projects//serviceAccounts/svcacct@.iam.gserviceaccount.com", False),
        ("projects/my.project/serviceAccounts/svcacct@my.project.iam.gserviceaccount.com", False),
        (
            "projects/"
            + "foobar" * 10
            + "foob/serviceAccounts/svcacct@"
            + "foobar" * 10
            + "foob.iam.gserviceaccount.com",
            False,
        ),
    ],
)
def test_service_account_link(value: str, good: bool) -> None:
    (rule,) = [r for r in RULES["google_service_account_iam_member"].rules if r.path == "service_account_id"]
    assert (rule.validator(value) is None) is good


@pytest.mark.parametrize(
    ("value", "parses", "network_0_32", "network_28"),
    [
        # terraform-plugin-sdk v2.37.0 helper/validation/network_test.go:266-295 (TestValidateIsCIDR: ParseCIDR)
        ("", False, False, False),
        ("0.0.0.0", False, False, False),
        ("127.0.0.1/8", True, False, False),
        ("127.0.0.1/33", False, False, False),
        ("127.0.0.1/-1", False, False, False),
        # IsCIDRNetwork (network.go:103-129) also wants the canonical network and the prefix within its bounds
        ("127.0.0.0/8", True, True, False),
        ("172.16.0.0/28", True, True, True),
        ("172.16.0.16/28", True, True, True),
        ("172.16.0.8/28", True, False, False),
        # the cases: Python's ipaddress takes these, Go's net.ParseCIDR does not
        ("203.0.113.7", False, False, False),
        ("10.10.0.0/255.255.240.0", False, False, False),
    ],
)
def test_cidrs_as_go_parses_them(value: str, parses: bool, network_0_32: bool, network_28: bool) -> None:
    assert (v.parses_as_cidr(value) is None) is parses
    assert (v.cidr_network(0, 32)(value) is None) is network_0_32
    assert (v.cidr_network(28, 28)(value) is None) is network_28


QUALIFIED_OK = [
    "simple",
    "now-with-dashes",
    "1-starts-with-num",
    "1234",
    "simple/simple",
    "now-with-dashes/simple",
    "now-with-dashes/now-with-dashes",
    "now.with.dots/simple",
    "now-with.dashes-and.dots/simple",
    "1-num.2-num/3-num",
    "1234/5678",
    "1.2.3.4/5678",
    "Uppercase_Is_OK_123",
    "example.com/Uppercase_Is_OK_123",
    "requests.storage-foo",
    "a" * 63,
    "a" * 253 + "/" + "b" * 63,
]
QUALIFIED_BAD = [
    "nospecialchars%^=@",
    "cantendwithadash-",
    "-cantstartwithadash-",
    "only/one/slash",
    "Example.com/abc",
    "example_com/abc",
    "example.com/",
    "/simple",
    "a" * 64,
    "a" * 254 + "/abc",
]
LABEL_VALUE_OK = ["simple", "now-with-dashes", "1-starts-with-num", "end-with-num-1", "1234", "a" * 63, ""]
LABEL_VALUE_BAD = [
    "nospecialchars%^=@",
    "Tama-nui-te-rā.is.Māori.sun",
    "\\backslashes\\are\\bad",
    "-starts-with-dash",
    "ends-with-dash-",
    ".starts.with.dot",
    "ends.with.dot.",
    "a" * 64,
]


def test_kubernetes_label_keys_and_values() -> None:
    """kubernetes/apimachinery v0.28.6 pkg/util/validation/validation_test.go:247-289 (TestIsQualifiedName) and
    :292-322 (TestIsValidLabelValue), through the provider's validateLabels."""
    assert [k for k in QUALIFIED_OK if v.kube_labels({k: "v"}) is not None] == []
    assert [k for k in QUALIFIED_BAD if v.kube_labels({k: "v"}) is None] == []
    assert [x for x in LABEL_VALUE_OK if v.kube_labels({"k": x}) is not None] == []
    assert [x for x in LABEL_VALUE_BAD if v.kube_labels({"k": x}) is None] == []
    # validateAnnotations lower-cases keys first (kubernetes/validators.go:24): an upper-case prefix passes there
    assert v.kube_annotations({"Example.com/abc": "x"}) is None
    assert v.kube_labels({"Example.com/abc": "x"}) is not None


@pytest.mark.parametrize(
    ("value", "good"),
    # apimachinery path/name.go:25-28 (NameMayNotBe, NameMayNotContain)
    [
        ("system:auth-delegator", True),
        ("Model_Server", True),
        (".", False),
        ("..", False),
        ("a/b", False),
        ("50%", False),
        ("...", True),
    ],
)
def test_rbac_names_are_path_segments(value: str, good: bool) -> None:
    assert (v.path_segment_name(value) is None) is good


def test_kubernetes_port_names() -> None:
    """validation_test.go:231-244 (TestIsValidPortName), through validatePortNumOrName."""
    good = ["telnet", "re-mail-ck", "pop3", "a", "a-1", "1-a", "a-1-b-2-c", "1-a-2-b-3", 8000, "8000"]
    bad = ["longerthan15characters", "", "a" * 16, "1-2-3-4", "-begin", "end-", "two--hyphens", "whois++", 0, 65536]
    assert [x for x in good if v.port_number_or_name(x) is not None] == []
    assert [x for x in bad if v.port_number_or_name(x) is None] == []


# --- the verifier that checks the rules against the providers' source ----------------------------------------------

GO = """package x

var schemaX = map[string]*schema.Schema{
	"name": {
		Type:         schema.TypeString,
		Required:     true,
		ForceNew:     true,
		ValidateFunc: validation.StringInSlice([]string{"A", "B"}, false),
	},
	"block": {
		Type:     schema.TypeList,
		MaxItems: 1,
		Elem: &schema.Resource{
			Schema: map[string]*schema.Schema{
				"inner": {Type: schema.TypeInt, Optional: true, ForceNew: !isUpdatable},
			},
		},
	},
}
"""


def test_the_verifier_reads_go_schema_and_reports_disagreements(tmp_path: Path) -> None:
    """A one-file provider at tag v1: rules that match it pass, each kind of disagreement is reported."""
    repo = tmp_path / "provider"
    repo.mkdir()
    (repo / "schema.go").write_text(GO)
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "v1"], ["tag", "v1"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env={**os.environ, **env})
    at = source_in("acme/provider@v1", "schema.go")
    sources = Sources({"acme/provider": repo})
    good = ResourceRules(
        "x",
        attributes=(
            Attr("name", at(4), required=True, force_new=True),
            Attr("block", at(10), BLOCK, max_items=1),
            Attr("block.inner", at(15)),
        ),
        rules=(Valid("name", v.one_of("A", "B"), at(8)),),
    )
    assert [(f.status, f.detail) for f in verify(sources, [good])] == [("ok", "")] * 4
    bad = ResourceRules(
        "x",
        attributes=(Attr("name", at(4), LIST, required=True), Attr("block", at(11), BLOCK)),
        rules=(Valid("name", v.one_of("A", "C"), at(8)), Valid("name", v.gce_name, at(4))),
    )
    assert [(f.status, f.detail) for f in verify(sources, [bad])] == [
        ("mismatch", "ForceNew is True, the rule says False; Type schema . TypeString is not a list"),
        ("mismatch", "the line does not name 'block': Type:     schema.TypeList,"),
        ("mismatch", "the source allows ['A', 'B'], the rule ['A', 'C']"),
        ("mismatch", "the line holds none of ('Validate', 'validation.'): \"name\": {"),
    ]
    missing = Sources({})
    assert verify(missing, [good])[0].status == "unchecked"
