"""Compose the environment's stacks. The ids below are a contract (state paths, `cdktf deploy <id>`, CI)."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformStack
from constructs import Construct

from modules.config import Environment
from stacks.accelerators import AcceleratorsStack
from stacks.bootstrap import BootstrapStack
from stacks.cluster import ClusterStack
from stacks.identities import IdentitiesStack
from stacks.network import NetworkStack
from stacks.storage import StorageStack

NETWORK, CLUSTER, ACCELERATORS, STORAGE, IDENTITIES = "network", "cluster", "accelerators", "storage", "identities"
#: Deploy order (each stack only references stacks before it).
STACK_IDS: tuple[str, ...] = (NETWORK, CLUSTER, ACCELERATORS, STORAGE, IDENTITIES)
#: Deployed once by an admin, before the others, and only synthesized when the environment has a `ci` section: CI
#: never plans or applies it (its identities could otherwise widen their own permissions).
BOOTSTRAP = "bootstrap"
#: Only synthesized when the environment has `deployments`; last in deploy order (reads cluster, storage, identities).
SERVING = "serving"


@dataclass(frozen=True)
class HfkitStacks:
    network: NetworkStack
    cluster: ClusterStack
    accelerators: AcceleratorsStack
    storage: StorageStack
    identities: IdentitiesStack
    bootstrap: BootstrapStack | None = None
    serving: TerraformStack | None = None

    def all(self) -> list[NetworkStack | ClusterStack | AcceleratorsStack | StorageStack | IdentitiesStack]:
        return [self.network, self.cluster, self.accelerators, self.storage, self.identities]


def stack_ids(env: Environment) -> tuple[str, ...]:
    """Every stack id the environment synthesizes."""
    ids = (BOOTSTRAP, *STACK_IDS) if env.ci is not None else STACK_IDS
    return (*ids, SERVING) if env.deployments else ids


def build_stacks(app: Construct, env: Environment) -> HfkitStacks:
    bootstrap = BootstrapStack(app, BOOTSTRAP, env) if env.ci is not None else None
    network = NetworkStack(app, NETWORK, env)
    cluster = ClusterStack(app, CLUSTER, env, network)
    accelerators = AcceleratorsStack(app, ACCELERATORS, env, cluster)
    storage = StorageStack(app, STORAGE, env)
    identities = IdentitiesStack(app, IDENTITIES, env, storage, cluster)
    serving = None
    if env.deployments:
        # Imported here: the kubernetes provider bindings cost seconds to load, and only serving needs them.
        from stacks.serving import ServingStack

        serving = ServingStack(app, SERVING, env, cluster, storage, identities)
    return HfkitStacks(network, cluster, accelerators, storage, identities, bootstrap, serving)
