"""`hfkit cost` output: a text table for terminals, Markdown for PR comments, JSON for machines."""

from __future__ import annotations

import json
from typing import Any

from scripts.cost.estimate import Estimate, PoolCost

UNKNOWN = "unknown price"
HEADER = ("pool", "machine type", "region", "capacity", "nodes", "hourly", "monthly")


def money(value: float | None, currency: str = "USD") -> str:
    return UNKNOWN if value is None else f"{value:,.2f} {currency}"


def span(low: float | None, high: float | None, currency: str) -> str:
    if low is None or high is None:
        return UNKNOWN
    return money(low, currency) if low == high else f"{money(low, currency)} - {money(high, currency)}"


def _nodes(p: PoolCost) -> str:
    u = p.usage
    return str(u.min_nodes) if u.min_nodes == u.max_nodes else f"{u.min_nodes}-{u.max_nodes}"


def rows(est: Estimate) -> list[tuple[str, ...]]:
    c = est.prices.currency
    table = []
    for p in est.pools:
        u = p.usage
        monthly = span(est.monthly(p.hourly_min), est.monthly(p.hourly_max), c)
        table.append(
            (u.name, u.machine_type, u.region, u.capacity, _nodes(p), span(p.hourly_min, p.hourly_max, c), monthly)
        )
    return table


def footer(est: Estimate) -> list[str]:
    c = est.prices.currency
    scope = "environment (pools with a known price)" if est.unknown else "environment"
    lines = [
        f"{scope}: {span(est.hourly_min, est.hourly_max, c)} per hour, "
        f"{span(est.monthly(est.hourly_min), est.monthly(est.hourly_max), c)} per month "
        f"({est.prices.hours_per_month} h) at min - max nodes"
    ]
    if est.unknown:
        names = ", ".join(
            f"{p.usage.name} ({p.usage.machine_type}, {p.usage.region}, {p.usage.pricing_model})" for p in est.unknown
        )
        lines.append(f"not in the totals, unknown price: {names}")
    lines.append(
        f"prices: table of {est.prices.date} (scripts/cost/prices.yaml, check against {est.prices.source[0]}); "
        "accelerator VMs only: no disks, egress, cluster fee or discounts"
    )
    return lines


def to_text(est: Estimate) -> str:
    table = [HEADER, *rows(est)]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in table]
    return "\n".join([*lines, *footer(est)]) + "\n"


def to_markdown(est: Estimate) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(r) + " |" for r in rows(est)]
    return "\n".join([*lines, "", *footer(est)]) + "\n"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def to_dict(est: Estimate) -> dict[str, Any]:
    return {
        "currency": est.prices.currency,
        "price_table_date": est.prices.date,
        "hours_per_month": est.prices.hours_per_month,
        "pools": [
            {
                "name": p.usage.name,
                "machine_type": p.usage.machine_type,
                "region": p.usage.region,
                "capacity": p.usage.capacity,
                "pricing_model": p.usage.pricing_model,
                "min_nodes": p.usage.min_nodes,
                "max_nodes": p.usage.max_nodes,
                "hourly_per_node": _round(p.hourly_per_node),
                "hourly_min": _round(p.hourly_min),
                "hourly_max": _round(p.hourly_max),
                "monthly_min": _round(est.monthly(p.hourly_min)),
                "monthly_max": _round(est.monthly(p.hourly_max)),
            }
            for p in est.pools
        ],
        "total": {
            "hourly_min": _round(est.hourly_min),
            "hourly_max": _round(est.hourly_max),
            "monthly_min": _round(est.monthly(est.hourly_min)),
            "monthly_max": _round(est.monthly(est.hourly_max)),
            "unknown_price_pools": [p.usage.name for p in est.unknown],
        },
    }


def to_json(est: Estimate) -> str:
    return json.dumps(to_dict(est), indent=2) + "\n"


RENDERERS = {"text": to_text, "markdown": to_markdown, "json": to_json}
