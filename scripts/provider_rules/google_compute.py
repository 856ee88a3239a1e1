"""The network stack's Compute Engine resources in hashicorp/google 6.50.0
(google/services/compute/*.go at tag v6.50.0, read 2026-12-02)."""

from __future__ import annotations

import ipaddress
from typing import Any

from scripts.provider_rules import validators as v
from scripts.provider_rules.model import (
    BLOCK,
    GOOGLE,
    SET,
    AtLeastOneOf,
    Attr,
    ExactlyOneOf,
    ForceNewIf,
    InPlace,
    PlanCheck,
    ResourceRules,
    Valid,
    source_in,
)

net = source_in(GOOGLE, "google/services/compute/resource_compute_network.go")
sub = source_in(GOOGLE, "google/services/compute/resource_compute_subnetwork.go")
rtr = source_in(GOOGLE, "google/services/compute/resource_compute_router.go")
nat = source_in(GOOGLE, "google/services/compute/resource_compute_router_nat.go")
fw = source_in(GOOGLE, "google/services/compute/resource_compute_firewall.go")

NETWORK = ResourceRules(
    "google_compute_network",
    attributes=(
        Attr("name", net(61), required=True, force_new=True),
        Attr("auto_create_subnetworks", net(74), force_new=True),
        Attr("routing_mode", net(180)),
        Attr("project", net(216), force_new=True),
    ),
    rules=(
        Valid("name", v.gce_name, net(65)),
        Valid("routing_mode", v.one_of("REGIONAL", "GLOBAL", ""), net(184)),
    ),
)


def cidr_not_expanded(before: Any, after: Any) -> bool:
    """IsShrinkageIpCidr (resource_compute_subnetwork.go:41-58): the new range forces a new subnetwork unless it
    contains the old one's first and last address (an expansion, which the provider updates in place)."""
    try:
        old = ipaddress.ip_network(str(before), strict=False)
        new = ipaddress.ip_network(str(after), strict=False)
    except ValueError:
        return False  # "This should never happen. The ValidateFunc on the field ensures it." (:46-47)
    return not (old.version == new.version and old.network_address in new and old.broadcast_address in new)


SUBNETWORK = ResourceRules(
    "google_compute_subnetwork",
    attributes=(
        Attr("name", sub(128), required=True, force_new=True),
        Attr("network", sub(141), required=True, force_new=True),
        Attr("ip_cidr_range", sub(175)),
        Attr("log_config", sub(208), BLOCK, max_items=1),
        Attr("log_config.aggregation_interval", sub(219)),
        Attr("log_config.flow_sampling", sub(239)),
        Attr("log_config.metadata", sub(250)),
        Attr("private_ip_google_access", sub(296)),
        Attr("region", sub(322), force_new=True),
        Attr("secondary_ip_range", sub(348), BLOCK),
        Attr("secondary_ip_range.range_name", sub(362), required=True),
        Attr("secondary_ip_range.ip_cidr_range", sub(371)),
        Attr("project", sub(459), force_new=True),
    ),
    rules=(
        Valid("name", v.gce_name, sub(132)),
        Valid("ip_cidr_range", v.parses_as_cidr, sub(179)),
        Valid(
            "log_config.aggregation_interval",
            v.one_of(
                "INTERVAL_5_SEC",
                "INTERVAL_30_SEC",
                "INTERVAL_1_MIN",
                "INTERVAL_5_MIN",
                "INTERVAL_10_MIN",
                "INTERVAL_15_MIN",
                "",
            ),
            sub(222),
        ),
        AtLeastOneOf(
            (
                "log_config.aggregation_interval",
                "log_config.flow_sampling",
                "log_config.metadata",
                "log_config.filter_expr",
            ),
            sub(228),
        ),
        Valid(
            "log_config.metadata",
            v.one_of("EXCLUDE_ALL_METADATA", "INCLUDE_ALL_METADATA", "CUSTOM_METADATA", ""),
            sub(253),
        ),
        Valid("secondary_ip_range.range_name", v.gce_name, sub(365)),
        Valid("secondary_ip_range.ip_cidr_range", v.parses_as_cidr, sub(375)),
    ),
    force_new_if=(
        ForceNewIf(
            "ip_cidr_range",
            cidr_not_expanded,
            sub(122),
            'customdiff.ForceNewIfChange("ip_cidr_range", IsShrinkageIpCidr): a range that does not contain the '
            "old one (moved or shrunk) recreates the subnetwork; only an expansion updates in place",
        ),
    ),
)

ROUTER = ResourceRules(
    "google_compute_router",
    attributes=(
        Attr("name", rtr(79), required=True, force_new=True),
        Attr("network", rtr(91), required=True, force_new=True),
        Attr("region", rtr(220), force_new=True),
        Attr("project", rtr(233), force_new=True),
    ),
    rules=(Valid("name", v.gce_name, rtr(83)),),
)

