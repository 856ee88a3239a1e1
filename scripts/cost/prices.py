"""The price table: hourly prices by (machine type, region, pricing model), read from the dated prices.yaml.

A price the table does not hold is `None`, never an estimate: a wrong figure in a PR comment is worse than an honest
"unknown price".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml

from modules.catalog.tpu import TPU_V5E_MACHINE_TYPES

PRICES_FILE = Path(__file__).with_name("prices.yaml")

#: How a node is billed: list price, spot price, or Dynamic Workload Scheduler (flex-start / queued) price.
PricingModel = Literal["on_demand", "spot", "dws"]


@dataclass(frozen=True)
class PriceTable:
    """Hourly prices in `currency`; `tpu_v5e_per_chip` and `machines` map pricing model -> region -> price."""

    date: str
    source: tuple[str, ...]
    currency: str = "USD"
    hours_per_month: int = 730
    tpu_v5e_per_chip: dict[str, dict[str, float]] = field(default_factory=dict)
    machines: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)

    def hourly(self, machine_type: str, region: str, model: PricingModel) -> float | None:
        """Price of one VM of `machine_type` for an hour, or None when the table does not record it."""
        listed = self.machines.get(machine_type, {}).get(model, {}).get(region)
        if listed is not None:
            return float(listed)
        tpu = TPU_V5E_MACHINE_TYPES.get(machine_type)
        per_chip = self.tpu_v5e_per_chip.get(model, {}).get(region) if tpu else None
        return None if tpu is None or per_chip is None else tpu.chips * float(per_chip)


def load_prices(path: Path = PRICES_FILE) -> PriceTable:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return PriceTable(
        date=str(data["date"]),
        source=tuple(data["source"]),
        currency=data["currency"],
        hours_per_month=int(data["hours_per_month"]),
        tpu_v5e_per_chip={k: dict(v or {}) for k, v in data["tpu_v5e_per_chip_hour"].items()},
        machines={m: {k: dict(v or {}) for k, v in models.items()} for m, models in data["machines"].items()},
    )
