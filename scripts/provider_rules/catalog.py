"""Every resource type the kit synthesizes, with its provider rules."""

from __future__ import annotations

from scripts.provider_rules import google_compute, google_container, google_iam, google_storage, kubernetes
from scripts.provider_rules.model import ResourceRules

RULES: dict[str, ResourceRules] = {
    r.type: r
    for r in (
        google_compute.NETWORK,
        google_compute.SUBNETWORK,
        google_compute.ROUTER,
        google_compute.ROUTER_NAT,
        google_compute.FIREWALL,
        google_compute.RESOURCE_POLICY,
        google_container.CLUSTER,
        google_container.NODE_POOL,
        google_storage.BUCKET,
        google_storage.SECRET,
        google_iam.SERVICE_ACCOUNT,
        google_iam.PROJECT_MEMBER,
        google_iam.SERVICE_ACCOUNT_MEMBER,
        google_iam.BUCKET_MEMBER,
        google_iam.SECRET_MEMBER,
        google_iam.CRYPTO_KEY_MEMBER,
        google_iam.WORKLOAD_IDENTITY_POOL,
        google_iam.WORKLOAD_IDENTITY_POOL_PROVIDER,
        kubernetes.NAMESPACE,
        kubernetes.SERVICE_ACCOUNT,
        kubernetes.DEPLOYMENT,
        kubernetes.SERVICE,
        kubernetes.POD_DISRUPTION_BUDGET,
        kubernetes.HORIZONTAL_POD_AUTOSCALER,
        kubernetes.API_SERVICE,
        kubernetes.CLUSTER_ROLE,
        kubernetes.CLUSTER_ROLE_BINDING,
        kubernetes.ROLE_BINDING,
        kubernetes.MANIFEST,
    )
}
