"""The price table: hourly prices by (machine type, region, pricing model), read from the dated prices.yaml.

A price the table does not hold is `None`, never an estimate: a wrong figure in a PR comment is worse than an honest
"unknown price". TPUs are priced per chip-hour, one table per catalog generation (`TpuGeneration.name`): a VM costs
its chips times its generation's chip price.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from modules.catalog.tpu import TPU_GENERATION_OF, TPU_GENERATIONS, TPU_MACHINE_TYPES

PRICES_FILE = Path(__file__).with_name("prices.yaml")

#: How a node is billed: list price, spot price, or Dynamic Workload Scheduler (flex-start / queued) price.
PricingModel = Literal["on_demand", "spot", "dws"]
PRICING_MODELS: tuple[str, ...] = ("on_demand", "spot", "dws")

#: generation or machine type -> pricing model -> region -> price
Prices = dict[str, dict[str, dict[str, float]]]


@dataclass(frozen=True)
class PriceTable:
    """Hourly prices in `currency`: `tpu_per_chip` per TPU generation, `machines` per whole VM."""

    date: str
    source: tuple[str, ...]
    currency: str = "USD"
    hours_per_month: int = 730
    tpu_per_chip: Prices = field(default_factory=dict)
    machines: Prices = field(default_factory=dict)

    def hourly(self, machine_type: str, region: str, model: PricingModel) -> float | None:
        """Price of one VM of `machine_type` for an hour, or None when the table does not record it."""
        listed = self.machines.get(machine_type, {}).get(model, {}).get(region)
        if listed is not None:
            return float(listed)
        generation = TPU_GENERATION_OF.get(machine_type)
        if generation is None:
            return None
        per_chip = self.tpu_per_chip.get(generation.name, {}).get(model, {}).get(region)
        return None if per_chip is None else TPU_MACHINE_TYPES[machine_type].chips * float(per_chip)


def _models(where: str, models: dict[str, Any] | None) -> dict[str, dict[str, float]]:
    for model in models or {}:
        if model not in PRICING_MODELS:
            raise ValueError(f"{where}: {model!r} is not a pricing model; allowed: {', '.join(PRICING_MODELS)}")
    return {model: dict(regions or {}) for model, regions in (models or {}).items()}


def load_prices(path: Path = PRICES_FILE) -> PriceTable:
    """The table in `path`; a TPU generation the catalog does not know or a misspelt pricing model is refused, since
    its prices would silently never apply."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    tpu = data["tpu_per_chip_hour"]
    for generation in tpu:
        if generation not in TPU_GENERATIONS:
            raise ValueError(
                f"{path.name}: tpu_per_chip_hour.{generation} is not a TPU generation of the catalog; "
                f"allowed: {', '.join(TPU_GENERATIONS)}"
            )
    return PriceTable(
        date=str(data["date"]),
        source=tuple(data["source"]),
        currency=data["currency"],
        hours_per_month=int(data["hours_per_month"]),
        tpu_per_chip={g: _models(f"tpu_per_chip_hour.{g}", models) for g, models in tpu.items()},
        machines={m: _models(f"machines.{m}", models) for m, models in data["machines"].items()},
    )