ROUTER_NAT = ResourceRules(
    "google_compute_router_nat",
    attributes=(
        Attr("name", nat(218), required=True, force_new=True),
        Attr("router", nat(226), required=True, force_new=True),
        Attr("source_subnetwork_ip_ranges_to_nat", nat(233), required=True),
        Attr("log_config", nat(321), BLOCK, max_items=1),
        Attr("log_config.enable", nat(328), required=True),
        Attr("log_config.filter", nat(333), required=True),
        Attr("nat_ip_allocate_option", nat(362)),
        Attr("region", nat(385), force_new=True),
        Attr("project", nat(456), force_new=True),
    ),
    rules=(
        Valid("name", v.rfc1035_name(2, 63), nat(222)),
        Valid(
            "source_subnetwork_ip_ranges_to_nat",
            v.one_of("ALL_SUBNETWORKS_ALL_IP_RANGES", "ALL_SUBNETWORKS_ALL_PRIMARY_IP_RANGES", "LIST_OF_SUBNETWORKS"),
            nat(236),
        ),
        Valid("log_config.filter", v.one_of("ERRORS_ONLY", "TRANSLATIONS_ONLY", "ALL"), nat(336)),
        Valid("nat_ip_allocate_option", v.one_of("MANUAL_ONLY", "AUTO_ONLY", ""), nat(365)),
    ),
)


def _ingress_has_a_source(firewall: dict[str, Any]) -> str | None:
    """resourceComputeFirewallSourceFieldsCustomizeDiff (resource_compute_firewall.go:87-105)."""
    if firewall.get("direction") == "EGRESS":
        return None
    if any(key in firewall for key in ("source_tags", "source_ranges", "source_service_accounts")):
        return None
    return "one of source_tags, source_ranges, or source_service_accounts must be defined"


FIREWALL = ResourceRules(
    "google_compute_firewall",
    attributes=(
        Attr("name", fw(169), required=True, force_new=True),
        Attr("network", fw(182), required=True),
        Attr("allow", fw(188), BLOCK),
        Attr("deny", fw(198), BLOCK),
        Attr("deny.protocol", fw(443), required=True),  # computeFirewallDenySchema()
        Attr("direction", fw(225), force_new=True),
        Attr("log_config", fw(243), BLOCK, max_items=1),
        Attr("log_config.metadata", fw(252), required=True),
        Attr("priority", fw(283)),
        Attr("source_ranges", fw(295), SET),
        Attr("project", fw(395), force_new=True),
    ),
    rules=(
        Valid("name", v.gce_name, fw(173)),
        ExactlyOneOf(("allow", "deny"), fw(196)),
        Valid("direction", v.one_of("INGRESS", "EGRESS", ""), fw(230)),
        Valid("log_config.metadata", v.one_of("EXCLUDE_ALL_METADATA", "INCLUDE_ALL_METADATA"), fw(255)),
        Valid("priority", v.int_between(0, 65535), fw(286)),
        PlanCheck(_ingress_has_a_source, fw(87)),
    ),
)

rp = source_in(GOOGLE, "google/services/compute/resource_compute_resource_policy.go")

#: A TPU7x multi-host slice's workload policy (modules/tpu_pool.py). The provider validates only `workload_policy.type`;
#: the name rule is the schema's description of the API's (RFC 1035, 1-63 characters: :69-75), so `origin="api"`.
RESOURCE_POLICY = ResourceRules(
    "google_compute_resource_policy",
    attributes=(
        Attr("name", rp(66), required=True),
        Attr("description", rp(77)),
        Attr("region", rp(198), force_new=True),
        Attr("workload_policy", rp(362), BLOCK, max_items=1),
        Attr("workload_policy.type", rp(369), required=True, force_new=True),
        Attr("workload_policy.accelerator_topology", rp(376), force_new=True),
        Attr("project", rp(396), force_new=True),
    ),
    rules=(
        Valid("name", v.rfc1035_name(1, 63), rp(69), origin="api"),
        Valid("workload_policy.type", v.one_of("HIGH_AVAILABILITY", "HIGH_THROUGHPUT"), rp(373)),
    ),
    in_place=(
        InPlace(
            "name",
            "apply fails",
            rp(621),
            "name has no ForceNew (resource_compute_resource_policy.go:66-76), and the Update (:621-720) PATCHes "
            ".../resourcePolicies/{{name}} (:680) with the new name (tpgresource.ReplaceVars reads the planned value: "
            "tpgresource/utils.go:818-826): no policy has that name yet (404) and the old one stays; the kit derives "
            "the name from the cluster name, so renaming a cluster meets this",
        ),
    ),
)
