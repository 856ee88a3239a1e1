"""Identities and IAM in hashicorp/google 6.50.0 (read 2026-12-02): service accounts, the `*_iam_member` resources,
and the Workload Identity pool and provider CI uses.

Every `*_iam_member` resource is tpgiamresource.ResourceIamMember(IamMemberBaseSchema + a parent schema)
(google/tpgiamresource/resource_iam_member.go:188-206): it has no Update, and every argument is ForceNew.
"""

from __future__ import annotations

from scripts.provider_rules import validators as v
from scripts.provider_rules.model import (
    BLOCK,
    GOOGLE,
    MAP,
    Attr,
    ExactlyOneOf,
    ResourceRules,
    Source,
    Valid,
    source_in,
)

sa = source_in(GOOGLE, "google/services/resourcemanager/resource_google_service_account.go")
member = source_in(GOOGLE, "google/tpgiamresource/resource_iam_member.go")
verify = source_in(GOOGLE, "google/verify/validation.go")
pool = source_in(GOOGLE, "google/services/iambeta/resource_iam_workload_identity_pool.go")
provider = source_in(GOOGLE, "google/services/iambeta/resource_iam_workload_identity_pool_provider.go")

SERVICE_ACCOUNT = ResourceRules(
    "google_service_account",
    attributes=(
        Attr("account_id", sa(69), required=True, force_new=True),
        Attr("display_name", sa(76)),
        Attr("description", sa(87)),
        Attr("project", sa(93), force_new=True),
    ),
    rules=(
        Valid("account_id", v.rfc1035_name(6, 30), sa(73)),
        Valid("description", v.length_between(0, 256), sa(90)),
    ),
)

#: IamMemberBaseSchema (resource_iam_member.go:62-104); the condition block only where the kit writes one.
MEMBER_ATTRIBUTES = (
    Attr("role", member(63), required=True, force_new=True),
    Attr("member", member(68), required=True, force_new=True),
)
CONDITION_ATTRIBUTES = (
    Attr("condition", member(75), BLOCK, force_new=True, max_items=1),
    Attr("condition.expression", member(82), required=True, force_new=True),
    Attr("condition.title", member(87), required=True, force_new=True),
    Attr("condition.description", member(92), force_new=True),
)
MEMBER_RULES = (Valid("member", v.iam_member, member(73)),)

# verify.ServiceAccountLinkRegex (validation.go:34-80): projects/<project or ->/serviceAccounts/<one of three emails>.
_DOMAIN = r"(?:(?:[-a-z0-9]{1,63}\.)*(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?):)?"
_PROJECT_ID = r"[0-9]{1,19}|(?:[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)"
_SERVICE_ACCOUNT_LINK = (
    rf"projects/{_DOMAIN}(?:{_PROJECT_ID}|-)/serviceAccounts/("
    rf"{_DOMAIN}(?:{_PROJECT_ID})@[a-z]+.gserviceaccount.com$"
    r"|[0-9]{1,20}-compute@developer.gserviceaccount.com"
    r"|[a-z]([-a-z0-9]{4,28}[a-z0-9])?@[-a-z0-9\.]{1,63}\.iam\.gserviceaccount\.com$)"
)


def _iam_member(type_: str, *parent: Attr, rules: tuple[Valid, ...] = (), conditional: bool = False) -> ResourceRules:
    attributes = (*MEMBER_ATTRIBUTES, *(CONDITION_ATTRIBUTES if conditional else ()), *parent)
    return ResourceRules(type_, attributes=attributes, rules=(*MEMBER_RULES, *rules))


def _parent(name: str, path: str, line: int, required: bool = True) -> Attr:
    """A parent-specific schema entry (ForceNew, like every argument of an IAM member)."""
    return Attr(name, Source(GOOGLE, f"google/services/{path}", line), required=required, force_new=True)


PROJECT_MEMBER = _iam_member("google_project_iam_member", _parent("project", "resourcemanager/iam_project.go", 31))
SERVICE_ACCOUNT_MEMBER = _iam_member(
    "google_service_account_iam_member",
    _parent("service_account_id", "resourcemanager/iam_service_account.go", 34),
    rules=(
        Valid(
            "service_account_id",
            v.matches(_SERVICE_ACCOUNT_LINK),
            Source(GOOGLE, "google/services/resourcemanager/iam_service_account.go", 38),
        ),
    ),
)
BUCKET_MEMBER = _iam_member(
    "google_storage_bucket_iam_member", _parent("bucket", "storage/iam_storage_bucket.go", 34), conditional=True
)
SECRET_MEMBER = _iam_member(
    "google_secret_manager_secret_iam_member",
    _parent("project", "secretmanager/iam_secret_manager_secret.go", 35, required=False),
    _parent("secret_id", "secretmanager/iam_secret_manager_secret.go", 41),
)
CRYPTO_KEY_MEMBER = _iam_member(
    "google_kms_crypto_key_iam_member", _parent("crypto_key_id", "kms/iam_kms_crypto_key.go", 32)
)

WORKLOAD_IDENTITY_POOL = ResourceRules(
    "google_iam_workload_identity_pool",
    attributes=(
        Attr("workload_identity_pool_id", pool(88), required=True, force_new=True),
        Attr("description", pool(97)),
        Attr("display_name", pool(109)),
        Attr("project", pool(133), force_new=True),
    ),
    rules=(Valid("workload_identity_pool_id", v.workload_identity_pool_id, pool(92)),),
)

WORKLOAD_IDENTITY_POOL_PROVIDER = ResourceRules(
    "google_iam_workload_identity_pool_provider",
    attributes=(
        Attr("workload_identity_pool_id", provider(89), required=True, force_new=True),
        Attr("workload_identity_pool_provider_id", provider(97), required=True, force_new=True),
        Attr("attribute_condition", provider(106)),
        Attr("attribute_mapping", provider(129), MAP),
        Attr("display_name", provider(221)),
        Attr("oidc", provider(226), BLOCK, max_items=1),
        Attr("oidc.issuer_uri", provider(233), required=True),
        Attr("project", provider(382), force_new=True),
    ),
    rules=(
        Valid("workload_identity_pool_provider_id", v.workload_identity_pool_id, provider(101)),
        ExactlyOneOf(("aws", "oidc", "saml", "x509"), provider(287)),
    ),
)
