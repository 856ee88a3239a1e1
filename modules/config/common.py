"""Field types shared by the config models: names GCP and Kubernetes accept, labels, IAM members."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


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
Region = Annotated[str, _matching(r"[a-z]+-[a-z]+[0-9]+", "region; allowed: a region such as us-central1")]
Zone = Annotated[str, _matching(r"[a-z]+-[a-z]+[0-9]+-[a-z]", "zone; allowed: a zone such as us-central1-a")]
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

_LABEL_KEY = re.compile(r"[a-z][a-z0-9_-]{0,62}")
_LABEL_VALUE = re.compile(r"[a-z0-9_-]{0,63}")


def _check_labels(labels: dict[str, str]) -> dict[str, str]:
    for key, value in labels.items():
        if not _LABEL_KEY.fullmatch(key):
            raise ValueError(
                f"label key {key!r} is not allowed; allowed: 1-63 lowercase letters, digits, _ and -, "
                "starting with a letter"
            )
        if not _LABEL_VALUE.fullmatch(value):
            raise ValueError(
                f"label value {value!r} (key {key!r}) is not allowed; allowed: 0-63 lowercase letters, digits, _ and -"
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
