"""The rules of each TPU generation (v6e, TPU7x) as bad configs with their exact one-line messages, and the ones they
accept. Allowed values in the messages are the catalog's, written out here from its sources (tests/test_tpu_catalog.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from modules.config import ConfigError, parse_environment
from modules.config.cluster import gke_version_floor
from modules.tpu_pool import workload_policy_name
from tests.test_config_errors import config

TPU7X_MIN = "1.34.0-gke.2201000"
V6E_MIN = "1.31.2-gke.1115000"
#: Why the pin is asked for (GKE's Stable channel default for new clusters is 1.34.6-gke.1307000 from 2026-05-27).
CHANNEL_NOTE = (
    "every channel's default for new clusters has been newer since 2026-05, but defaults move and the pin also "
    "upgrades an existing cluster that runs older"
)


def v6e(**fields: Any) -> dict[str, Any]:
    return {"name": "tpu", "machine_type": "ct6e-standard-4t", "zones": ["us-central1-b"], **fields}


def tpu7x(**fields: Any) -> dict[str, Any]:
    return {"name": "tpu", "machine_type": "tpu7x-standard-4t", "zones": ["us-central1-c"], **fields}


def env(*pools: dict[str, Any], version: str | None = TPU7X_MIN) -> dict[str, Any]:
    cluster = {"min_master_version": version} if version else {}
    return config(tpu_pools=list(pools), cluster=cluster)


TPU7X_SHAPES = (
    "2x2x1 (single-host) or a multi-host slice on tpu7x-standard-4t: 2x2x2, 2x2x4, 2x4x4, or AxBxC with A <= B <= C, "
    "each a multiple of 4 up to 256, and (A/4)*(B/4)*(C/4) <= 144 (4x4x4 cubes; e.g. 4x4x4, 4x4x8, 8x8x8)"
)
V6E_SHAPES = "2x2 (single-host) or a multi-host slice on ct6e-standard-4t: 2x4, 4x4, 4x8, 8x8, 8x16, 16x16"
ZONE_HINT = "(or allow_unlisted_zone: true after checking availability)"

CASES: dict[str, tuple[dict[str, Any], str]] = {
    "v6e_shape": (
        env(v6e(topology="4x6")),
        f"tpu_pools[0].topology: '4x6' is not a TPU v6e shape for ct6e-standard-4t; allowed: {V6E_SHAPES}",
    ),
    "v6e_3d": (
        env(v6e(topology="2x2x1")),
        "tpu_pools[0].topology: '2x2x1' is not a TPU v6e topology; allowed: AxB, e.g. 2x4 or 4x8",
    ),
    "v6e_multi_on_8t": (
        env(v6e(machine_type="ct6e-standard-8t", topology="4x8")),
        "tpu_pools[0].machine_type: 'ct6e-standard-8t' cannot form multi-host topology 4x8; "
        "allowed: ct6e-standard-4t (4 chips per VM)",
    ),
    "v6e_multi_on_1t": (
        env(v6e(machine_type="ct6e-standard-1t", topology="2x4")),
        "tpu_pools[0].machine_type: 'ct6e-standard-1t' cannot form multi-host topology 2x4; "
        "allowed: ct6e-standard-4t (4 chips per VM)",
    ),
    "v6e_pd_disk": (
        env(v6e(disk_type="pd-balanced")),
        "tpu_pools[0].disk_type: 'pd-balanced' is not a boot disk of TPU v6e; allowed: hyperdisk-balanced",
    ),
    "v6e_zone": (
        env(v6e(zones=["us-central1-a"])),
        "tpu_pools[0].zones: 'us-central1-a' does not offer tpu-v6e-slice (ct6e-standard-4t) in the kit's zone "
        f"catalog; allowed: us-central1-b {ZONE_HINT}",
    ),
    "v6e_node_count": (
        env(v6e(topology="4x8", node_count=4)),
        "tpu_pools[0].node_count: 4 does not match topology 4x8 (32 chips / 4 per node); allowed: 8 (or leave it out: "
        "it is derived)",
    ),
    "v6e_no_version": (
        env(v6e(), version=None),
        "cluster.min_master_version: not set, but tpu_pools[0] (ct6e-standard-4t, TPU v6e) needs GKE "
        f"{V6E_MIN} or later; allowed: cluster.min_master_version: {V6E_MIN} (or a later version; "
        f"{CHANNEL_NOTE})",
    ),
    "v6e_old_version": (
        env(v6e(), version="1.31"),
        f"cluster.min_master_version: '1.31' may be older than {V6E_MIN}, but tpu_pools[0] (ct6e-standard-4t, TPU "
        f"v6e) needs GKE {V6E_MIN} or later; allowed: cluster.min_master_version: {V6E_MIN} (or a later version; "
        f"{CHANNEL_NOTE})",
    ),
    "tpu7x_2d": (
        env(tpu7x(topology="2x4")),
        "tpu_pools[0].topology: '2x4' is not a TPU7x topology; allowed: AxBxC, e.g. 2x2x1 or 4x4x4",
    ),
    "tpu7x_shape": (
        env(tpu7x(topology="4x4x6")),
        f"tpu_pools[0].topology: '4x4x6' is not a TPU7x shape for tpu7x-standard-4t; allowed: {TPU7X_SHAPES}",
    ),
    "tpu7x_unsorted": (
        env(tpu7x(topology="4x8x4")),
        f"tpu_pools[0].topology: '4x8x4' is not a TPU7x shape for tpu7x-standard-4t; allowed: {TPU7X_SHAPES}",
    ),
    "tpu7x_too_big": (
        env(tpu7x(topology="16x24x28")),
        f"tpu_pools[0].topology: '16x24x28' is not a TPU7x shape for tpu7x-standard-4t; allowed: {TPU7X_SHAPES}",
    ),
    "tpu7x_multi_on_1t": (
        env(tpu7x(machine_type="tpu7x-standard-1t", topology="2x2x2")),
        "tpu_pools[0].machine_type: 'tpu7x-standard-1t' cannot form multi-host topology 2x2x2; "
        "allowed: tpu7x-standard-4t (4 chips per VM)",
    ),
    "tpu7x_disk": (
        env(tpu7x(disk_type="pd-ssd")),
        "tpu_pools[0].disk_type: 'pd-ssd' is not a boot disk of TPU7x; allowed: hyperdisk-balanced",
    ),
    "tpu7x_zone": (
        env(tpu7x(zones=["us-central1-b"])),
        "tpu_pools[0].zones: 'us-central1-b' does not offer tpu7x (tpu7x-standard-4t) in the kit's zone catalog; "
        f"allowed: us-central1-c {ZONE_HINT}",
    ),
    "tpu7x_region_without_zone": (
        {**env(tpu7x(zones=None)), "region": "europe-west4", "zones": ["europe-west4-a"]},
        "tpu_pools[0].zones: not set, so the pool would use zone 'europe-west4-a', which does not offer tpu7x "
        f"(tpu7x-standard-4t) in the kit's zone catalog; allowed: no zone of europe-west4 {ZONE_HINT}",
    ),
    "tpu7x_split_slice": (
        env(tpu7x(topology="4x4x4", autoscaling={"min_nodes": 0, "max_nodes": 8})),
        "tpu_pools[0].autoscaling: min_nodes 0 / max_nodes 8 would split a 4x4x4 slice; allowed: max_nodes 16 with "
        "min_nodes 0 or 16 (a slice is atomic)",
    ),
    "tpu7x_two_zones": (
        env(tpu7x(topology="2x2x2", zones=["us-central1-c", "us-central1-b"])),
        "tpu_pools[0].zones: ['us-central1-c', 'us-central1-b'] spans 2 zones but the pool uses COMPACT placement; "
        "allowed: exactly one zone",
    ),
    "tpu7x_v6e_version_only": (
        env(v6e(), tpu7x(name="ironwood"), version=V6E_MIN),
        f"cluster.min_master_version: '{V6E_MIN}' may be older than {TPU7X_MIN}, but tpu_pools[1] "
        f"(tpu7x-standard-4t, TPU7x) needs GKE {TPU7X_MIN} or later; allowed: cluster.min_master_version: "
        f"{TPU7X_MIN} (or a later version; {CHANNEL_NOTE})",
    ),
    "tpu7x_patch_below": (
        env(tpu7x(), version="1.34.0-gke.2200999"),
        f"cluster.min_master_version: '1.34.0-gke.2200999' may be older than {TPU7X_MIN}, but tpu_pools[0] "
        f"(tpu7x-standard-4t, TPU7x) needs GKE {TPU7X_MIN} or later; allowed: cluster.min_master_version: "
        f"{TPU7X_MIN} (or a later version; {CHANNEL_NOTE})",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_generation_rule_is_refused_with_its_exact_message(case: str) -> None:
    data, expected = CASES[case]
    with pytest.raises(ConfigError) as caught:
        parse_environment(data)
    assert caught.value.errors == [expected]


def test_a_version_that_is_not_one_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_environment(env(version="latest"))
    assert caught.value.errors == [
        "cluster.min_master_version: 'latest' is not a GKE version; allowed: MAJOR.MINOR, MAJOR.MINOR.PATCH or "
        "MAJOR.MINOR.PATCH-gke.N, e.g. 1.34.0-gke.2201000"
    ]


@pytest.mark.parametrize("version", [TPU7X_MIN, "1.34.0-gke.2201001", "1.34.1", "1.35", "2.0"])
def test_tpu7x_is_accepted_at_or_above_its_minimum(version: str) -> None:
    environment = parse_environment(env(tpu7x(topology="4x4x4"), version=version))
    pool = environment.tpu_pools[0]
    assert (pool.slice_nodes, pool.fixed_node_count(), pool.boot_disk) == (16, 16, "hyperdisk-balanced")


def test_v5e_needs_no_pinned_version() -> None:
    environment = parse_environment(config(tpu_pools=[{"name": "tpu", "machine_type": "ct5lp-hightpu-8t"}]))
    assert environment.cluster.min_master_version is None


@pytest.mark.parametrize(
    ("version", "floor"),
    [("1.34", (1, 34, 0, 0)), ("1.34.1", (1, 34, 1, 0)), ("1.34.0-gke.2201000", (1, 34, 0, 2201000))],
)
def test_a_version_stands_for_its_oldest_release(version: str, floor: tuple[int, int, int, int]) -> None:
    assert gke_version_floor(version) == floor


def test_the_workload_policy_name_fits_rfc_1035() -> None:
    """Short: `<cluster>-<pool>-<topology>`; past 63: 54 characters, '-', 8 hex digits of SHA-256 (hashlib, hand-run:
    sha256(b'c' * 40 + b'-' + b'p' * 40 + b'-4x4x4') starts with the digits asserted below)."""
    assert workload_policy_name("hfkit-gen", "tpu7x-2x2x2", "2x2x2") == "hfkit-gen-tpu7x-2x2x2-2x2x2"
    long = workload_policy_name("c" * 40, "p" * 40, "4x4x4")
    assert long == "c" * 40 + "-" + "p" * 13 + "-" + LONG_DIGEST
    assert len(long) == 63
    # A cut that would end in a hyphen drops it: 53 characters, '-', the digest (62 in all).
    cut = workload_policy_name("c" * 53, "p" * 20, "2x2x2")
    assert cut == "c" * 53 + "-" + CUT_DIGEST


#: Computed once with hashlib in a shell, outside the kit's code.
LONG_DIGEST = "480da4f2"
CUT_DIGEST = "cbb3a354"
