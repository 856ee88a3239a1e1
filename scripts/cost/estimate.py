"""Cost of an environment's accelerator pools at their smallest and largest size.

Two sources describe the same pools: the validated config (`hfkit cost`) and synthesized `cdk.tf.json` (`hfkit diff`
compares two git refs, whose config models may differ from this checkout's, so it reads what each ref produced).
Both reduce to `PoolUsage`; the test suite checks they agree on every example config.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from modules.config import Environment
from modules.config.pools import PoolBase
from scripts.cost.prices import PriceTable, PricingModel
from scripts.summary import capacity_of, node_bounds


@dataclass(frozen=True)
class PoolUsage:
    """One pool's billing-relevant facts. Node counts are totals across the pool's zones."""

    name: str
    machine_type: str
    region: str
    capacity: str
    min_nodes: int
    max_nodes: int

    @property
    def pricing_model(self) -> PricingModel:
        # A reservation is billed at the on-demand rate (whether or not the pool uses it).
        if self.capacity == "spot":
            return "spot"
        if self.capacity in ("flex-start", "DWS queued"):
            return "dws"
        return "on_demand"


@dataclass(frozen=True)
class PoolCost:
    usage: PoolUsage
    hourly_per_node: float | None

    def hourly(self, nodes: int) -> float | None:
        return None if self.hourly_per_node is None else self.hourly_per_node * nodes

    @property
    def hourly_min(self) -> float | None:
        return self.hourly(self.usage.min_nodes)

    @property
    def hourly_max(self) -> float | None:
        return self.hourly(self.usage.max_nodes)


@dataclass(frozen=True)
class Estimate:
    """Per-pool costs and environment totals; totals cover only pools with a known price (see `unknown`)."""

    pools: tuple[PoolCost, ...]
    prices: PriceTable

    @property
    def unknown(self) -> list[PoolCost]:
        return [p for p in self.pools if p.hourly_per_node is None]

    @property
    def hourly_min(self) -> float:
        return sum(p.hourly_min or 0.0 for p in self.pools)

    @property
    def hourly_max(self) -> float:
        return sum(p.hourly_max or 0.0 for p in self.pools)

    def monthly(self, hourly: float | None) -> float | None:
        return None if hourly is None else hourly * self.prices.hours_per_month


def estimate(usages: Iterable[PoolUsage], prices: PriceTable) -> Estimate:
    return Estimate(
        tuple(PoolCost(u, prices.hourly(u.machine_type, u.region, u.pricing_model)) for u in usages), prices
    )


def _capacity(pool: PoolBase) -> str:
    if pool.queued_provisioning:
        return "DWS queued"
    if pool.flex_start:
        return "flex-start"
    if pool.spot:
        return "spot"
    if pool.reservation is not None:
        return f"reservation {pool.reservation.name}"
    return "on-demand"


def usage_from_environment(env: Environment) -> list[PoolUsage]:
    """Autoscaling bounds are per zone, except for DWS pools, whose bounds are totals (see modules/node_pool.py)."""
    usages = []
    for pool in env.pools:
        zones = len(env.pool_zones(pool))
        a = pool.autoscaling
        dws = pool.queued_provisioning or pool.flex_start
        if a is None:
            low = high = pool.fixed_node_count() * zones
        elif dws:
            low, high = a.min_nodes, a.max_nodes
        else:
            low, high = a.min_nodes * zones, a.max_nodes * zones
        usages.append(PoolUsage(pool.name, pool.machine_type, env.region, _capacity(pool), low, high))
    return usages


def usage_from_stacks(stacks: Mapping[str, Mapping[str, Any]]) -> list[PoolUsage]:
    """Read every `google_container_node_pool` of every stack, as `cdk.tf.json` declares it."""
    usages = []
    for stack in stacks.values():
        for pool in stack.get("resource", {}).get("google_container_node_pool", {}).values():
            low, high = node_bounds(pool)
            machine_type = pool["node_config"]["machine_type"]
            usages.append(PoolUsage(pool["name"], machine_type, pool["location"], capacity_of(pool), low, high))
    return usages
