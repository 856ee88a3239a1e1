"""Stack `identities`: the stager and serving service accounts and every grant they hold, each on the narrowest
resource (the bucket, the secret, the account itself). Depends on storage (what is granted) and on the cluster
(the Workload Identity pool must exist before a binding to it can be made)."""

from __future__ import annotations

from cdktf import TerraformOutput
from constructs import Construct

from modules.catalog.serving import METRICS_ADAPTER_NAME, METRICS_ADAPTER_NAMESPACE, METRICS_ADAPTER_ROLE
from modules.config import Environment
from modules.project_roles import grant_project_roles
from modules.service_account import ServiceAccount, ServiceAccountProps
from modules.workload_identity import WorkloadIdentity, WorkloadIdentityProps
from stacks.base import HfkitStack
from stacks.cluster import ClusterStack
from stacks.storage import StorageStack


class IdentitiesStack(HfkitStack):
    def __init__(
        self, scope: Construct, stack_id: str, env: Environment, storage: StorageStack, cluster: ClusterStack
    ) -> None:
        super().__init__(scope, stack_id, env)
        ids = env.identities
        self.stager = ServiceAccount(
            self,
            "stager",
            ServiceAccountProps(
                project=env.project,
                account_id=ids.stager.account_id,
                display_name="hfkit stager",
                description="Stages Hugging Face Hub weights into the weights bucket (hfkit stage)",
            ),
        )
        storage.weights.grant_write(self.stager)
        storage.hf_token.grant_access(self.stager)
        for index, member in enumerate(ids.stager.members):
            self.stager.allow_impersonation(member, f"stager-user-{index}")

        self.serving = ServiceAccount(
            self,
            "serving",
            ServiceAccountProps(
                project=env.project,
                account_id=ids.serving.account_id,
                display_name="hfkit serving",
                description="Model servers: read-only on the weights bucket, through Workload Identity",
            ),
        )
        storage.weights.grant_read(self.serving)
        if storage.compile_cache is not None:
            storage.compile_cache.grant_write(self.serving)
        self.serving_workload_identity = WorkloadIdentity(
            self,
            "serving-workload-identity",
            WorkloadIdentityProps(
                identity=self.serving,
                workload_pool=cluster.cluster.resource.workload_identity_config.workload_pool,
                kubernetes_service_accounts=env.serving_service_accounts,
            ),
        )
        self.metrics_adapter = self._metrics_adapter(env, cluster) if env.deployments else None
        TerraformOutput(self, "stager_service_account", value=self.stager.email)
        TerraformOutput(self, "serving_service_account", value=self.serving.email)
        if self.metrics_adapter is not None:
            TerraformOutput(self, "metrics_adapter_service_account", value=self.metrics_adapter.email)

    def _metrics_adapter(self, env: Environment, cluster: ClusterStack) -> ServiceAccount:
        """The Custom Metrics Stackdriver Adapter reads Cloud Monitoring: roles/monitoring.viewer has no narrower
        resource than the project (k8s-stackdriver custom-metrics-stackdriver-adapter/README.md, Workload Identity)."""
        adapter = ServiceAccount(
            self,
            "metrics-adapter",
            ServiceAccountProps(
                project=env.project,
                account_id=env.identities.metrics_adapter.account_id,
                display_name="hfkit metrics adapter",
                description="Custom Metrics Stackdriver Adapter: reads Managed Prometheus metrics for the autoscalers",
            ),
        )
        grant_project_roles(adapter, env.project, [METRICS_ADAPTER_ROLE])
        WorkloadIdentity(
            self,
            "metrics-adapter-workload-identity",
            WorkloadIdentityProps(
                identity=adapter,
                workload_pool=cluster.cluster.resource.workload_identity_config.workload_pool,
                kubernetes_service_accounts=[f"{METRICS_ADAPTER_NAMESPACE}/{METRICS_ADAPTER_NAME}"],
            ),
        )
        return adapter
