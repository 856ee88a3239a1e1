"""The TPU catalog (modules/catalog/tpu.py) against the text of its sources, read 2026-12-03 for v6e and TPU7x.

Every expectation is written out here from the source named in its docstring, not computed from the catalog.
"""

from __future__ import annotations

import pytest

from modules.catalog import sources
from modules.catalog.engines import TPU_DEVICES_PER_CHIP
from modules.catalog.tpu import (
    COMPACT_TOPOLOGY,
    TPU7X,
    TPU_ACCELERATOR_GENERATION,
    TPU_GENERATION_OF,
    TPU_GENERATIONS,
    TPU_MACHINE_TYPES,
    V5E,
    V6E,
    WORKLOAD_POLICY,
)
from modules.catalog.zones import ZONES


def test_the_kit_knows_three_generations() -> None:
    assert list(TPU_GENERATIONS) == ["v5e", "v6e", "tpu7x"]
    assert TPU_ACCELERATOR_GENERATION == {
        "tpu-v5-lite-podslice": "v5e",
        "tpu-v5-lite-device": "v5e",
        "tpu-v6e-slice": "v6e",
        "tpu7x": "tpu7x",
    }


def test_v6e_machine_types_are_xpks_and_gkes() -> None:
    """xpk v6e: ct6e-standard-1t 1x1, ct6e-standard-4t 2x2 (+ multi-host), label tpu-v6e-slice; GKE's autoscaler and
    the gcloud export add ct6e-standard-8t (8 chips, the v6e page's 8 chips per host: one 2x4 VM)."""
    shapes = {m.name: (m.accelerator, m.chips, m.single_host_topology) for m in V6E.machine_types}
    assert shapes == {
        "ct6e-standard-1t": ("tpu-v6e-slice", 1, "1x1"),
        "ct6e-standard-4t": ("tpu-v6e-slice", 4, "2x2"),
        "ct6e-standard-8t": ("tpu-v6e-slice", 8, "2x4"),
    }
    assert V6E.multi_host_machine_types == ("ct6e-standard-4t",)


