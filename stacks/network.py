"""Stack `network`: the VPC, subnet and NAT. Rarely changes; everything else sits on it."""

from __future__ import annotations

from constructs import Construct

from modules.config import Environment
from modules.network import GkeNetwork, GkeNetworkProps
from stacks.base import HfkitStack


class NetworkStack(HfkitStack):
    def __init__(self, scope: Construct, stack_id: str, env: Environment) -> None:
        super().__init__(scope, stack_id, env)
        self.network = GkeNetwork(
            self, "network", GkeNetworkProps(project=env.project, region=env.region, spec=env.network)
        )
