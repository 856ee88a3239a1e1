"""The VPC the cluster lives in: a VPC-native subnet and Cloud NAT so private nodes can pull images."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_google.compute_firewall import ComputeFirewall, ComputeFirewallDeny
from cdktf_cdktf_provider_google.compute_network import ComputeNetwork
from cdktf_cdktf_provider_google.compute_router import ComputeRouter
from cdktf_cdktf_provider_google.compute_router_nat import ComputeRouterNat, ComputeRouterNatLogConfig
from cdktf_cdktf_provider_google.compute_subnetwork import (
    ComputeSubnetwork,
    ComputeSubnetworkLogConfig,
    ComputeSubnetworkSecondaryIpRange,
)
from constructs import Construct

from modules.config.cluster import Network

PODS_RANGE = "pods"
SERVICES_RANGE = "services"


@dataclass(frozen=True)
class GkeNetworkProps:
    project: str
    region: str
    spec: Network


class GkeNetwork(Construct):
    """Custom-mode VPC, one regional subnet with pod and service secondary ranges (flow logs on), a Cloud Router
    and Cloud NAT: private nodes have no external IPs and still reach registries and the Hub."""

    def __init__(self, scope: Construct, id_: str, props: GkeNetworkProps) -> None:
        super().__init__(scope, id_)
        spec = props.spec
        self.network = ComputeNetwork(
            self,
            "vpc",
            project=props.project,
            name=spec.name,
            auto_create_subnetworks=False,
            routing_mode="REGIONAL",
        )
        self.subnetwork = ComputeSubnetwork(
            self,
            "subnet",
            project=props.project,
            region=props.region,
            name=f"{spec.name}-nodes",
            network=self.network.id,
            ip_cidr_range=spec.subnet_cidr,
            private_ip_google_access=True,
            secondary_ip_range=[
                ComputeSubnetworkSecondaryIpRange(range_name=PODS_RANGE, ip_cidr_range=spec.pods_cidr),
                ComputeSubnetworkSecondaryIpRange(range_name=SERVICES_RANGE, ip_cidr_range=spec.services_cidr),
            ],
            log_config=ComputeSubnetworkLogConfig(
                aggregation_interval="INTERVAL_5_SEC", flow_sampling=0.5, metadata="INCLUDE_ALL_METADATA"
            ),
        )
        # Explicit, logged deny-all ingress at the lowest priority: the VPC's firewall is declared rather than
        # implied, and GKE's own rules (priority 1000) still open what the cluster needs.
        ComputeFirewall(
            self,
            "deny-ingress",
            project=props.project,
            name=f"{spec.name}-deny-all-ingress",
            network=self.network.id,
            direction="INGRESS",
            priority=65534,
            source_ranges=["0.0.0.0/0"],
            deny=[ComputeFirewallDeny(protocol="all")],
            log_config={"metadata": "INCLUDE_ALL_METADATA"},
        )
        router = ComputeRouter(
            self,
            "router",
            project=props.project,
            region=props.region,
            name=f"{spec.name}-router",
            network=self.network.id,
        )
        ComputeRouterNat(
            self,
            "nat",
            project=props.project,
            region=props.region,
            name=f"{spec.name}-nat",
            router=router.name,
            nat_ip_allocate_option="AUTO_ONLY",
            source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_IP_RANGES",
            log_config=ComputeRouterNatLogConfig(enable=True, filter="ERRORS_ONLY"),
        )
