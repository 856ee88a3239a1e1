"""Who may stage weights and which Kubernetes service accounts may serve them."""

from __future__ import annotations

from pydantic import Field

from modules.config.common import IamMember, KubernetesServiceAccount, Model, ServiceAccountId


class Stager(Model):
    """The identity `hfkit stage` runs as: writes the weights bucket, reads the HF token secret."""

    account_id: ServiceAccountId = "hfkit-stager"
    members: list[IamMember] = Field(
        default_factory=list, description="Principals allowed to act as the stager (token creator on that account)."
    )


class Serving(Model):
    """The identity model servers run as, through Workload Identity: read-only on the weights bucket."""

    account_id: ServiceAccountId = "hfkit-serving"
    kubernetes_service_accounts: list[KubernetesServiceAccount] = Field(
        default_factory=lambda: ["hfkit-serving/model-server"],
        description="NAMESPACE/NAME of the Kubernetes service accounts bound to the serving identity.",
    )


class MetricsAdapter(Model):
    """The Custom Metrics Stackdriver Adapter's identity (only with deployments): reads Cloud Monitoring so the model
    servers' autoscalers get their Managed Prometheus metric."""

    account_id: ServiceAccountId = "hfkit-metrics-adapter"


class Identities(Model):
    stager: Stager = Field(default_factory=Stager)
    serving: Serving = Field(default_factory=Serving)
    metrics_adapter: MetricsAdapter = Field(default_factory=MetricsAdapter)
