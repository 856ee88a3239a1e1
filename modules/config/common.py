"""Field types shared by the config models: names GCP and Kubernetes accept, labels, IAM members."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from modules.catalog.locations import ALL_REGIONS


class Model(BaseModel):
    """Base for every config model: immutable, and unknown keys are errors (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _matching(pattern: str, what: str) -> AfterValidator:
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise ValueError(f"{value!r} is not a valid {what}")
        return value

    return AfterValidator(check)


ResourceName = Annotated[
    str,
    _matching(
        r"[a-z]([-a-z0-9]{0,38}[a-z0-9])?",
        "name; allowed: 1-40 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen",
    ),
]
ProjectId = Annotated[
    str,
    _matching(
        r"[a-z][-a-z0-9]{4,28}[a-z0-9]",
        "project ID; allowed: 6-30 lowercase letters, digits and hyphens, starting with a letter",
    ),
]
Region = Annotated[
    str,
    _matching(r"[a-z]+-[a-z]+[0-9]+", "region; allowed: a region such as us-central1"),
    # For editors: every region Google has (the environment narrows it to the zone catalog's, with a clearer message).
    Field(json_schema_extra={"enum": list(ALL_REGIONS)}),
]
#: `<region>-<letter>`, or an AI zone `<region>-ai<digit><letter>` (us-central1-ai1a, us-south1-ai1b, europe-west4-ai1a:
#: GKE zones for TPU7x and v6e named by TPU_REGIONS_ZONES and GPU_ZONES_PAGE in modules/catalog/sources.py). The zone
#: catalog does not list AI zones, so a pool there also needs allow_unlisted_zone (and its warning).
_ZONE = r"[a-z]+-[a-z]+[0-9]+-([a-z]|ai[0-9][a-z])"
Zone = Annotated[
    str,
    _matching(_ZONE, "zone; allowed: a zone such as us-central1-a, or an AI zone such as us-central1-ai1a"),
    Field(json_schema_extra={"pattern": f"^{_ZONE}$"}),
]
IamMember = Annotated[
    str,
    _matching(
        r"(user|group|serviceAccount|domain):[^\s]+",
        "IAM member; allowed: user:EMAIL, group:EMAIL, serviceAccount:EMAIL or domain:DOMAIN",
    ),
]
KubernetesServiceAccount = Annotated[
    str,
    _matching(
        r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?",
        "Kubernetes service account; allowed: NAMESPACE/NAME in lowercase DNS-label form",
    ),
]

#: GCP resource labels (https://cloud.google.com/compute/docs/labeling-resources, "Requirements for labels"): keys
#: 1-63 characters starting with a lowercase letter, values 0-63; both lowercase letters (international ones too),
#: digits, `_` and `-`; at most 64 labels on one resource.
MAX_GCP_LABELS = 64
#: Labels the kit sets itself on every resource (or on some): a user label with one of these keys would be silently
#: overwritten, so it is refused.
KIT_GCP_LABELS: tuple[str, ...] = ("managed-by", "hfkit-environment", "hfkit-role", "hfkit-pool")


def _gcp_label_part(value: str, first_letter: bool) -> bool:
    if len(value) > 63 or (first_letter and not (value and value[0].isalpha() and value[0] == value[0].lower())):
        return False
    return all((c.isalnum() and c == c.lower()) or c in "_-" for c in value)


def _check_labels(labels: dict[str, str]) -> dict[str, str]:
    for key, value in labels.items():
        if not _gcp_label_part(key, first_letter=True):
            raise ValueError(
                f"label key {key!r} is not allowed; allowed: 1-63 lowercase letters, digits, _ and -, "
                "starting with a letter"
            )
        if not _gcp_label_part(value, first_letter=False):
            raise ValueError(
                f"label value {value!r} (key {key!r}) is not allowed; allowed: 0-63 lowercase letters, digits, _ and -"
            )
        if key in KIT_GCP_LABELS:
            raise ValueError(
                f"label key {key!r} is set by hfkit itself; allowed: any key but {', '.join(KIT_GCP_LABELS)}"
            )
    if len(labels) > MAX_GCP_LABELS - len(KIT_GCP_LABELS):
        raise ValueError(
            f"{len(labels)} labels; allowed: at most {MAX_GCP_LABELS - len(KIT_GCP_LABELS)} (GCP allows "
            f"{MAX_GCP_LABELS} per resource and hfkit adds up to {len(KIT_GCP_LABELS)})"
        )
    return labels


Labels = Annotated[dict[str, str], AfterValidator(_check_labels)]
ServiceAccountId = Annotated[
    str,
    _matching(
        r"[a-z][-a-z0-9]{4,28}[a-z0-9]",
        "service account ID; allowed: 6-30 lowercase letters, digits and hyphens, starting with a letter",
    ),
]

# Kubernetes label and taint syntax (kubernetes/apimachinery pkg/util/validation/validation.go: IsQualifiedName,
# IsValidLabelValue; the Kubernetes docs "Labels and Selectors: Syntax and character set"; taints use the same rules,
# k8s.io/kubernetes pkg/apis/core/validation validateTaints). Node labels are not GCP resource labels: uppercase, `.`
# and a DNS-subdomain prefix are allowed.
_K8S_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
KUBERNETES_KEY_RULE = (
    "an optional DNS-subdomain prefix (<= 253 lowercase characters) and '/', then a name of 1-63 letters, digits, "
    "'-', '_' or '.' starting and ending with a letter or digit"
)
KUBERNETES_VALUE_RULE = "0-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
#: Node labels the kubelet may not set on itself (NodeRestriction admission; GKE passes pool labels to the kubelet):
#: the kubernetes.io and k8s.io namespaces, except the kubelet.kubernetes.io/ and node.kubernetes.io/ prefixes.
_RESTRICTED_LABEL_DOMAINS = ("kubernetes.io", "k8s.io")
_ALLOWED_LABEL_PREFIXES = ("kubelet.kubernetes.io", "node.kubernetes.io")


def is_kubernetes_key(key: str) -> bool:
    prefix, _, name = key.rpartition("/")
    if "/" in key and not (prefix and len(prefix) <= 253 and _DNS_SUBDOMAIN.fullmatch(prefix)):
        return False
    return len(name) <= 63 and bool(_K8S_NAME.fullmatch(name))


def is_kubernetes_value(value: str) -> bool:
    return value == "" or (len(value) <= 63 and bool(_K8S_NAME.fullmatch(value)))


def restricted_node_label(key: str) -> bool:
    """True when the kubelet may not carry this label (so GKE cannot create nodes with it)."""
    prefix = key.rpartition("/")[0]
    if not prefix or prefix in _ALLOWED_LABEL_PREFIXES:
        return False
    return any(prefix == d or prefix.endswith(f".{d}") for d in _RESTRICTED_LABEL_DOMAINS)


def _check_node_labels(labels: dict[str, str]) -> dict[str, str]:
    for key, value in labels.items():
        if not is_kubernetes_key(key):
            raise ValueError(f"node label key {key!r} is not allowed; allowed: {KUBERNETES_KEY_RULE}")
        if not is_kubernetes_value(value):
            raise ValueError(
                f"node label value {value!r} (key {key!r}) is not allowed; allowed: {KUBERNETES_VALUE_RULE}"
            )
        if restricted_node_label(key):
            raise ValueError(
                f"node label key {key!r} is in a namespace the kubelet may not set (kubernetes.io, k8s.io); "
                "allowed: another prefix, or node.kubernetes.io/ and kubelet.kubernetes.io/"
            )
    return labels


NodeLabels = Annotated[dict[str, str], AfterValidator(_check_node_labels)]
