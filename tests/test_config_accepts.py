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
    """Cluster Toolkit's gke-node-pool refuses COMPACT with queued provisioning "unless using TPUs" (main.tf @10470803
    lines 391-394): the slice's own COMPACT placement is what DWS provisions atomically; max nodes = the slice,
    16 chips / 4 per VM = 4."""
    pool = tpu(
        machine_type="ct5lp-hightpu-4t",
        topology="4x4",
        queued_provisioning=True,
        autoscaling={"min_nodes": 0, "max_nodes": 4},
    )
    assert accepted(config(tpu_pools=[pool])).tpu_pools[0].capacity_model == "queued-provisioning"


#: accelerator-optimized-machines page (2026-04-13) tables: machine type -> GPU count, GPU memory / count = GB per GPU
#: (a3-highgpu-1g 80 GB; a4-highgpu-8g 1,440 / 8 = 180; g4-standard-384 768 / 8 = 96; a3-ultragpu-8g 1,128 / 8 = 141);
#: boot disks: 'Hyperdisk Balanced ... is the only disk type that is supported for the boot disk' of A4, A3 Ultra, G4,
#: while A3 High and A2 take Balanced Persistent Disk (pd-balanced, the pool's documented default). The zone of each
#: comes from the recorded GPU regions-and-zones page (us-central1-a: A3 High, A2; us-central1-b: A4, A3 Ultra, G4).
@pytest.mark.parametrize(
    ("machine_type", "zone", "accelerator", "count", "gpu_gb", "boot_disk", "capacity"),
    [
        # A3 High below 8 GPUs: 'you must create instances by using Spot VMs or Flex-start VMs'.
        ("a3-highgpu-1g", "us-central1-a", "nvidia-h100-80gb", 1, 80, "pd-balanced", {"spot": True}),
        ("a3-highgpu-2g", "us-central1-a", "nvidia-h100-80gb", 2, 80, "pd-balanced", {"spot": True}),
        ("a3-highgpu-4g", "us-central1-a", "nvidia-h100-80gb", 4, 80, "pd-balanced", {"spot": True}),
        # A4 and A3 Ultra: reservation, spot, flex-start or a MIG resize request (queued provisioning).
        ("a4-highgpu-8g", "us-central1-b", "nvidia-b200", 8, 180, "hyperdisk-balanced", {"reservation": {"name": "r"}}),
        ("a3-ultragpu-8g", "us-central1-b", "nvidia-h200-141gb", 8, 141, "hyperdisk-balanced", {"spot": True}),
        ("g4-standard-48", "us-central1-b", "nvidia-rtx-pro-6000", 1, 96, "hyperdisk-balanced", {}),
        ("g4-standard-384", "us-central1-b", "nvidia-rtx-pro-6000", 8, 96, "hyperdisk-balanced", {}),
        ("a2-highgpu-1g", "us-central1-a", "nvidia-tesla-a100", 1, 40, "pd-balanced", {}),
    ],
)
def test_gpu_machines_pair_with_their_accelerators_memory_and_boot_disks(
    machine_type: str, zone: str, accelerator: str, count: int, gpu_gb: int, boot_disk: str, capacity: dict
) -> None:
    from modules.catalog.gpu import GPU_MEMORY_GB

    pool_spec = gpu(machine_type=machine_type, accelerator={"type": accelerator, "count": count}, **capacity)
    pool = accepted(config(zones=[zone], gpu_pools=[pool_spec])).gpu_pools[0]
    assert (pool.gpu_type, pool.gpus_per_node, pool.boot_disk) == (accelerator, count, boot_disk)
    assert GPU_MEMORY_GB[pool.gpu_type] == gpu_gb


@pytest.mark.parametrize(
    ("machine_type", "capacity"),
    [
        ("a4-highgpu-8g", {"spot": True}),
        ("a4-highgpu-8g", {"flex_start": True, "autoscaling": {"min_nodes": 0, "max_nodes": 2}}),
        ("a4-highgpu-8g", {"queued_provisioning": True, "autoscaling": {"min_nodes": 0, "max_nodes": 2}}),
        ("a3-ultragpu-8g", {"reservation": {"name": "r"}}),
        ("a3-highgpu-1g", {"flex_start": True, "autoscaling": {"min_nodes": 0, "max_nodes": 2}}),
        ("a3-highgpu-4g", {"queued_provisioning": True, "autoscaling": {"min_nodes": 0, "max_nodes": 2}}),
    ],
)
def test_reservation_spot_and_dws_machines_take_what_google_offers(machine_type: str, capacity: dict) -> None:
    """accelerator-optimized-machines (2026-04-13): A4 and A3 Ultra 'you must reserve capacity ..., use Spot VMs, use
    Flex-start VMs, or create a resize request in a MIG'; a3-highgpu-1g/2g/4g 'Spot VMs or Flex-start VMs' (a
    standalone VM or a MIG resize request, which is what GKE's queued provisioning creates)."""
    zone = "us-central1-a" if machine_type.startswith("a3-highgpu") else "us-central1-b"
    accepted(config(zones=[zone], gpu_pools=[gpu(machine_type=machine_type, **capacity)]))


