"""Project-level roles for an identity, for the few grants that have no narrower resource to live on (CI identities
that read or create every resource of the environment)."""

from __future__ import annotations

from collections.abc import Sequence

from cdktf_cdktf_provider_google.project_iam_member import ProjectIamMember

from modules.service_account import ServiceAccount


def grant_project_roles(identity: ServiceAccount, project: str, roles: Sequence[str]) -> None:
    """One `google_project_iam_member` per role, scoped under the grantee (the binding lives with the identity)."""
    for role in roles:
        ProjectIamMember(
            identity,
            f"project-{role.split('/')[-1].replace('.', '-').lower()}",
            project=project,
            role=role,
            member=identity.member,
        )
