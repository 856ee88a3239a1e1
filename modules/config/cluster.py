"""Network and GKE cluster config."""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import Field, field_validator, model_validator

from modules.config.common import Model, ResourceName
from modules.config.errors import FieldError


def _network(value: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not an IPv4 CIDR block ({exc}); allowed: e.g. 10.0.0.0/20") from None


class AuthorizedNetwork(Model):
    name: str
    cidr: str

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        _network(value)
        return value


class Network(Model):
    """VPC-native networking: the node subnet and its secondary ranges for pods and services, and the /28 the
    private control plane peers into. The four ranges must not overlap."""

    name: ResourceName = "hfkit"
    subnet_cidr: str = "10.10.0.0/20"
    pods_cidr: str = "10.16.0.0/14"
    services_cidr: str = "10.20.0.0/20"
    master_cidr: str = "172.16.0.0/28"
    master_authorized_networks: list[AuthorizedNetwork] = Field(
        default_factory=list, description="CIDRs allowed to reach the control plane (none: private only via VPC)."
    )

    @field_validator("subnet_cidr", "pods_cidr", "services_cidr", "master_cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        _network(value)
        return value

    @model_validator(mode="after")
    def _ranges(self) -> Network:
        master = _network(self.master_cidr)
        if master.prefixlen != 28:
            raise FieldError("master_cidr", f"{self.master_cidr!r} is a /{master.prefixlen}; allowed: a /28 block")
        ranges = {f: _network(getattr(self, f)) for f in ("subnet_cidr", "pods_cidr", "services_cidr", "master_cidr")}
        names = list(ranges)
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                if ranges[first].overlaps(ranges[second]):
                    raise FieldError(
                        second,
                        f"{getattr(self, second)!r} overlaps {first} {getattr(self, first)!r}; "
                        "allowed: non-overlapping ranges",
                    )
        return self


class Cluster(Model):
    """GKE Standard cluster (regional, in the environment's region, nodes in its zones)."""

    name: ResourceName = "hfkit"
    release_channel: Literal["RAPID", "REGULAR", "STABLE"] = "REGULAR"
    deletion_protection: bool = True
    rbac_security_group: str | None = Field(
        default=None,
        pattern=r"^gke-security-groups@[A-Za-z0-9.-]+$",
        description="Google Groups for RBAC: gke-security-groups@YOUR_DOMAIN (needs Google Workspace/Cloud Identity).",
    )
    maintenance_start_time: str = Field(
        default="03:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="Daily window start, UTC HH:MM."
    )
