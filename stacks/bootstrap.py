"""Stack `bootstrap` (only when the environment has a `ci` section): what an admin deploys once so GitHub Actions
can plan and apply every other stack without keys.

- the Terraform state bucket, hardened like the weights bucket (its state stays local: it creates the bucket);
- a workload identity pool whose GitHub provider accepts only `ci.github_repository`;
- the plan identity, usable only by pull_request jobs: read-only roles on the project, state read, and lock files;
- the apply identity, usable only by jobs in the protected `ci.environment`: what creating the stacks needs.
"""

from __future__ import annotations

from cdktf import TerraformOutput
from constructs import Construct

from modules.config import Environment
from modules.config.storage import WeightsBucket as BucketSpec
from modules.github_oidc import GithubOidc, GithubOidcProps
from modules.project_roles import grant_project_roles
from modules.service_account import ServiceAccount, ServiceAccountProps
from modules.weights_bucket import WeightsBucket, WeightsBucketProps
from stacks.base import HfkitStack

#: Read-only, per service, instead of the basic roles/viewer (checkov CKV_GCP_117): enough for `terraform plan` to
#: refresh every resource type the kit declares and read their IAM policies.
PLAN_ROLES: tuple[str, ...] = (
    "roles/compute.viewer",
    "roles/container.viewer",
    "roles/iam.securityReviewer",
    "roles/iam.serviceAccountViewer",
    "roles/secretmanager.viewer",
    "roles/storage.bucketViewer",
)
#: What creating the network, cluster, pools, buckets, secret and identities needs. Managing service accounts and
#: acting as the node service account cannot be granted on a narrower resource before those accounts exist.
APPLY_ROLES: tuple[str, ...] = (
    "roles/compute.networkAdmin",
    "roles/compute.securityAdmin",
    "roles/container.admin",
    "roles/iam.serviceAccountAdmin",
    "roles/iam.serviceAccountUser",
    "roles/secretmanager.admin",
    "roles/storage.admin",
)


class BootstrapStack(HfkitStack):
    def __init__(self, scope: Construct, stack_id: str, env: Environment) -> None:
        super().__init__(scope, stack_id, env, local_state=True)
        ci = env.ci
        state_bucket = env.state_bucket
        assert ci is not None and state_bucket is not None, "build_stacks adds this stack only with a ci section"
        self.state = WeightsBucket(
            self,
            "state",
            WeightsBucketProps(
                project=env.project,
                location=env.region.upper(),
                spec=BucketSpec(name=state_bucket),
                labels=self.labels,
                role="terraform-state",
            ),
        )
        self.github = GithubOidc(
            self,
            "github",
            GithubOidcProps(
                project=env.project,
                pool_id=ci.pool_id,
                repository=ci.github_repository,
                subjects=(ci.plan_subject(), ci.apply_subject()),
            ),
        )
        self.plan = ServiceAccount(
            self,
            "plan",
            ServiceAccountProps(
                project=env.project,
                account_id=ci.plan_account_id,
                display_name="hfkit CI plan",
                description=f"terraform plan from pull requests of {ci.github_repository}: read-only",
            ),
        )
        self.github.allow(self.plan, ci.plan_subject(), "github-pull-requests")
        grant_project_roles(self.plan, env.project, PLAN_ROLES)
        self.state.grant_read(self.plan)
        self.state.grant_lock_write(self.plan)

        self.apply = ServiceAccount(
            self,
            "apply",
            ServiceAccountProps(
                project=env.project,
                account_id=ci.apply_account_id,
                display_name="hfkit CI apply",
                description=f"terraform apply from the {ci.environment} environment of {ci.github_repository}",
            ),
        )
        self.github.allow(self.apply, ci.apply_subject(), f"github-environment-{ci.environment}")
        grant_project_roles(self.apply, env.project, APPLY_ROLES)
        self.state.grant_write(self.apply)

        TerraformOutput(self, "state_bucket", value=self.state.name)
        TerraformOutput(self, "workload_identity_provider", value=self.github.provider.name)
        TerraformOutput(self, "plan_service_account", value=self.plan.email)
        TerraformOutput(self, "apply_service_account", value=self.apply.email)
