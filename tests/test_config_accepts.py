"""Environments Google Cloud accepts that the kit used to refuse, and the facts issue 9 settled, each with its source.

The refusals live in tests/test_config_errors.py; here every case must validate, and where the kit derives a value
(a topology's node count, a boot disk, a derived name) the expected value is computed from the outside source, not
read back from the kit.
"""

from __future__ import annotations

import pytest

from modules.config import ConfigError, parse_environment
from tests.test_config_errors import GCS_BACKEND, KEY, config, gpu, tpu


def accepted(data: dict) -> object:
    try:
        return parse_environment(data)
    except ConfigError as exc:  # pragma: no cover - the assertion message is the point
        pytest.fail(f"refused a valid environment: {exc.errors}")


def test_extended_release_channel_is_accepted() -> None:
    """Provider v6.50.0 resource_container_cluster.go release_channel.channel: StringInSlice UNSPECIFIED, RAPID,
    REGULAR, STABLE, EXTENDED."""
    assert accepted(config(cluster={"release_channel": "EXTENDED"})).cluster.release_channel == "EXTENDED"


def test_kubernetes_node_labels_and_taints_follow_kubernetes_syntax() -> None:
    """Kubernetes "Labels and Selectors: syntax": DNS-subdomain prefix + '/' + name <= 63; values may hold '.', '_',
    '-' and uppercase. node.kubernetes.io/ is one of the prefixes NodeRestriction lets the kubelet set."""
    labels = {"acme.com/team": "ML", "tier": "Gold_1.2-a", "node.kubernetes.io/purpose": "", "x": "a" * 63}
    taints = [{"key": "acme.com/dedicated", "value": "Team.ML_1", "effect": "NO_EXECUTE"}, {"key": "gpu"}]
    env = accepted(config(gpu_pools=[gpu(labels=labels, taints=taints)]))
    assert env.gpu_pools[0].labels == labels
    assert [t.key for t in env.gpu_pools[0].taints] == ["acme.com/dedicated", "gpu"]


def test_gcp_labels_accept_international_lowercase_letters() -> None:
    """GCP labeling docs: keys and values are lowercase letters (international characters allowed), digits, _ -."""
    assert accepted(config(labels={"équipe": "données", "team": "ml"})).labels["équipe"] == "données"


def test_v5e_2x4_on_the_4_chip_vm_is_a_two_node_slice() -> None:
    """xpk system_characteristics.py (v5litepod on ct5lp-hightpu-4t lists 2x4; chips per VM 4, so 8 / 4 = 2 VMs)."""
    pool = accepted(config(tpu_pools=[tpu(machine_type="ct5lp-hightpu-4t", topology="2x4")])).tpu_pools[0]
    assert (pool.multi_host, pool.slice_nodes, pool.fixed_node_count()) == (True, 2, 2)
    single = accepted(config(tpu_pools=[tpu(machine_type="ct5lp-hightpu-8t", topology="2x4")])).tpu_pools[0]
    assert (single.multi_host, single.slice_nodes) == (False, 1)


def test_queued_provisioning_on_a_multi_host_tpu_slice() -> None:
    """GKE documents DWS queued provisioning for multi-host TPU slice node pools (the slice's own COMPACT placement
    is what DWS provisions atomically); max nodes = the slice, 16 chips / 4 per VM = 4."""
    pool = tpu(
        machine_type="ct5lp-hightpu-4t",
        topology="4x4",
        queued_provisioning=True,
        autoscaling={"min_nodes": 0, "max_nodes": 4},
    )
    assert accepted(config(tpu_pools=[pool])).tpu_pools[0].capacity_model == "queued-provisioning"


@pytest.mark.parametrize(
    ("machine_type", "zone", "accelerator", "count", "boot_disk"),
    [
        # accelerated-platforms ComputeClass manifests gpu/h100-80gb/*-high-x1/x2/x4 (a3-highgpu-1g/2g/4g).
        ("a3-highgpu-1g", "us-central1-a", "nvidia-h100-80gb", 1, "pd-balanced"),
        ("a3-highgpu-2g", "us-central1-a", "nvidia-h100-80gb", 2, "pd-balanced"),
        ("a3-highgpu-4g", "us-central1-a", "nvidia-h100-80gb", 4, "pd-balanced"),
        # xpk 'b200-8'; A4 boots from Hyperdisk Balanced only (xpk's A4 pool sets disk_type hyperdisk-balanced).
        ("a4-highgpu-8g", "us-central1-b", "nvidia-b200", 8, "hyperdisk-balanced"),
        # accelerated-platforms gpu/rtx-pro-6000-96gb/*-x1 and -x8 (g4-standard-48, g4-standard-384).
        ("g4-standard-48", "us-central1-b", "nvidia-rtx-pro-6000", 1, "hyperdisk-balanced"),
        ("g4-standard-384", "us-central1-b", "nvidia-rtx-pro-6000", 8, "hyperdisk-balanced"),
        # Vertex AI DiskSpec: A3 Ultra's boot disk default is hyperdisk-balanced.
        ("a3-ultragpu-8g", "us-central1-b", "nvidia-h200-141gb", 8, "hyperdisk-balanced"),
    ],
)
def test_new_gpu_machines_pair_with_their_accelerators_and_boot_disks(
    machine_type: str, zone: str, accelerator: str, count: int, boot_disk: str
) -> None:
    data = config(
        zones=[zone], gpu_pools=[gpu(machine_type=machine_type, accelerator={"type": accelerator, "count": count})]
    )
    pool = accepted(data).gpu_pools[0]
    assert (pool.gpu_type, pool.gpus_per_node, pool.boot_disk) == (accelerator, count, boot_disk)


