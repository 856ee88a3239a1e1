"""Stack `cluster`: the GKE control plane and its node identity. Deletion-protected; its own blast radius."""

from __future__ import annotations

from cdktf import TerraformOutput
from constructs import Construct

from modules.cluster import GkeCluster, GkeClusterProps
from modules.config import Environment
from stacks.base import HfkitStack
from stacks.network import NetworkStack


class ClusterStack(HfkitStack):
    def __init__(self, scope: Construct, stack_id: str, env: Environment, network: NetworkStack) -> None:
        super().__init__(scope, stack_id, env)
        self.cluster = GkeCluster(
            self,
            "cluster",
            GkeClusterProps(
                project=env.project,
                region=env.region,
                zones=env.zones,
                network=network.network,
                network_spec=env.network,
                spec=env.cluster,
                labels=self.labels,
            ),
        )
        TerraformOutput(self, "cluster_name", value=self.cluster.name)
        TerraformOutput(self, "node_service_account", value=self.cluster.node_identity.email)
