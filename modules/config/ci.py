"""The `ci` section: what the bootstrap stack needs to let GitHub Actions plan and apply this environment.

Present only when the environment is delivered through pull requests; without it no `bootstrap` stack is
synthesized and nothing about CI exists in the project.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from modules.config.common import Model, ServiceAccountId, _matching
from modules.config.storage import DerivingBucketName

GithubRepository = Annotated[
    str,
    _matching(
        r"[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}",
        "GitHub repository; allowed: OWNER/REPO, e.g. octo-org/ml-infra",
    ),
]
GithubEnvironment = Annotated[
    str,
    _matching(r"[A-Za-z0-9._-]{1,255}", "GitHub environment name; allowed: letters, digits, '.', '_' and '-'"),
]
PoolId = Annotated[
    str,
    _matching(
        r"(?!gcp-)[a-z0-9][-a-z0-9]{2,30}[a-z0-9]",
        "workload identity pool ID; allowed: 4-32 lowercase letters, digits and hyphens, not starting with gcp-",
    ),
]


class Ci(Model):
    """GitHub Actions identities: plan from pull requests of one repository, apply from one protected environment."""

    github_repository: GithubRepository
    environment: GithubEnvironment = Field(
        default="production", description="GitHub deployment environment whose jobs may apply (protect it)."
    )
    state_bucket: DerivingBucketName | None = Field(
        default=None, description="Terraform state bucket the bootstrap stack creates; default: backend.bucket."
    )
    pool_id: PoolId = "hfkit-github"
    plan_account_id: ServiceAccountId = "hfkit-plan"
    apply_account_id: ServiceAccountId = "hfkit-apply"

    def plan_subject(self) -> str:
        """The OIDC `sub` GitHub gives jobs of pull_request events (the default subject format)."""
        return f"repo:{self.github_repository}:pull_request"

    def apply_subject(self) -> str:
        """The OIDC `sub` GitHub gives jobs that run in the deployment environment."""
        return f"repo:{self.github_repository}:environment:{self.environment}"
