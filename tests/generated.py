"""Valid environments generated from the catalogs, and their synthesized stacks (property-based tests).

Every TPU shape (machine type x topology) and every GPU machine type appears once in each sweep, in a region
hypothesis draws among those offering it (a shape no catalog zone offers, like ct5l, goes to a region the 2026 region
export lists it in, with `allow_unlisted_zone`); every known zone of every catalog region is a node location; the
capacity model turns over the pools so each appears (among the models each machine type is offered with; GPU pools on
queued provisioning also set flex-start, GKE's documented mode); hypothesis draws the rest (zone of each pool, sizes,
disks, labels, taints, deployments, CI, release channel) with a fixed seed and a bounded number of sweeps, so a run is
reproducible and costs a few seconds. Synthesis happens in the calling process, one cdktf App per environment.

Other checks can reuse the outputs: `generated_synths(root)` (or the session fixture `generated` in conftest.py)
returns name -> `Synthesized` (each stack's cdk.tf.json), e.g. for checkov or the provider-rule checker.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modules.catalog.gpu import GPU_MACHINE_TYPES
from modules.catalog.tpu import CAPACITY_MODELS, TPU_GENERATION_OF, TPU_GENERATIONS, chips_in
from modules.catalog.zones import REGIONS, regions_listing, zones_offering
from modules.config import parse_environment
from modules.config.cluster import gke_version_floor
from tests.conftest import Synthesized

#: Sweeps hypothesis draws and validates per run; only the last is synthesized (the first is hypothesis' minimal
#: example). Each sweep is one environment per catalog region: 8 today, ~4 s of synthesis and ~5 s of checkov.
SWEEPS = 3
COMMIT = "0123456789abcdef0123456789abcdef01234567"
NODE_LABELS = {"acme.com/team": "ML", "tier": "gold_1.2", "node.kubernetes.io/purpose": "inference"}
TAINTS = [{"key": "acme.com/dedicated", "value": "Team.ML", "effect": "NO_SCHEDULE"}, {"key": "gpu-only"}]
RESTRICTED = ("queued-provisioning", "flex-start")
#: TPU generations the generator draws pools of.
GENERATIONS = ("v5e", "v6e", "tpu7x")
#: TPU7x has 431 multi-host shapes (modules/catalog/tpu.py); a sweep takes these, small to the 9,216-chip pod (one
#: node per VM: 2 to 2,304 nodes), so synthesis and checkov stay a few seconds.
TPU7X_SAMPLE = ("2x2x2", "2x4x4", "4x4x4", "8x8x8", "16x24x24")


def shapes() -> list[tuple[str, str, str | None]]:
    """("tpu", machine, topology) for every single-host machine and every multi-host slice, ("gpu", machine, None)."""
    found: list[tuple[str, str, str | None]] = []
    for generation in (TPU_GENERATIONS[name] for name in GENERATIONS):
        found += [("tpu", m.name, m.single_host_topology) for m in generation.machine_types]
        topologies = TPU7X_SAMPLE if generation.name == "tpu7x" else tuple(generation.multi_host_topologies)
        for machine in generation.multi_host_machine_types:
            found += [("tpu", machine, topology) for topology in topologies]
    return found + [("gpu", name, None) for name in GPU_MACHINE_TYPES]


def accelerator_of(kind: str, machine: str) -> str:
    if kind == "gpu":
        return GPU_MACHINE_TYPES[machine].accelerator
    return next(m.accelerator for g in TPU_GENERATIONS.values() for m in g.machine_types if m.name == machine)


@st.composite
def pool(
    draw: st.DrawFn,
    name: str,
    kind: str,
    machine: str,
    topology: str | None,
    zones: list[str],
    turn: int,
    unlisted: bool = False,
) -> dict:
    """`turn` rotates the capacity model over the shapes of an environment, so every model is drawn in every sweep;
    `unlisted`: no catalog zone offers the shape, so the pool opts out of the zone check."""
    spec: dict[str, Any] = {"name": name, "machine_type": machine, "zones": [draw(st.sampled_from(zones))]}
    if unlisted:
        spec["allow_unlisted_zone"] = True
    chips_per_vm = 0
    if kind == "tpu":
        generation = next(g for g in TPU_GENERATIONS.values() if any(m.name == machine for m in g.machine_types))
        chips_per_vm = generation.machine(machine).chips
        spec["topology"] = topology
        disks = generation.boot_disk_types
        capacity = generation.capacity_models[turn % len(generation.capacity_models)]
    else:
        gpu = GPU_MACHINE_TYPES[machine]
        disks = gpu.boot_disk_types
        capacity = gpu.capacity_models[turn % len(gpu.capacity_models)]
        spec["driver_version"] = draw(st.sampled_from(("DEFAULT", "LATEST", "INSTALLATION_DISABLED")))
        compact_ok = capacity != "queued-provisioning" and (capacity != "flex-start" or gpu.compact_flex_start)
        if compact_ok and draw(st.booleans()):
            spec["placement"] = "COMPACT"
        elif len(zones) > 1 and draw(st.booleans()):
            spec["zones"] = sorted(set(zones[:2]))
    slice_nodes = chips_in(topology) // chips_per_vm if kind == "tpu" and topology else 1
    if slice_nodes > 1:  # a multi-host slice: its size is the slice, min 0 or all of it
        low = 0 if capacity in RESTRICTED else draw(st.sampled_from((0, slice_nodes)))
        if capacity in RESTRICTED or draw(st.booleans()):
            spec["autoscaling"] = {"min_nodes": low, "max_nodes": slice_nodes}
    elif capacity in RESTRICTED or draw(st.booleans()):
        high = draw(st.integers(1, 4))
        low = 0 if capacity in RESTRICTED else draw(st.integers(0, high))
        spec["autoscaling"] = {"min_nodes": low, "max_nodes": high}
    else:
        spec["node_count"] = draw(st.integers(0, 3))
    spec |= {
        "spot": {"spot": True},
        "reservation": {"reservation": {"name": "capacity", "project": "shared-capacity-1"}},
        "flex-start": {"flex_start": True},
        "queued-provisioning": {"queued_provisioning": True} | ({"flex_start": True} if kind == "gpu" else {}),
    }.get(capacity, {})
    if draw(st.booleans()):
        spec["disk_type"] = draw(st.sampled_from(disks))
    spec["labels"] = dict(draw(st.lists(st.sampled_from(sorted(NODE_LABELS.items())), unique=True, max_size=3)))
    spec["taints"] = draw(st.lists(st.sampled_from(TAINTS), unique_by=lambda t: t["key"], max_size=2))
    return spec


def deployment(index: int, spec: dict, bucket: str, engine: str, draw: st.DrawFn) -> dict | None:
    """A deployment on a single-host pool, as `hfkit serve` would write it (TPU: vLLM over every chip)."""
    machine = spec["machine_type"]
    if machine in GPU_MACHINE_TYPES:
        tensor_parallel = draw(st.integers(1, GPU_MACHINE_TYPES[machine].count))
    elif chips_in(spec["topology"]) == next(
        m.chips for g in TPU_GENERATIONS.values() for m in g.machine_types if m.name == machine
    ):
        engine, tensor_parallel = "vllm", chips_in(spec["topology"])
    else:
        return None
    # GKE: autoscaling bounds and node_count are per zone, DWS bounds are totals (provider docs of
    # container_node_pool: max_node_count "per zone", total_max_node_count "total"); a replica takes a whole node.
    zones = len(spec["zones"])
    if "autoscaling" in spec:
        restricted = spec.get("queued_provisioning") or spec.get("flex_start")
        nodes = spec["autoscaling"]["max_nodes"] * (1 if restricted else zones)
    else:
        nodes = spec["node_count"] * zones
    if nodes == 0:
        return None
    model = f"acme/model-{index}"
    return {
        "name": f"d{index}",
        "model": model,
        "commit": COMMIT,
        "path": f"gs://{bucket}/models/{model}/{COMMIT}/",
        "pool": spec["name"],
        "engine": engine,
        "tensor_parallel_size": tensor_parallel,
        "max_model_len": draw(st.sampled_from((2048, 8192))),
        "replicas": {"min": 1, "max": draw(st.integers(1, min(nodes, 3)))},
        # The staged size sizes the in-memory GCS FUSE cache where weights load through it; small enough for the
        # smallest node (g2-standard-4, 16 GB), which the serving tests size in full.
        "staged_bytes": draw(st.sampled_from((256 * 2**20, 2**30))),
    }


@st.composite
def environment(draw: st.DrawFn, region: str, assigned: list[int], offset: int) -> dict:
    """One environment in `region` with a pool for each of the `assigned` catalog shapes (indexes into shapes())."""
    name = f"g0-{region}"
    bucket = f"hfkit-{name}-weights"
    tpu_pools, gpu_pools = [], []
    for index in assigned:
        kind, machine, topology = shapes()[index]
        zones = zones_offering(accelerator_of(kind, machine), region)
        turn = offset + len(tpu_pools) + len(gpu_pools)
        unlisted = not zones
        zones = zones or list(REGIONS[region].zones)
        spec = draw(pool(f"{kind[0]}{index}", kind, machine, topology, zones, turn, unlisted))
        (tpu_pools if kind == "tpu" else gpu_pools).append(spec)
    # The first TPU and the first GPU pool serve a model (TPU: vLLM if single-host; GPU: vLLM or TGI by turn): every
    # serving shape appears in a sweep while the serving stacks stay small (checkov's time grows with them).
    candidates = [*tpu_pools[:1], *gpu_pools[:1]]
    deployments = [
        d for i, p in enumerate(candidates) if (d := deployment(i, p, bucket, ("vllm", "tgi")[(offset + i) % 2], draw))
    ]
    env: dict[str, Any] = {
        "environment": "g0",
        "project": "hfkit-generated",
        "region": region,
        "zones": list(REGIONS[region].zones),
        "labels": {"team": "ml"},
        "network": {
            "name": "net-g0",
            "master_authorized_networks": [
                # 0.0.0.0/0 is valid (with a warning) but checkov's CKV_GCP_18 fails it by design: not generated.
                {"name": "ci", "cidr": draw(st.sampled_from(("198.51.100.0/24", "203.0.113.7/32")))}
            ],
        },
        "cluster": {
            "name": f"hfkit-{name}"[:40].rstrip("-"),
            "release_channel": draw(st.sampled_from(("RAPID", "REGULAR", "STABLE", "EXTENDED"))),
        },
        "tpu_pools": tpu_pools,
        "gpu_pools": gpu_pools,
        "weights_bucket": {"name": bucket},
        "deployments": deployments,
    }
    # A generation newer GKE brought needs the control plane pinned at or above its minimum (the newest wins).
    minimums = [TPU_GENERATION_OF[p["machine_type"]].min_gke_version for p in tpu_pools]
    if any(minimums):
        env["cluster"]["min_master_version"] = max((m for m in minimums if m), key=gke_version_floor)
    if draw(st.booleans()):
        env["backend"] = {"type": "gcs", "bucket": f"hfkit-{name}-state"}
        env["ci"] = {"github_repository": "octo-org/ml-infra"}
    return env


def environments(sweeps: int = SWEEPS) -> list[dict]:
    """One environment per catalog region from the last of `sweeps` sweeps, together holding every catalog shape
    once; every sweep's environments are validated as they are drawn (hypothesis shrinks a failure)."""
    found: list[dict] = []

    @settings(
        max_examples=sweeps,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def sweep(data: st.DataObject) -> None:
        # Each shape goes to one region that offers it (drawn), so every shape is synthesized once per sweep.
        assigned: dict[str, list[int]] = {region: [] for region in REGIONS}
        for index, (kind, machine, _) in enumerate(shapes()):
            accelerator = accelerator_of(kind, machine)
            offering = [r for r in REGIONS if zones_offering(accelerator, r)] or regions_listing(accelerator)
            assigned[data.draw(st.sampled_from(offering), label=machine)].append(index)
        drawn, turn = [], data.draw(st.integers(0, len(CAPACITY_MODELS) - 1), label="first capacity model")
        for region, indexes in assigned.items():
            drawn.append(data.draw(environment(region, indexes, turn), label=region))
            turn += len(indexes)
        for env in drawn:
            parse_environment(env, f"generated {env['environment']}/{env['region']}")
        found.append(drawn)

    sweep()
    return found[-1]


class GeneratedSynth(Synthesized):
    """A generated environment's synthesized stacks, with the environment it came from."""

    def __init__(self, outdir: Path, config: dict) -> None:
        super().__init__(outdir)
        self.config = config


def generated_synths(root: Path, sweeps: int = SWEEPS) -> dict[str, GeneratedSynth]:
    """Synthesize every generated environment into `root/<environment>-<region>`; name -> GeneratedSynth."""
    from cdktf import App

    from stacks.app import build_stacks

    results = {}
    for env in environments(sweeps):
        name = f"{env['environment']}-{env['region']}"
        app = App(outdir=str(root / name))
        build_stacks(app, parse_environment(env, name))
        app.synth()
        results[name] = GeneratedSynth(root / name, env)
    return results
