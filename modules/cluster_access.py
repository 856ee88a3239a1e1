"""The kubernetes provider of a stack that manages objects inside the GKE cluster.

Host and CA come from the cluster stack (a cross-stack reference: remote state, no literal); the token from a
`google_client_config` data source, i.e. the credentials of whoever runs Terraform, read at plan time and never
written into `cdk.tf.json`.
"""

from __future__ import annotations

from cdktf import Fn
from cdktf_cdktf_provider_google.data_google_client_config import DataGoogleClientConfig
from cdktf_cdktf_provider_kubernetes.provider import KubernetesProvider
from constructs import Construct

from modules.cluster import GkeCluster


class ClusterAccess(Construct):
    def __init__(self, scope: Construct, id_: str, cluster: GkeCluster) -> None:
        super().__init__(scope, id_)
        credentials = DataGoogleClientConfig(self, "credentials")
        self.provider = KubernetesProvider(
            self,
            "kubernetes",
            host=f"https://{cluster.resource.endpoint}",
            token=credentials.access_token,
            cluster_ca_certificate=Fn.base64decode(cluster.resource.master_auth.cluster_ca_certificate),
        )
