"""What every hfkit stack has: the pinned google provider, the state backend, and the environment's labels."""

from __future__ import annotations

from cdktf import GcsBackend, LocalBackend, TerraformStack
from cdktf_cdktf_provider_google.provider import GoogleProvider
from constructs import Construct

from modules.config import Environment

#: Relative to the stack's working directory (cdktf.out/stacks/<id>): state lands in ./state/<env>/ at the repo root,
#: and synthesized JSON stays free of machine-specific absolute paths.
LOCAL_STATE_DIR = "../../../state"


class HfkitStack(TerraformStack):
    """A stack of one environment. Stack ids are part of the contract: they name state files and CLI targets."""

    def __init__(self, scope: Construct, stack_id: str, env: Environment, local_state: bool = False) -> None:
        """`local_state`: keep this stack's state on disk whatever the backend (the bootstrap stack creates the
        state bucket, so it cannot keep its own state there)."""
        super().__init__(scope, stack_id)
        self.env = env
        GoogleProvider(self, "google", project=env.project, region=env.region)
        backend = env.backend
        if backend.type == "gcs" and not local_state:
            GcsBackend(self, bucket=backend.bucket, prefix=f"{backend.prefix}/{env.environment}/{stack_id}")
        else:
            LocalBackend(self, path=f"{LOCAL_STATE_DIR}/{env.environment}/{stack_id}.tfstate")

    @property
    def labels(self) -> dict[str, str]:
        """Resource labels for cost attribution: the environment's own plus who manages the resource."""
        return {**self.env.labels, "managed-by": "hfkit", "hfkit-environment": self.env.environment}
