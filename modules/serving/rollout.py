"""Rollouts that finish: a replica takes a whole node, so a surge pod needs a spare node the pool can still add.

Per pool, the `replicas.max` of every deployment on it must fit the pool's node capacity. When one more node per
deployment still fits, rollouts surge one replica and never drop serving capacity (maxSurge 1, maxUnavailable 0);
otherwise a surge pod could stay Pending forever at peak, so they replace one replica at a time (maxSurge 0,
maxUnavailable 1). The autoscaler's node bounds are per zone unless the pool is DWS (queued provisioning or
flex-start), whose bounds are totals (hashicorp/terraform-provider-google v6.50.0 container_node_pool docs:
`max_node_count` "per zone", `total_max_node_count` "total"; `node_count` is per zone too), as modules/node_pool.py
declares them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # modules.config imports this module: import its types for the checker only
    from modules.config.deployments import Deployment
    from modules.config.pools import PoolBase


@dataclass(frozen=True)
class Capacity:
    nodes: int
    why: str
    """How the bound arises, e.g. `autoscaling.max_nodes 3 x 1 zone(s)`."""


def pool_capacity(pool: PoolBase, zones: int) -> Capacity:
    """The most nodes the pool can have."""
    scaling = pool.autoscaling
    if scaling is None:
        count = pool.fixed_node_count()
        return Capacity(count * zones, f"node_count {count} x {zones} zone(s)")
    high = scaling.max_nodes
    if pool.queued_provisioning or pool.flex_start:
        return Capacity(high, f"autoscaling.max_nodes {high} in total (DWS)")
    return Capacity(high * zones, f"autoscaling.max_nodes {high} x {zones} zone(s)")


def surges(deployments: Sequence[Deployment], pool: str, capacity: int) -> bool:
    """Whether every deployment on `pool` can surge one replica at once and still fit."""
    mine = [d for d in deployments if d.pool == pool]
    taken = sum(d.replicas.max for d in mine)
    return taken + len(mine) <= capacity


def strategy(surge: bool) -> dict[str, str]:
    """The Deployment's rolling update (intstr values as strings, as the kubernetes provider takes them)."""
    return {"max_surge": "1", "max_unavailable": "0"} if surge else {"max_surge": "0", "max_unavailable": "1"}
