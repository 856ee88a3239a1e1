"""google_container_cluster and google_container_node_pool in hashicorp/google 6.50.0
(google/services/container/*.go at tag v6.50.0, read 2026-12-02)."""

from __future__ import annotations

from typing import Any

from scripts.provider_rules import validators as v
from scripts.provider_rules.model import (
    BLOCK,
    GOOGLE,
    GOOGLEAPIS,
    LIST,
    MAP,
    SET,
    AtLeastOneOf,
    Attr,
    ConflictsWith,
    ExactlyOneOf,
    InPlace,
    ResourceRules,
    Source,
    Valid,
    source_in,
)

nc = source_in(GOOGLE, "google/services/container/node_config.go")
np = source_in(GOOGLE, "google/services/container/resource_container_node_pool.go")
cl = source_in(GOOGLE, "google/services/container/resource_container_cluster.go")
proto = source_in(GOOGLEAPIS, "google/container/v1/cluster_service.proto")


def node_config(key_line: Source, *only: str) -> tuple[Attr, ...]:
    """The node_config fields the kit writes, from schemaNodeConfig() (node_config.go:136-1030), which the node pool
    and the cluster share (`only`: the top-level fields one of them writes, with what lies under them). `key_line` is
    where the resource names the block; its facts (TypeList, ForceNew, MaxItems 1) are at node_config.go:137-143."""
    fields = (
        Attr("node_config", key_line, BLOCK, force_new=True, max_items=1),
        Attr("node_config.disk_size_gb", nc(147)),
        Attr("node_config.disk_type", nc(155)),
        Attr("node_config.flex_start", nc(1020), force_new=True),
        Attr("node_config.guest_accelerator", nc(164), BLOCK, force_new=True),
        Attr("node_config.guest_accelerator.count", nc(172), required=True, force_new=True),
        Attr("node_config.guest_accelerator.type", nc(178), required=True, force_new=True),
        Attr(
            "node_config.guest_accelerator.gpu_driver_installation_config", nc(185), BLOCK, force_new=True, max_items=1
        ),
        Attr(
            "node_config.guest_accelerator.gpu_driver_installation_config.gpu_driver_version",
            nc(194),
            required=True,
            force_new=True,
        ),
        Attr("node_config.guest_accelerator.gpu_sharing_config", nc(210), BLOCK, force_new=True, max_items=1),
        Attr(
            "node_config.guest_accelerator.gpu_sharing_config.gpu_sharing_strategy",
            nc(218),
            required=True,
            force_new=True,
        ),
        Attr(
            "node_config.guest_accelerator.gpu_sharing_config.max_shared_clients_per_gpu",
            nc(224),
            required=True,
            force_new=True,
        ),
        Attr("node_config.image_type", nc(237)),
        Attr("node_config.labels", nc(245), MAP),
        Attr("node_config.resource_labels", nc(254), MAP),
        Attr("node_config.machine_type", nc(360)),
        Attr("node_config.metadata", nc(367), MAP, force_new=True),
        Attr("node_config.oauth_scopes", nc(384), SET, force_new=True),
        Attr("node_config.reservation_affinity", nc(407), BLOCK, force_new=True, max_items=1),
        Attr("node_config.reservation_affinity.consume_reservation_type", nc(415), required=True, force_new=True),
        Attr("node_config.reservation_affinity.key", nc(422), force_new=True),
        Attr("node_config.reservation_affinity.values", nc(428), SET, force_new=True),
        Attr("node_config.spot", nc(440), force_new=True),
        Attr("node_config.service_account", nc(448), force_new=True),
        Attr("node_config.shielded_instance_config", nc(470), BLOCK, force_new=True, max_items=1),
        Attr("node_config.shielded_instance_config.enable_secure_boot", nc(479), force_new=True),
        Attr("node_config.shielded_instance_config.enable_integrity_monitoring", nc(486), force_new=True),
        Attr("node_config.taint", nc(497), BLOCK),
        Attr("node_config.taint.key", nc(503), required=True),
        Attr("node_config.taint.value", nc(508), required=True),
        Attr("node_config.taint.effect", nc(513), required=True),
        Attr("node_config.workload_metadata_config", nc(548), BLOCK, max_items=1),
        Attr("node_config.workload_metadata_config.mode", nc(556), required=True),
    )
    return tuple(a for a in fields if a.path == "node_config" or not only or a.path.split(".")[1] in only)


