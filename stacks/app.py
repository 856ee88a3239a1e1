"""Compose the environment's stacks. The ids below are a contract (state paths, `cdktf deploy <id>`, CI)."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.config import Environment
from stacks.accelerators import AcceleratorsStack
from stacks.cluster import ClusterStack
from stacks.identities import IdentitiesStack
from stacks.network import NetworkStack
from stacks.storage import StorageStack

NETWORK, CLUSTER, ACCELERATORS, STORAGE, IDENTITIES = "network", "cluster", "accelerators", "storage", "identities"
#: Deploy order (each stack only references stacks before it).
STACK_IDS: tuple[str, ...] = (NETWORK, CLUSTER, ACCELERATORS, STORAGE, IDENTITIES)


@dataclass(frozen=True)
class HfkitStacks:
    network: NetworkStack
    cluster: ClusterStack
    accelerators: AcceleratorsStack
    storage: StorageStack
    identities: IdentitiesStack

    def all(self) -> list[NetworkStack | ClusterStack | AcceleratorsStack | StorageStack | IdentitiesStack]:
        return [self.network, self.cluster, self.accelerators, self.storage, self.identities]


def build_stacks(app: Construct, env: Environment) -> HfkitStacks:
    network = NetworkStack(app, NETWORK, env)
    cluster = ClusterStack(app, CLUSTER, env, network)
    accelerators = AcceleratorsStack(app, ACCELERATORS, env, cluster)
    storage = StorageStack(app, STORAGE, env)
    identities = IdentitiesStack(app, IDENTITIES, env, storage, cluster)
    return HfkitStacks(network, cluster, accelerators, storage, identities)
