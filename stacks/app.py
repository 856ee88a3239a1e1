"""Compose the environment's stacks (their ids and deploy order live in stacks/ids.py)."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformStack
from constructs import Construct

from modules.config import Environment
from stacks.accelerators import AcceleratorsStack
from stacks.bootstrap import BootstrapStack
from stacks.cluster import ClusterStack
from stacks.identities import IdentitiesStack
from stacks.ids import ACCELERATORS, BOOTSTRAP, CLUSTER, IDENTITIES, NETWORK, SERVING, STACK_IDS, STORAGE
from stacks.network import NetworkStack
from stacks.storage import StorageStack


@dataclass(frozen=True)
class HfkitStacks:
    network: NetworkStack
    cluster: ClusterStack
    accelerators: AcceleratorsStack
    storage: StorageStack
    identities: IdentitiesStack
    bootstrap: BootstrapStack | None = None
    serving: TerraformStack | None = None


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
