"""Property-based: every environment generated from the catalogs validates, synthesizes, passes checkov and passes
the google/kubernetes providers' own plan-time rules (scripts/provider_rules, cited to provider source lines).

tests/generated.py draws the environments (fixed seed, one sweep over every catalog region, every TPU shape and GPU
machine in each region that offers it); the session fixture `generated` synthesizes them once. Expectations come
from the outside sources, not from the kit: a v5e slice has chips = A x B and 4 chips per VM on ct5lp-hightpu-4t
(xpk system_characteristics.py: compute_chips_per_vm / compute_vms_per_slice); boot disks from the catalog's cited
Compute Engine tables.
"""

from __future__ import annotations

from typing import Any

from modules.catalog.gpu import GPU_MACHINE_TYPES
from modules.catalog.tpu import CAPACITY_MODELS
from modules.catalog.zones import REGIONS
from modules.config import parse_environment
from scripts.provider_rules import check
from tests.generated import GeneratedSynth, shapes
from tests.test_policy import describe, run_checkov

#: xpk: every multi-host topology uses 4-chip VMs (ct5lp-hightpu-4t, ct6e-standard-4t, tpu7x-standard-4t).
CHIPS_PER_MULTI_HOST_VM = 4
#: Multi-host machine types (xpk) and how their slices are placed: COMPACT with tpu_topology (v5e, v6e: xpk, Cluster
#: Toolkit), or a HIGH_THROUGHPUT workload policy named in policy_name (TPU7x: GKE's Ironwood page).
MULTI_HOST = {"ct5lp-hightpu-4t": "compact", "ct6e-standard-4t": "compact", "tpu7x-standard-4t": "workload policy"}
#: Chips of the machine types' own single-host shapes, from their names (-1t, -4t, -8t).
SINGLE_HOST_CHIPS = {"1t": 1, "4t": 4, "8t": 8}


def pools(synth: GeneratedSynth) -> list[dict[str, Any]]:
    return [*synth.config["tpu_pools"], *synth.config["gpu_pools"]]


def test_every_shape_zone_capacity_model_and_engine_is_generated(generated: dict[str, GeneratedSynth]) -> None:
    drawn = [pool for synth in generated.values() for pool in pools(synth)]
    shapes_drawn = {(p["machine_type"], p.get("topology")) for p in drawn}
    assert shapes_drawn == {(machine, topology) for _, machine, topology in shapes()}
    zones = {zone for synth in generated.values() for zone in synth.config["zones"]}
    assert zones == {zone for region in REGIONS.values() for zone in region.zones}
    models = {parse_environment(s.config).pool(p["name"]).capacity_model for s in generated.values() for p in pools(s)}
    assert models == set(CAPACITY_MODELS)
    # GKE's documented flex-start with queued provisioning, and a shape no catalog zone lists (ct5l), both appear.
    assert any(p.get("flex_start") and p.get("queued_provisioning") for p in drawn)
    assert any(p.get("allow_unlisted_zone") for p in drawn)
    deployments = [d for synth in generated.values() for d in synth.config["deployments"]]
    engines = {(d["engine"], d["pool"].startswith("t")) for d in deployments}
    assert engines == {("vllm", True), ("vllm", False), ("tgi", False)}


def test_every_generated_environment_synthesizes_its_stacks(generated: dict[str, GeneratedSynth]) -> None:
    for name, synth in generated.items():
        expected = {"network", "cluster", "accelerators", "storage", "identities"}
        expected |= {"bootstrap"} if "ci" in synth.config else set()
        expected |= {"serving"} if synth.config["deployments"] else set()
        assert {p.name for p in synth.stacks_dir.iterdir()} == expected, name


def test_generated_pools_have_their_shape_disk_and_size(generated: dict[str, GeneratedSynth]) -> None:
    for synth in generated.values():
        synthesized = {p["name"]: p for p in synth.resources("accelerators", "google_container_node_pool").values()}
        for spec in pools(synth):
            pool = synthesized[spec["name"]]
            node_config = pool["node_config"]
            assert node_config["machine_type"] == spec["machine_type"]
            if "disk_type" in spec:
                assert node_config["disk_type"] == spec["disk_type"]
            # GKE flex-start with queued provisioning: --flex-start --enable-queued-provisioning --no-enable-autorepair.
            dws = bool(spec.get("flex_start") or spec.get("queued_provisioning"))
            assert node_config.get("flex_start", False) == bool(spec.get("flex_start")), spec
            assert pool.get("queued_provisioning", {}).get("enabled", False) == bool(spec.get("queued_provisioning"))
            assert pool["management"]["auto_repair"] is not dws, spec
            if spec["machine_type"] in GPU_MACHINE_TYPES:
                (gpu,) = node_config["guest_accelerator"]
                assert (gpu["type"], gpu["count"]) == (
                    GPU_MACHINE_TYPES[spec["machine_type"]].accelerator,
                    GPU_MACHINE_TYPES[spec["machine_type"]].count,
                )
                continue
            chips = 1
            for side in spec["topology"].split("x"):
                chips *= int(side)
            nodes = chips // CHIPS_PER_MULTI_HOST_VM
            placement = pool.get("placement_policy", {})
            if chips > SINGLE_HOST_CHIPS[spec["machine_type"].rsplit("-", 1)[1]]:
                if MULTI_HOST[spec["machine_type"]] == "compact":
                    assert placement == {"type": "COMPACT", "tpu_topology": spec["topology"]}
                else:
                    policies = synth.resources("accelerators", "google_compute_resource_policy").values()
                    (policy,) = [
                        p for p in policies if p["workload_policy"]["accelerator_topology"] == spec["topology"]
                    ]
                    assert policy["workload_policy"]["type"] == "HIGH_THROUGHPUT"
                    assert policy["region"] == synth.config["region"]
                    assert placement["type"] == "COMPACT" and "tpu_topology" not in placement
                    assert placement["policy_name"].startswith("${google_compute_resource_policy.")
                sized = pool.get("node_count", pool.get("autoscaling", {}).get("max_node_count"))
                sized = sized or pool.get("autoscaling", {}).get("total_max_node_count")
                assert sized == nodes, (spec, pool)
            else:
                assert "tpu_topology" not in placement and "policy_name" not in placement


def test_generated_environments_pass_checkov(generated: dict[str, GeneratedSynth]) -> None:
    files = sorted(path for synth in generated.values() for path in synth.stacks_dir.glob("*/cdk.tf.json"))
    report = run_checkov(files)
    failed = report["results"]["failed_checks"]
    assert not failed, f"{len(failed)} failed checkov check(s):\n" + "\n".join(map(describe, failed))
    assert report["summary"]["passed"] > 0


def test_generated_environments_pass_the_provider_rules(generated: dict[str, GeneratedSynth]) -> None:
    """What `terraform validate` would refuse, offline: every rule of the pinned providers' source holds, and every
    attribute the kit emits is one the rules describe (so hfkit diff never guesses its effect)."""
    for name, synth in generated.items():
        for stack_dir in sorted(synth.stacks_dir.iterdir()):
            stack = synth.stack(stack_dir.name)
            assert check.violations(stack) == [], f"{name}/{stack_dir.name}"
            assert check.unknown(stack) == [], f"{name}/{stack_dir.name}"
