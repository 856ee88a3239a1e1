"""Stack `serving`: every `deployments` entry as Kubernetes objects in the cluster, and the Custom Metrics Stackdriver
Adapter their autoscalers read. Synthesized only when the environment has deployments. Its own blast radius: rolling
a model never plans a change to the cluster, the pools, the bucket or IAM (the Workload Identity bindings of its
service accounts live in the identities stack)."""

from __future__ import annotations

from constructs import Construct

from modules.cluster_access import ClusterAccess
from modules.config import Environment
from modules.metrics_adapter import MetricsAdapter, MetricsAdapterProps
from modules.model_server import ModelServer, ModelServerProps
from modules.serving.rollout import pool_capacity, surges
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
        self.servers = {}
        for d in env.deployments:
            pool = env.pool(d.pool)
            capacity = pool_capacity(pool, len(env.pool_zones(pool))).nodes
            self.servers[d.name] = ModelServer(
                self,
                f"model-{d.name}",
                ModelServerProps(
                    deployment=d,
                    pool=pool,
                    identity=identities.serving,
                    surge=surges(env.deployments, d.pool, capacity),
                    compile_cache=storage.compile_cache,
                ),
            )
        assert identities.metrics_adapter is not None  # declared whenever there are deployments
        self.metrics_adapter = MetricsAdapter(
            self,
            "metrics-adapter",
            MetricsAdapterProps(
                identity=identities.metrics_adapter,
                taints=[t for name in dict.fromkeys(d.pool for d in env.deployments) for t in env.pool(name).taints],
            ),
        )
