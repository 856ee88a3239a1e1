"""Network and GKE cluster config."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from modules.config.common import Model, ResourceName, _matching
from modules.config.errors import FieldError

#: What the google provider does with every CIDR it takes (compute subnetwork ip_cidr_range, container cluster
#: master_ipv4_cidr_block, cidr_blocks): Go's net.ParseCIDR, which requires `a.b.c.d/n` and rejects a bare address
#: or netmask notation; GCP then rejects a range whose host bits are set. Python's ipaddress accepts all three, so
#: the text itself must be the canonical form.
CIDR_RULE = "a.b.c.d/n with the host bits zero"
#: Ranges a VPC subnet (primary or secondary) or the control plane cannot use (VPC docs, "Prohibited IPv4 subnet
#: ranges": this network, loopback, link-local, multicast, broadcast).
PROHIBITED_RANGES: tuple[ipaddress.IPv4Network, ...] = tuple(
    ipaddress.IPv4Network(n)
    for n in ("0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "255.255.255.255/32")
)
#: Authorized network that opens the control plane to every address.
ANYWHERE = "0.0.0.0/0"


def canonical_cidr(value: str) -> ipaddress.IPv4Network:
    """The IPv4 network `value` names, if and only if it is written as `a.b.c.d/n` with the host bits zero."""
    address, slash, prefix = value.partition("/")
    if not slash:
        raise ValueError(f"{value!r} is a bare address, not a CIDR block; allowed: {CIDR_RULE}, e.g. {value}/32")
    if "." in prefix:
        raise ValueError(f"{value!r} uses a netmask, not a prefix length; allowed: {CIDR_RULE}, e.g. 10.10.0.0/20")
    try:
        network = ipaddress.IPv4Network(value, strict=False)
    except ValueError:
        raise ValueError(f"{value!r} is not an IPv4 CIDR block; allowed: {CIDR_RULE}, e.g. 10.10.0.0/20") from None
    if network.network_address != ipaddress.IPv4Address(address):
        raise ValueError(f"{value!r} has host bits set; allowed: {network} ({CIDR_RULE})")
    if str(network) != value:
        raise ValueError(f"{value!r} is not written canonically; allowed: {network} ({CIDR_RULE})")
    return network


def _node_range(value: str) -> str:
    network = canonical_cidr(value)
    for prohibited in PROHIBITED_RANGES:
        if network.overlaps(prohibited):
            raise ValueError(
                f"{value!r} overlaps {prohibited}, which a VPC cannot use; allowed: a private range such as "
                "10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16"
            )
    return value


def _authorized(value: str) -> str:
    canonical_cidr(value)
    return value


Cidr = Annotated[str, AfterValidator(_authorized)]
NodeRange = Annotated[str, AfterValidator(_node_range)]
#: Compute Engine names are RFC 1035 labels of at most 63 characters; the longest name derived from the network's
#: is `<name>-deny-all-ingress` (17 more), so the network name itself may have 46.
NetworkName = Annotated[
    str,
    _matching(
        r"[a-z]([-a-z0-9]{0,44}[a-z0-9])?",
        "network name; allowed: 1-46 lowercase letters, digits and hyphens, starting with a letter, not ending with a "
        "hyphen (the firewall name <name>-deny-all-ingress must fit Compute Engine's 63)",
    ),
]


class AuthorizedNetwork(Model):
    name: str = Field(max_length=100)
    cidr: Cidr


class Network(Model):
    """VPC-native networking: the node subnet and its secondary ranges for pods and services, and the /28 the
    private control plane peers into. The four ranges must not overlap."""

    name: NetworkName = "hfkit"
    subnet_cidr: NodeRange = "10.10.0.0/20"
    pods_cidr: NodeRange = "10.16.0.0/14"
    services_cidr: NodeRange = "10.20.0.0/20"
    master_cidr: NodeRange = "172.16.0.0/28"
    master_authorized_networks: list[AuthorizedNetwork] = Field(
        default_factory=list,
        description="CIDRs allowed to reach the control plane (none: private only via VPC). 0.0.0.0/0 is accepted "
        "with a warning.",
    )

    @model_validator(mode="after")
    def _ranges(self) -> Network:
        master = ipaddress.IPv4Network(self.master_cidr)
        if master.prefixlen != 28:
            raise FieldError("master_cidr", f"{self.master_cidr!r} is a /{master.prefixlen}; allowed: a /28 block")
        fields = ("subnet_cidr", "pods_cidr", "services_cidr", "master_cidr")
        ranges = {f: ipaddress.IPv4Network(getattr(self, f)) for f in fields}
        for i, first in enumerate(fields):
            for second in fields[i + 1 :]:
                if ranges[first].overlaps(ranges[second]):
                    raise FieldError(
                        second,
                        f"{getattr(self, second)!r} overlaps {first} {getattr(self, first)!r}; "
                        "allowed: non-overlapping ranges",
                    )
        return self

    @property
    def open_to_internet(self) -> bool:
        return any(n.cidr == ANYWHERE for n in self.master_authorized_networks)


#: A GKE version as `min_master_version` takes it: `1.34`, `1.34.0` or `1.34.0-gke.2201000`.
GKE_VERSION = re.compile(r"(?P<major>[1-9][0-9]*)\.(?P<minor>[0-9]+)(\.(?P<patch>[0-9]+)(-gke\.(?P<build>[0-9]+))?)?")
GKE_VERSION_RULE = "MAJOR.MINOR, MAJOR.MINOR.PATCH or MAJOR.MINOR.PATCH-gke.N, e.g. 1.34.0-gke.2201000"


def gke_version_floor(version: str) -> tuple[int, int, int, int]:
    """The oldest GKE version `version` can stand for: missing parts count as 0, so `1.34` is below every
    `1.34.x-gke.N` but one (the kit compares floors: a pin must guarantee a minimum, not merely allow it)."""
    match = GKE_VERSION.fullmatch(version)
    if match is None:
        raise ValueError(f"{version!r} is not a GKE version; allowed: {GKE_VERSION_RULE}")
    return tuple(int(match.group(part) or 0) for part in ("major", "minor", "patch", "build"))  # type: ignore[return-value]


def _gke_version(value: str) -> str:
    gke_version_floor(value)
    return value


GkeVersion = Annotated[str, AfterValidator(_gke_version)]


class Cluster(Model):
    """GKE Standard cluster (regional, in the environment's region, nodes in its zones)."""

    name: ResourceName = "hfkit"
    release_channel: Literal["RAPID", "REGULAR", "STABLE", "EXTENDED"] = Field(
        default="REGULAR",
        description="GKE release channel (provider v6.50.0 also takes UNSPECIFIED, i.e. no channel: not offered).",
    )
    min_master_version: GkeVersion | None = Field(
        default=None,
        description="Oldest GKE version the control plane may run (google_container_cluster.min_master_version). "
        "Required, at least the generation's minimum, when a TPU pool's generation needs a newer GKE than any "
        "channel guarantees: v6e 1.31.2-gke.1115000, TPU7x 1.34.0-gke.2201000.",
    )
    deletion_protection: bool = True
    rbac_security_group: str | None = Field(
        default=None,
        pattern=r"^gke-security-groups@[A-Za-z0-9.-]+$",
        description="Google Groups for RBAC: gke-security-groups@YOUR_DOMAIN (needs Google Workspace/Cloud Identity).",
    )

    @property
    def node_account_id(self) -> str:
        """The node service account ID, derived from the cluster name: `<name>-nodes`, cut to the 30 characters a
        service account ID may have and with trailing hyphens dropped (an ID must end with a letter or digit).

        Stable across versions: for every name whose ID was valid before (names of up to 24 characters give
        `<name>-nodes` unchanged; longer ones were cut to 30), the result is the same; only IDs that used to end
        with `-`, which GCP never accepted, change. Two clusters in one project whose names share their first 24+
        characters derive the same ID: the environment refuses a clash with its own identities, not with other
        environments' (give such clusters distinct prefixes)."""
        return f"{self.name}-nodes"[:30].rstrip("-")

    maintenance_start_time: str = Field(
        default="03:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="Daily window start, UTC HH:MM."
    )
