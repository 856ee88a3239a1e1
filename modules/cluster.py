"""GKE Standard cluster, secure by default, with its own least-privilege node identity."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_google.container_cluster import (
    ContainerCluster,
    ContainerClusterMasterAuthorizedNetworksConfig,
    ContainerClusterMasterAuthorizedNetworksConfigCidrBlocks,
)
from cdktf_cdktf_provider_google.project_iam_member import ProjectIamMember
from constructs import Construct

from modules.config.cluster import Cluster, Network
from modules.network import PODS_RANGE, SERVICES_RANGE, GkeNetwork
from modules.node_config import hardened_node_config
from modules.service_account import ServiceAccount, ServiceAccountProps

#: The one role GKE documents for a custom node service account (logs, metrics, autoscaler metrics, metadata).
NODE_ROLES: tuple[str, ...] = ("roles/container.defaultNodeServiceAccount",)


@dataclass(frozen=True)
class GkeClusterProps:
    project: str
    region: str
    zones: list[str]
    network: GkeNetwork
    network_spec: Network
    spec: Cluster
    labels: dict[str, str]


class GkeCluster(Construct):
    """Private nodes, Workload Identity, Dataplane V2, shielded nodes, release channel, GCS FUSE CSI and Secret
    Manager add-ons, Managed Prometheus, deletion protection. The default node pool is removed at creation; its
    node_config is hardened anyway because it exists for a few minutes (and checkov reads it)."""

    def __init__(self, scope: Construct, id_: str, props: GkeClusterProps) -> None:
        super().__init__(scope, id_)
        self.project = props.project
        self.location = props.region
        self.cluster_name = props.spec.name
        """The configured name as plain text (`name` is the resource attribute, a token in other stacks)."""
        self.node_identity = ServiceAccount(
            self,
            "node-identity",
            ServiceAccountProps(
                project=props.project,
                account_id=props.spec.node_account_id,
                display_name=f"GKE nodes of {props.spec.name}",
                description="Node service account for hfkit pools: logging and monitoring only (not Compute default)",
            ),
        )
        for role in NODE_ROLES:
            ProjectIamMember(
                self,
                f"node-role-{role.split('/')[-1].replace('.', '-')}",
                project=props.project,
                role=role,
                member=self.node_identity.member,
            )
        self.workload_pool = f"{props.project}.svc.id.goog"
        net = props.network_spec
        self.resource = ContainerCluster(
            self,
            "gke",
            project=props.project,
            name=props.spec.name,
            location=props.region,
            node_locations=props.zones,
            network=props.network.network.id,
            subnetwork=props.network.subnetwork.id,
            networking_mode="VPC_NATIVE",
            ip_allocation_policy={
                "cluster_secondary_range_name": PODS_RANGE,
                "services_secondary_range_name": SERVICES_RANGE,
            },
            remove_default_node_pool=True,
            initial_node_count=1,
            # The default pool exists only for the minutes of cluster creation, so its node_config is hardened but
            # constant (no labels), and Terraform ignores it afterwards: the provider applies a changed cluster
            # node_config to the deleted default-pool ("default-pool not found", hashicorp/terraform-provider-google
            # #24069), and most of its fields are ForceNew on the cluster (node_config.go @v6.50.0), so a drift
            # against the empty config GKE reports once the pool is gone would plan a cluster replacement.
            node_config=hardened_node_config(self.node_identity.email, None),
            lifecycle=TerraformResourceLifecycle(ignore_changes=["node_config"]),
            private_cluster_config={
                "enable_private_nodes": True,
                "enable_private_endpoint": False,
                "master_ipv4_cidr_block": net.master_cidr,
                "master_global_access_config": {"enabled": True},
            },
            master_authorized_networks_config=ContainerClusterMasterAuthorizedNetworksConfig(
                cidr_blocks=[
                    ContainerClusterMasterAuthorizedNetworksConfigCidrBlocks(cidr_block=n.cidr, display_name=n.name)
                    for n in net.master_authorized_networks
                ],
            ),
            master_auth={"client_certificate_config": {"issue_client_certificate": False}},
            workload_identity_config={"workload_pool": self.workload_pool},
            release_channel={"channel": props.spec.release_channel},
            # Pinned where a TPU generation needs a newer GKE than a channel default guarantees (v6e, TPU7x); unset,
            # GKE picks the channel's default (modules/config/environment.py _check_gke_version).
            min_master_version=props.spec.min_master_version,
            datapath_provider="ADVANCED_DATAPATH",
            # Dataplane V2 enforces NetworkPolicy itself; the legacy Calico add-on must stay off.
            network_policy={"enabled": False},
            enable_shielded_nodes=True,
            enable_intranode_visibility=True,
            enable_legacy_abac=False,
            binary_authorization={"evaluation_mode": "PROJECT_SINGLETON_POLICY_ENFORCE"},
            addons_config={
                "gcs_fuse_csi_driver_config": {"enabled": True},
                "gce_persistent_disk_csi_driver_config": {"enabled": True},
                "http_load_balancing": {"disabled": False},
                "horizontal_pod_autoscaling": {"disabled": False},
            },
            secret_manager_config={"enabled": True},
            monitoring_config={
                "enable_components": ["SYSTEM_COMPONENTS"],
                "managed_prometheus": {"enabled": True},
            },
            logging_config={"enable_components": ["SYSTEM_COMPONENTS", "WORKLOADS"]},
            maintenance_policy={"daily_maintenance_window": {"start_time": props.spec.maintenance_start_time}},
            authenticator_groups_config=(
                {"security_group": props.spec.rbac_security_group} if props.spec.rbac_security_group else None
            ),
            resource_labels=props.labels,
            deletion_protection=props.spec.deletion_protection,
        )

    @property
    def name(self) -> str:
        return self.resource.name

    @property
    def id(self) -> str:
        return self.resource.id
