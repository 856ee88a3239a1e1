"""Every deployment the serving stack refuses, with its exact one-line message: weights that cannot be cached in
memory, replicas that cannot all get a node, an adapter identity that clashes. Numbers are worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest

from modules.config import ConfigError, parse_environment
from modules.serving.memory import cache_fit_error, pod_memory
from modules.serving.rollout import pool_capacity, surges
from tests.test_config_errors import COMMIT, config, deployment, gpu, tpu

GIB = 1024**3

CASES: dict[str, tuple[dict[str, Any], str]] = {
    "tpu_without_staged_bytes": (
        config(tpu_pools=[tpu()], deployments=[deployment(pool="tpu", tensor_parallel_size=8)]),
        "deployments[0].staged_bytes: not set, but engine vllm on TPU pool 'tpu' caches the weights in memory and needs their size; allowed: the staged manifest's total_size (`hfkit serve` writes it)",
    ),
    # g2-standard-8 has 32 GiB = 32768 MiB. GKE reserves 1024 (25% of 4 GiB) + 819.2 + 819.2 + 983.04 (6% of the
    # 16 GiB above 16) = 3645.44 MiB plus 100 MiB eviction: 29022 MiB allocatable (28.3 GiB). Taken: 16384 (server),
    # 1024 + 512 (GCS FUSE), 2048 (system pods) -> 9054 MiB = 9,493,807,104 bytes (8.8 GiB) left for the cache.
    "tgi_cache_too_big": (
        config(gpu_pools=[gpu()], deployments=[deployment(engine="tgi", staged_bytes=20 * GIB)]),
        "deployments[0].staged_bytes: 21474836480 bytes (20.0 GiB) do not fit the in-memory GCS FUSE file cache on pool 'gpu' (g2-standard-8: 28.3 GiB allocatable, 16 GiB requested by the server, 1.5 GiB for GCS FUSE, 2 GiB for system pods); allowed: at most 9493807104 bytes (8.8 GiB) on g2-standard-8, else a machine type with more memory, or engine vllm on a GPU pool (it streams from GCS without a cache)",
    ),
    "replicas_over_fixed_pool": (
        config(gpu_pools=[gpu()], deployments=[deployment(replicas={"min": 1, "max": 2})]),
        "deployments[0].replicas.max: 2 does not fit pool 'gpu': it has at most 1 node(s) (node_count 1 x 1 zone(s)) and other deployments' replicas.max take 0; allowed: at most 1 (each replica takes a whole node)",
    ),
    "replicas_shared_pool": (
        config(
            gpu_pools=[gpu(autoscaling={"min_nodes": 0, "max_nodes": 3})],
            deployments=[
                deployment(replicas={"min": 1, "max": 2}),
                deployment(name="other", replicas={"min": 1, "max": 2}),
            ],
        ),
        "deployments[1].replicas.max: 2 does not fit pool 'gpu': it has at most 3 node(s) (autoscaling.max_nodes 3 x 1 zone(s)) and other deployments' replicas.max take 2; allowed: at most 1 (each replica takes a whole node)",
    ),
    "replicas_none_left": (
        config(
            gpu_pools=[gpu(autoscaling={"min_nodes": 0, "max_nodes": 2})],
            deployments=[deployment(replicas={"min": 1, "max": 2}), deployment(name="other")],
        ),
        "deployments[1].replicas.max: 1 does not fit pool 'gpu': it has at most 2 node(s) (autoscaling.max_nodes 2 x 1 zone(s)) and other deployments' replicas.max take 2; allowed: none left: raise the pool's node bound (each replica takes a whole node)",
    ),
    # DWS bounds are totals, whatever the zones (modules/node_pool.py: total_max_node_count).
    "replicas_over_dws_total": (
        config(
            zones=["us-central1-a", "us-central1-b"],
            gpu_pools=[gpu(queued_provisioning=True, autoscaling={"min_nodes": 0, "max_nodes": 2})],
            deployments=[deployment(replicas={"min": 1, "max": 3})],
        ),
        "deployments[0].replicas.max: 3 does not fit pool 'gpu': it has at most 2 node(s) (autoscaling.max_nodes 2 in total (DWS)) and other deployments' replicas.max take 0; allowed: at most 2 (each replica takes a whole node)",
    ),
    "adapter_account_clash": (
        config(
            gpu_pools=[gpu()],
            deployments=[deployment()],
            identities={"metrics_adapter": {"account_id": "hfkit-serving"}},
        ),
        "identities.metrics_adapter.account_id: 'hfkit-serving' is already used by identities.serving.account_id; allowed: a distinct service account ID",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_deployment_is_refused_with_its_exact_message(case: str) -> None:
    data, expected = CASES[case]
    with pytest.raises(ConfigError) as caught:
        parse_environment(data)
    assert caught.value.errors == [expected]


def test_the_cache_bound_is_exact() -> None:
    """9054 MiB (see tgi_cache_too_big) is the most that fits: that many bytes pass, one more byte is refused."""
    most = 9054 * 1024**2
    assert cache_fit_error("tgi", "g2-standard-8", "gpu", most) is None
    assert cache_fit_error("tgi", "g2-standard-8", "gpu", most + 1) is not None
    memory = pod_memory("g2-standard-8", most)
    # The server's limit shrinks so the pod stays within the node: 29022 - 2048 - (1024 + 9054 + 512) = 16384 MiB.
    assert (memory.server_request, memory.server_limit) == (16384, 16384)


def test_zones_multiply_per_zone_bounds_and_leave_room_to_surge() -> None:
    """max_nodes 2 per zone x 2 zones = 4 nodes: replicas.max 3 is accepted and one node is left, so it surges."""
    env = parse_environment(
        config(
            zones=["us-central1-a", "us-central1-b"],
            gpu_pools=[gpu(autoscaling={"min_nodes": 0, "max_nodes": 2})],
            deployments=[deployment(replicas={"min": 1, "max": 3})],
        )
    )
    pool = env.pool("gpu")
    capacity = pool_capacity(pool, len(env.pool_zones(pool)))
    assert (capacity.nodes, capacity.why) == (4, "autoscaling.max_nodes 2 x 2 zone(s)")
    assert surges(env.deployments, "gpu", capacity.nodes) is True
    env = parse_environment(
        config(
            gpu_pools=[gpu(autoscaling={"min_nodes": 0, "max_nodes": 3})],
            deployments=[
                deployment(replicas={"min": 1, "max": 1}),
                deployment(name="b", replicas={"min": 1, "max": 1}),
            ],
        )
    )
    assert surges(env.deployments, "gpu", 3) is False  # 1 + 1 taken, only one spare node for two rollouts


def test_staged_bytes_is_not_needed_where_vllm_streams_from_gcs() -> None:
    env = parse_environment(config(gpu_pools=[gpu()], deployments=[deployment(commit=COMMIT)]))
    assert env.deployments[0].staged_bytes is None


def test_a_machine_type_without_a_memory_figure_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A GPU machine type added to the GPU catalog but not to modules/catalog/machines.py cannot size the cache."""
    from modules.catalog.machines import MACHINE_VCPUS_MEMORY_GB

    monkeypatch.delitem(MACHINE_VCPUS_MEMORY_GB, "g2-standard-8")
    with pytest.raises(ConfigError) as caught:
        parse_environment(config(gpu_pools=[gpu()], deployments=[deployment(engine="tgi", staged_bytes=GIB)]))
    assert caught.value.errors == [
        "deployments[0].pool: 'gpu' runs g2-standard-8, whose memory the kit does not know, so the in-memory weights "
        "cache cannot be sized; allowed: a machine type listed in modules/catalog/machines.py"
    ]
