"""Stack `storage`: the weights bucket (and its access-log bucket) and the HF token secret. Holds data: its
blast radius is kept away from everything that changes often."""

from __future__ import annotations

from cdktf import TerraformOutput
from constructs import Construct

from modules.compile_cache_bucket import CompileCacheBucket, CompileCacheBucketProps
from modules.config import Environment
from modules.hf_token_secret import HfTokenSecret, HfTokenSecretProps
from modules.weights_bucket import WeightsBucket, WeightsBucketProps
from stacks.base import HfkitStack


class StorageStack(HfkitStack):
    def __init__(self, scope: Construct, stack_id: str, env: Environment) -> None:
        super().__init__(scope, stack_id, env)
        self.weights = WeightsBucket(
            self,
            "weights",
            WeightsBucketProps(
                project=env.project,
                location=(env.weights_bucket.location or env.region).upper(),
                spec=env.weights_bucket,
                labels=self.labels,
            ),
        )
        self.compile_cache = (
            CompileCacheBucket(
                self,
                "compile-cache",
                CompileCacheBucketProps(project=env.project, weights=self.weights, labels=self.labels),
            )
            if env.has_tpu_deployments
            else None
        )
        self.hf_token = HfTokenSecret(
            self,
            "hf-token",
            HfTokenSecretProps(project=env.project, secret_id=env.hf_token_secret.secret_id, labels=self.labels),
        )
        TerraformOutput(self, "weights_bucket", value=self.weights.name)
        TerraformOutput(self, "hf_token_secret", value=self.hf_token.id)