def test_v6e_multi_host_slices_and_their_node_counts() -> None:
    """xpk's SUB_SLICING_TOPOLOGIES for ct6e-standard-4t; 4 chips per VM (compute_chips_per_vm), so VMs = chips / 4."""
    chips = {"2x4": 8, "4x4": 16, "4x8": 32, "8x8": 64, "8x16": 128, "16x16": 256}
    assert V6E.multi_host_topologies == chips
    nodes = {"2x4": 2, "4x4": 4, "4x8": 8, "8x8": 16, "8x16": 32, "16x16": 64}
    assert {t: c // V6E.machine("ct6e-standard-4t").chips for t, c in chips.items()} == nodes


def test_tpu7x_machine_types_are_xpks() -> None:
    """xpk tpu7x: tpu7x-standard-1t 1x1x1, tpu7x-standard-4t 2x2x1 (4 chips per VM, as the GKE Ironwood page says)."""
    shapes = {m.name: (m.accelerator, m.chips, m.single_host_topology) for m in TPU7X.machine_types}
    assert shapes == {
        "tpu7x-standard-1t": ("tpu7x", 1, "1x1x1"),
        "tpu7x-standard-4t": ("tpu7x", 4, "2x2x1"),
    }
    assert TPU7X.multi_host_machine_types == ("tpu7x-standard-4t",)
    assert TPU7X.topology_dims == 3 and V6E.topology_dims == 2 and V5E.topology_dims == 2


@pytest.mark.parametrize(
    ("topology", "chips"),
    [
        # generate_tpu_topologies' fixed small shapes
        ("2x2x2", 8),
        ("2x2x4", 16),
        ("2x4x4", 32),
        # xpk's tpu7x default_topologies, a sample: 1 cube, 2 cubes, 8 cubes, 87 cubes, 144 cubes (9,216 chips)
        ("4x4x4", 64),
        ("4x4x8", 128),
        ("8x8x8", 512),
        ("4x12x116", 5568),
        ("16x24x24", 9216),
        ("12x12x16", 2304),
    ],
)
def test_tpu7x_multi_host_slices_include_xpks(topology: str, chips: int) -> None:
    assert TPU7X.multi_host_topologies[topology] == chips


@pytest.mark.parametrize(
    "topology",
    [
        "2x2x1",  # one VM: single-host, not a multi-host slice
        "4x8x4",  # xpk enforces A <= B <= C
        "6x6x6",  # sides past 4 are multiples of 4
        "16x24x28",  # 4*6*7 = 168 cubes > 144
        "2x4",  # TPU7x topologies are 3D
    ],
)
def test_tpu7x_refuses_shapes_xpk_does_not_generate(topology: str) -> None:
    assert topology not in TPU7X.multi_host_topologies


def test_tpu7x_has_431_multi_host_shapes_up_to_the_9216_chip_pod() -> None:
    """Counted by running xpk's generate_tpu_topologies(max_cubes=144) rule separately (a one-off script, not the
    catalog's code): 432 topologies for tpu7x-standard-4t, less 2x2x1, which is one VM."""
    assert len(TPU7X.multi_host_topologies) == 431
    assert max(TPU7X.multi_host_topologies.values()) == 9216


def test_hbm_and_bf16_per_chip() -> None:
    """TPU7x page table (GiB; TFLOPs BF16): v6e 32 / 918, TPU7x 192 / 2307; v5e page: 16 / 197."""
    assert (V5E.hbm_gib_per_chip, V5E.bf16_tflops_per_chip) == (16, 197)
    assert (V6E.hbm_gib_per_chip, V6E.bf16_tflops_per_chip) == (32, 918)
    assert (TPU7X.hbm_gib_per_chip, TPU7X.bf16_tflops_per_chip) == (192, 2307)


def test_jax_devices_per_chip() -> None:
    """TPU7x page: two TensorCores per chip, 'two TPU devices instead of the single logical core'; tpu-inference
    v0.27.0 `get_num_cores_per_chip`: 1 for v5litepod and v6e, else 2; tpu-info: V5E x 1, V6E x 1, V7X x 2."""
    assert (V5E.devices_per_chip, V6E.devices_per_chip, TPU7X.devices_per_chip) == (1, 1, 2)
    assert TPU_DEVICES_PER_CHIP == {"v5e": 1, "v6e": 1, "tpu7x": 2}


def test_boot_disks_are_gkes_autoscaler_families() -> None:
    """ct6e and tpu7x families: supportedBootDiskTypes {hyperdisk-balanced}; v5e keeps pd-balanced, pd-ssd."""
    assert V6E.boot_disk_types == ("hyperdisk-balanced",)
    assert TPU7X.boot_disk_types == ("hyperdisk-balanced",)
    assert V5E.boot_disk_types == ("pd-balanced", "pd-ssd")


def test_minimum_gke_versions() -> None:
    """GKE Ironwood page: Standard 1.34.0-gke.2201000 and later; GKE_V6E_MIN_VERSION: 1.31.2-gke.1115000."""
    assert TPU7X.min_gke_version == "1.34.0-gke.2201000"
    assert V6E.min_gke_version == "1.31.2-gke.1115000"
    assert V5E.min_gke_version is None


def test_placement_of_multi_host_slices() -> None:
    """v5e and v6e: COMPACT with tpu_topology (xpk, Cluster Toolkit's v6e example); TPU7x: a workload policy."""
    assert V5E.multi_host_placement == COMPACT_TOPOLOGY
    assert V6E.multi_host_placement == COMPACT_TOPOLOGY
    assert TPU7X.multi_host_placement == WORKLOAD_POLICY


def test_every_generation_offers_every_capacity_model() -> None:
    expected = ("on-demand", "spot", "reservation", "flex-start", "queued-provisioning")
    assert V6E.capacity_models == expected and TPU7X.capacity_models == expected


def test_machine_type_indexes_cover_every_generation() -> None:
    assert TPU_GENERATION_OF["ct6e-standard-8t"] is V6E
    assert TPU_GENERATION_OF["tpu7x-standard-1t"] is TPU7X
    assert TPU_GENERATION_OF["ct5lp-hightpu-4t"] is V5E
    assert len(TPU_MACHINE_TYPES) == 6 + 3 + 2


def test_zones_offer_the_new_generations() -> None:
    """TPU_REGIONS_ZONES: TPU7x in us-central1-c; v6e in europe-west4-a (with v5e)."""
    assert ZONES["us-central1-c"].tpu_generations == {"tpu7x"}
    assert ZONES["europe-west4-a"].tpu_generations == {"v5e", "v6e"}


def test_every_new_generation_cites_sources_read_on_the_day() -> None:
    for generation in (V6E, TPU7X):
        assert generation.sources
        assert all(s.read == sources.TPU_GENERATIONS_READ_ON for s in generation.sources)