NODE_CONFIG_RULES = (
    Valid("node_config.disk_size_gb", v.int_at_least(10), nc(151)),
    Valid(
        "node_config.guest_accelerator.gpu_driver_installation_config.gpu_driver_version",
        v.one_of("GPU_DRIVER_VERSION_UNSPECIFIED", "INSTALLATION_DISABLED", "DEFAULT", "LATEST"),
        nc(199),
    ),
    Valid(
        "node_config.reservation_affinity.consume_reservation_type",
        v.one_of("UNSPECIFIED", "NO_RESERVATION", "ANY_RESERVATION", "SPECIFIC_RESERVATION"),
        nc(420),
    ),
    Valid("node_config.taint.effect", v.one_of("NO_SCHEDULE", "PREFER_NO_SCHEDULE", "NO_EXECUTE"), nc(516)),
    Valid(
        "node_config.workload_metadata_config.mode",
        v.one_of("MODE_UNSPECIFIED", "GCE_METADATA", "GKE_METADATA"),
        nc(559),
    ),
)

_MIGRATES_NODES = (
    "UpdateNodePool sends it (node_config.go:2560-2633); the GKE API: it 'initiates an upgrade operation that "
    "migrates the nodes in the node pool'"
)

NODE_POOL = ResourceRules(
    "google_container_node_pool",
    attributes=(
        Attr("project", np(71), force_new=True),
        Attr("cluster", np(78), required=True, force_new=True),
        Attr("location", np(84), force_new=True),
        Attr("autoscaling", np(147), BLOCK, max_items=1),
        Attr("autoscaling.min_node_count", np(154)),
        Attr("autoscaling.max_node_count", np(161)),
        Attr("autoscaling.total_min_node_count", np(168)),
        Attr("autoscaling.total_max_node_count", np(175)),
        Attr("autoscaling.location_policy", np(182)),
        Attr("placement_policy", np(193), BLOCK, force_new=True, max_items=1),
        Attr("placement_policy.type", np(201), required=True),
        Attr("placement_policy.policy_name", np(206), force_new=True),
        Attr("placement_policy.tpu_topology", np(212)),
        Attr("queued_provisioning", np(221), BLOCK, force_new=True, max_items=1),
        Attr("queued_provisioning.enabled", np(229), required=True, force_new=True),
        Attr("node_locations", np(247), SET),
        Attr("initial_node_count", np(292), force_new=True),
        Attr("management", np(314), BLOCK, max_items=1),
        Attr("management.auto_repair", np(322)),
        Attr("management.auto_upgrade", np(329)),
        Attr("name", np(339), force_new=True),
        *node_config(np(355)),
        Attr("node_count", np(357)),
    ),
    rules=(
        Valid("autoscaling.min_node_count", v.int_at_least(0), np(157)),
        Valid("autoscaling.max_node_count", v.int_at_least(0), np(164)),
        Valid("autoscaling.total_min_node_count", v.int_at_least(0), np(171)),
        Valid("autoscaling.total_max_node_count", v.int_at_least(0), np(178)),
        Valid("autoscaling.location_policy", v.one_of("BALANCED", "ANY"), np(186)),
        Valid("node_count", v.int_at_least(0), np(361)),
        *NODE_CONFIG_RULES,
    ),
    in_place=(
        InPlace("node_config.machine_type", "recreates nodes", proto(4528), _MIGRATES_NODES),
        InPlace("node_config.disk_type", "recreates nodes", proto(4534), _MIGRATES_NODES),
        InPlace("node_config.disk_size_gb", "recreates nodes", proto(4540), _MIGRATES_NODES),
        InPlace(
            "placement_policy",
            "not applied",
            np(1365),
            "nodePoolUpdate (resource_container_node_pool.go:1365-1665) has no placement_policy branch and Read "
            "takes the pool's policy back from the API (:1194-1202): apply succeeds without changing the pool and "
            "the next plan shows the change again; recreate the pool to change it",
        ),
    ),
)


def _default_pool_removed(cluster: dict[str, Any]) -> bool:
    return cluster.get("remove_default_node_pool") is True