def test_ct5l_is_offered_where_gke_lists_it() -> None:
    """GKE plan-tpus: ct5l-* (tpu-v5-lite-device) in us-central1-a and europe-west4-b."""
    data = config(region="europe-west4", zones=["europe-west4-b"], tpu_pools=[tpu(machine_type="ct5l-hightpu-8t")])
    assert accepted(data).tpu_pools[0].accelerator == "tpu-v5-lite-device"


def test_flex_start_from_zero_is_accepted() -> None:
    pool = gpu(flex_start=True, autoscaling={"min_nodes": 0, "max_nodes": 3})
    assert accepted(config(gpu_pools=[pool])).gpu_pools[0].capacity_model == "flex-start"


@pytest.mark.parametrize(
    ("location", "key_location"),
    [(None, "us-central1"), ("EU", "eu"), ("nam4", "nam4"), ("US", "us"), ("europe-west4", "europe-west4")],
)
def test_bucket_locations_and_cmek_keys_in_the_same_location(location: str | None, key_location: str) -> None:
    """Cloud Storage locations: multi-regions US/EU/ASIA, predefined dual-regions (NAM4, ...), regions; Cloud KMS
    has a location of the same name for each (kms/docs/locations lists us, nam4, ...)."""
    bucket = {"kms_key": KEY.format(location=key_location)}
    if location is not None:
        bucket["location"] = location
    assert accepted(config(weights_bucket=bucket)).weights_bucket.kms_key.endswith("/cryptoKeys/weights")


def test_long_cluster_names_derive_a_valid_node_account() -> None:
    """Service account IDs: 6-30 characters, ending with a letter or digit. 'hfkit-ml-platform-production' (28
    characters) + '-nodes' = 34, cut to 30 = 'hfkit-ml-platform-production-n'; a 29-character name would end the cut
    with '-', which is dropped."""
    assert accepted(config(cluster={"name": "hfkit-ml-platform-production"})).cluster.node_account_id == (
        "hfkit-ml-platform-production-n"
    )
    assert accepted(config(cluster={"name": "hfkit-ml-platform-production2"})).cluster.node_account_id == (
        "hfkit-ml-platform-production2"
    )
    assert accepted(config(cluster={"name": "hfkit-dev"})).cluster.node_account_id == "hfkit-dev-nodes"


def test_reservation_in_another_project_and_longest_names_fit() -> None:
    data = config(
        network={"name": "n" * 46},
        weights_bucket={"name": "w" * 51},
        backend={**GCS_BACKEND, "bucket": "s" * 51},
        ci={"github_repository": "octo-org/ml-infra"},
        gpu_pools=[gpu(reservation={"name": "r1", "project": "shared-capacity-1"})],
    )
    assert accepted(data).gpu_pools[0].reservation.project == "shared-capacity-1"


def test_open_control_plane_is_accepted_with_a_loud_warning() -> None:
    env = accepted(config(network={"master_authorized_networks": [{"name": "all", "cidr": "0.0.0.0/0"}]}))
    (warning,) = [w for w in env.warnings() if "0.0.0.0/0" in w]
    assert warning.startswith("network.master_authorized_networks: 0.0.0.0/0 opens the control plane endpoint")


def test_unlisted_zones_and_regions_are_opt_in_with_a_warning() -> None:
    gpu_pool = gpu(machine_type="g4-standard-48", zones=["us-central1-a"], allow_unlisted_zone=True)
    env = accepted(config(gpu_pools=[gpu_pool]))
    assert env.warnings()[0].startswith("gpu_pools[0].zones: 'us-central1-a' is not in the kit's list of zones")
    far = accepted(
        config(
            region="asia-northeast1",
            zones=["asia-northeast1-a"],
            allow_unlisted_region=True,
            gpu_pools=[gpu(allow_unlisted_zone=True)],
        )
    )
    assert far.warnings()[0].startswith("region: 'asia-northeast1'")