def test_flex_start_with_queued_provisioning_is_one_documented_mode() -> None:
    """GKE 'Run a large-scale workload with flex-start with queued provisioning': 'you must add the --flex-start and
    --enable-queued-provisioning flags when you create the node pool' (with --num-nodes=0, --reservation-affinity=none,
    --no-enable-autorepair): the two are not mutually exclusive. Cluster Toolkit's A3 Ultra example sets both."""
    pool = gpu(
        machine_type="a3-ultragpu-8g",
        flex_start=True,
        queued_provisioning=True,
        autoscaling={"min_nodes": 0, "max_nodes": 4},
    )
    spec = accepted(config(zones=["us-central1-b"], gpu_pools=[pool])).gpu_pools[0]
    assert (spec.flex_start, spec.queued_provisioning, spec.capacity_model) == (True, True, "queued-provisioning")


def test_compact_flex_start_on_a3_ultra_and_a4() -> None:
    """Cluster Toolkit main.tf lines 452-459: 'Compact placement with DWS Flex start is only supported for A3 Ultra,
    A4, and H4D machine types'."""
    for machine in ("a3-ultragpu-8g", "a4-highgpu-8g"):
        pool = gpu(
            machine_type=machine, flex_start=True, placement="COMPACT", autoscaling={"min_nodes": 0, "max_nodes": 2}
        )
        assert accepted(config(zones=["us-central1-b"], gpu_pools=[pool])).gpu_pools[0].compact


def test_ct5l_has_no_listed_zone_and_is_opt_in() -> None:
    """No zone-level source read lists tpu-v5-lite-device (ct5l); the August 2026 region export lists it in
    us-central1 and europe-west4 only. A team that has it opts in and gets the warning."""
    pool = tpu(machine_type="ct5l-hightpu-8t", allow_unlisted_zone=True)
    env = accepted(config(region="europe-west4", zones=["europe-west4-b"], tpu_pools=[pool]))
    assert env.tpu_pools[0].accelerator == "tpu-v5-lite-device"
    assert env.warnings()[0].startswith(
        "tpu_pools[0].zones: 'europe-west4-b' is not in the kit's list of zones offering tpu-v5-lite-device"
    )


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


@pytest.mark.parametrize("location", ["asia-southeast3", "EUROPE-NORTH2", "africa-south1", "eur8", "Asia"])
def test_a_bucket_may_live_in_any_region_google_has(location: str) -> None:
    """Regions outside the kit's zone catalog are fine for the bucket: CYC_REGIONS (the 2026-01-09 export of `gcloud
    compute regions list`) lists asia-southeast3, europe-north2 and africa-south1; GCS ignores case."""
    assert accepted(config(weights_bucket={"location": location})).weights_bucket.location == location


def test_ai_zones_are_valid_names_opted_into_with_a_warning() -> None:
    """us-central1-ai1a: Google's TPU page lists TPU7x there (TPU_REGIONS_ZONES); the zone catalog does not."""
    pool = gpu(zones=["us-central1-ai1a"], allow_unlisted_zone=True)
    env = accepted(config(gpu_pools=[pool]))
    assert env.gpu_pools[0].zones == ["us-central1-ai1a"]
    assert env.warnings()[0] == (
        "gpu_pools[0].zones: 'us-central1-ai1a' is not in the kit's list of zones offering nvidia-l4; accepted "
        "because allow_unlisted_zone is true: check availability before deploying"
    )
    cluster = accepted(config(zones=["us-central1-a", "us-central1-ai1a"], allow_unlisted_region=True))
    assert cluster.warnings()[0].startswith("region: 'us-central1' (zones ['us-central1-a', 'us-central1-ai1a'])")


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