CLUSTER = ResourceRules(
    "google_container_cluster",
    attributes=(
        # masterAuthorizedNetworksConfig and cidrBlockConfig are package-level schema.Resource values (:54-93).
        Attr("master_authorized_networks_config.cidr_blocks", cl(56), BLOCK),
        Attr("master_authorized_networks_config.cidr_blocks.cidr_block", cl(81), required=True),
        Attr("master_authorized_networks_config.cidr_blocks.display_name", cl(87)),
        Attr("name", cl(272), required=True, force_new=True),
        Attr("location", cl(305), force_new=True),
        Attr("node_locations", cl(313), SET),
        Attr("deletion_protection", cl(321)),
        Attr("addons_config", cl(328), BLOCK, max_items=1),
        Attr("addons_config.http_load_balancing", cl(336), BLOCK, max_items=1),
        Attr("addons_config.http_load_balancing.disabled", cl(345), required=True),
        Attr("addons_config.horizontal_pod_autoscaling", cl(352), BLOCK, max_items=1),
        Attr("addons_config.horizontal_pod_autoscaling.disabled", cl(361), required=True),
        Attr("addons_config.gce_persistent_disk_csi_driver_config", cl(439), BLOCK, max_items=1),
        Attr("addons_config.gce_persistent_disk_csi_driver_config.enabled", cl(448), required=True),
        Attr("addons_config.gcs_fuse_csi_driver_config", cl(471), BLOCK, max_items=1),
        Attr("addons_config.gcs_fuse_csi_driver_config.enabled", cl(480), required=True),
        Attr("binary_authorization", cl(909), BLOCK, max_items=1),
        Attr("binary_authorization.evaluation_mode", cl(924)),
        Attr("enable_legacy_abac", cl(968)),
        Attr("enable_shielded_nodes", cl(975)),
        Attr("authenticator_groups_config", cl(997), BLOCK, max_items=1),
        Attr("authenticator_groups_config.security_group", cl(1005), required=True),
        Attr("initial_node_count", cl(1014), force_new=True),
        Attr("logging_config", cl(1021), BLOCK, max_items=1),
        Attr("logging_config.enable_components", cl(1029), LIST, required=True),
        Attr("maintenance_policy", cl(1050), BLOCK, max_items=1),
        Attr("maintenance_policy.daily_maintenance_window", cl(1057), BLOCK, max_items=1),
        Attr("maintenance_policy.daily_maintenance_window.start_time", cl(1068), required=True),
        Attr("monitoring_config", cl(1181), BLOCK, max_items=1),
        Attr("monitoring_config.enable_components", cl(1189), LIST),
        Attr("monitoring_config.managed_prometheus", cl(1198), BLOCK, max_items=1),
        Attr("monitoring_config.managed_prometheus.enabled", cl(1206), required=True),
        Attr("master_auth", cl(1334), BLOCK, max_items=1),
        Attr("master_auth.client_certificate_config", cl(1342), BLOCK, required=True, force_new=True, max_items=1),
        Attr("master_auth.client_certificate_config.issue_client_certificate", cl(1350), required=True, force_new=True),
        Attr("master_authorized_networks_config", cl(1382), BLOCK, max_items=1),
        Attr("network", cl(1405), force_new=True),
        Attr("network_policy", cl(1414), BLOCK, max_items=1),
        Attr("network_policy.enabled", cl(1423), required=True),
        *node_config(
            cl(1439),
            "image_type",
            "metadata",
            "oauth_scopes",
            "resource_labels",
            "service_account",
            "shielded_instance_config",
            "workload_metadata_config",
        ),
        Attr("secret_manager_config", cl(1519), BLOCK, max_items=1),
        Attr("secret_manager_config.enabled", cl(1527), required=True),
        Attr("project", cl(1536), force_new=True),
        Attr("subnetwork", cl(1544), force_new=True),
        Attr("ip_allocation_policy", cl(1577), BLOCK, force_new=True, max_items=1),
        Attr("ip_allocation_policy.cluster_secondary_range_name", cl(1609), force_new=True),
        Attr("ip_allocation_policy.services_secondary_range_name", cl(1618), force_new=True),
        Attr("networking_mode", cl(1693), force_new=True),
        Attr("remove_default_node_pool", cl(1702)),
        Attr("private_cluster_config", cl(1759), BLOCK, max_items=1),
        Attr("private_cluster_config.enable_private_endpoint", cl(1773)),
        Attr("private_cluster_config.enable_private_nodes", cl(1780), force_new=True),
        Attr("private_cluster_config.master_ipv4_cidr_block", cl(1788), force_new=True),
        Attr("private_cluster_config.master_global_access_config", cl(1820), BLOCK, max_items=1),
        Attr("private_cluster_config.master_global_access_config.enabled", cl(1829), required=True),
        Attr("resource_labels", cl(1841), MAP),
        Attr("workload_identity_config", cl(1894), BLOCK, max_items=1),
        Attr("workload_identity_config.workload_pool", cl(1905)),
        Attr("min_master_version", cl(1391)),
        Attr("release_channel", cl(1988), BLOCK, max_items=1),
        Attr("release_channel.channel", cl(1996), required=True),
        Attr("datapath_provider", cl(2052), force_new=True),
        Attr("enable_intranode_visibility", cl(2067)),
    ),
    rules=(
        Valid("master_authorized_networks_config.cidr_blocks.cidr_block", v.cidr_network(0, 32), cl(84)),
        Valid("name", v.cluster_name, cl(277)),
        AtLeastOneOf(
            tuple(
                f"addons_config.{key}"
                for key in (
                    "http_load_balancing",
                    "horizontal_pod_autoscaling",
                    "network_policy_config",
                    "cloudrun_config",
                    "gcp_filestore_csi_driver_config",
                    "dns_cache_config",
                    "gce_persistent_disk_csi_driver_config",
                    "gke_backup_agent_config",
                    "config_connector_config",
                    "gcs_fuse_csi_driver_config",
                    "stateful_ha_config",
                    "ray_operator_config",
                    "parallelstore_csi_driver_config",
                    "lustre_csi_driver_config",
                )
            ),
            cl(98),  # addonsConfigKeys, used as AtLeastOneOf by every addon (e.g. :340)
        ),
        Valid(
            "binary_authorization.evaluation_mode", v.one_of("DISABLED", "PROJECT_SINGLETON_POLICY_ENFORCE"), cl(928)
        ),
        ConflictsWith("binary_authorization.evaluation_mode", ("binary_authorization.enabled",), cl(930)),
        ConflictsWith("enable_shielded_nodes", ("enable_autopilot",), cl(980)),
        Valid(
            "logging_config.enable_components",
            v.one_of(
                "SYSTEM_COMPONENTS",
                "APISERVER",
                "CONTROLLER_MANAGER",
                "KCP_CONNECTION",
                "KCP_SSHD",
                "KCP_HPA",
                "SCHEDULER",
                "WORKLOADS",
            ),
            cl(1035),
            each=True,
        ),
        ExactlyOneOf(("maintenance_policy.daily_maintenance_window", "maintenance_policy.recurring_window"), cl(1060)),
        Valid("maintenance_policy.daily_maintenance_window.start_time", v.rfc3339_time, cl(1071)),
        ConflictsWith("network_policy", ("enable_autopilot",), cl(1419)),
        ConflictsWith("ip_allocation_policy", ("cluster_ipv4_cidr",), cl(1583)),
        ConflictsWith(
            "ip_allocation_policy.cluster_secondary_range_name",
            ("ip_allocation_policy.cluster_ipv4_cidr_block", "ip_allocation_policy.services_ipv4_cidr_block"),
            cl(1614),  # ipAllocationCidrBlockFields (:95)
        ),
        ConflictsWith(
            "ip_allocation_policy.services_secondary_range_name",
            ("ip_allocation_policy.cluster_ipv4_cidr_block", "ip_allocation_policy.services_ipv4_cidr_block"),
            cl(1623),
        ),
        Valid("networking_mode", v.one_of("VPC_NATIVE", "ROUTES"), cl(1698)),
        ConflictsWith("remove_default_node_pool", ("enable_autopilot",), cl(1706)),
        AtLeastOneOf(
            (
                "private_cluster_config.enable_private_endpoint",
                "private_cluster_config.enable_private_nodes",
                "private_cluster_config.master_ipv4_cidr_block",
                "private_cluster_config.private_endpoint_subnetwork",
                "private_cluster_config.master_global_access_config",
            ),
            cl(115),  # privateClusterConfigKeys, used as AtLeastOneOf by each of them (e.g. :1776)
        ),
        Valid("private_cluster_config.master_ipv4_cidr_block", v.or_empty(v.cidr_network(28, 28)), cl(1794)),
        Valid("release_channel.channel", v.one_of("UNSPECIFIED", "RAPID", "REGULAR", "STABLE", "EXTENDED"), cl(1999)),
        Valid(
            "datapath_provider",
            v.one_of("DATAPATH_PROVIDER_UNSPECIFIED", "LEGACY_DATAPATH", "ADVANCED_DATAPATH"),
            cl(2058),
        ),
        ConflictsWith("enable_intranode_visibility", ("enable_autopilot",), cl(2072)),
        NODE_CONFIG_RULES[-1],  # workload_metadata_config.mode: the only validated node_config field it writes
    ),
    in_place=(
        InPlace(
            "node_config",
            "apply fails",
            cl(4164),
            "the cluster's Update sends node_config changes to the node pool 'default-pool' "
            "(resource_container_cluster.go:4164-4176), which remove_default_node_pool deleted: 'default-pool not "
            "found' (hashicorp/terraform-provider-google#24069)",
            when=_default_pool_removed,
        ),
    ),
)
