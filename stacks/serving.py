"""Stack `serving`: every `deployments` entry as Kubernetes objects in the cluster. Synthesized only when the
environment has deployments. Its own blast radius: rolling a model never plans a change to the cluster, the pools,
the bucket or IAM (the Workload Identity bindings of its service accounts live in the identities stack)."""

from __future__ import annotations

from constructs import Construct

from modules.cluster_access import ClusterAccess
from modules.config import Environment
from modules.model_server import ModelServer, ModelServerProps
from stacks.base import HfkitStack
from stacks.cluster import ClusterStack
from stacks.identities import IdentitiesStack
from stacks.storage import StorageStack


class ServingStack(HfkitStack):
    def __init__(
        self,
        scope: Construct,
        stack_id: str,
        env: Environment,
        cluster: ClusterStack,
        storage: StorageStack,
        identities: IdentitiesStack,
    ) -> None:
        super().__init__(scope, stack_id, env)
        ClusterAccess(self, "cluster-access", cluster.cluster)
        self.servers = {
            d.name: ModelServer(
                self,
                f"model-{d.name}",
                ModelServerProps(
                    deployment=d,
                    pool=env.pool(d.pool),
                    identity=identities.serving,
                    compile_cache=storage.compile_cache,
                ),
            )
            for d in env.deployments
        }
