"""`hfkit cost` against hand-computed totals, with the shipped price table and with a table written here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from modules.config import load_environment, parse_environment
from scripts.cli import main
from scripts.cost.estimate import estimate, usage_from_environment, usage_from_stacks
from scripts.cost.prices import PriceTable, load_prices
from tests.conftest import CONFIGS, REPO, Synthesized

TABLE = PriceTable(
    date="2026-01-01",
    source=("https://example.invalid/prices",),
    tpu_per_chip={"v5e": {"on_demand": {"us-east5": 1.5}, "spot": {"us-east5": 0.5}}},
    machines={"g2-standard-8": {"spot": {"us-east5": 0.25}, "dws": {"us-east5": 0.4}}},
)


def env_with(**pools: object):
    return parse_environment(
        {
            "project": "hfkit-cost-test",
            "region": "us-east5",
            "zones": ["us-east5-a", "us-east5-b", "us-east5-c"],
            "weights_bucket": {"name": "hfkit-cost-test-weights"},
            **pools,
        }
    )


def test_shipped_table_prices_the_example_by_hand() -> None:
    est = estimate(usage_from_environment(load_environment(REPO / "hfkit.yaml")), load_prices())
    tpu, l4 = est.pools
    # ct5lp-hightpu-8t = 8 chips x 1.20 USD in us-central1, autoscaling 0-2 nodes in one zone.
    assert (tpu.hourly_per_node, tpu.hourly_min, tpu.hourly_max) == (pytest.approx(9.6), 0, pytest.approx(19.2))
    assert est.monthly(tpu.hourly_max) == pytest.approx(19.2 * 730)
    # Spot g2-standard-8 in us-central1 = 0.336764 USD, 0-3 nodes.
    assert (l4.usage.pricing_model, l4.hourly_per_node, l4.hourly_max) == (
        "spot",
        pytest.approx(0.336764),
        pytest.approx(3 * 0.336764),
    )
    assert est.unknown == []
    assert (est.hourly_min, est.hourly_max) == (0, pytest.approx(19.2 + 3 * 0.336764))


def flex_start_example(tmp_path: Path) -> str:
    """The example with its L4 pool on flex-start, a pricing model the shipped table has no figure for."""
    data = yaml.safe_load((REPO / "hfkit.yaml").read_text())
    pool = data["gpu_pools"][0]
    pool.pop("spot")
    pool["flex_start"] = True
    path = tmp_path / "flex.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def test_zones_spot_dws_and_fixed_pools_by_hand() -> None:
    env = env_with(
        tpu_pools=[
            # Fixed 2 nodes per zone in 2 zones = 4 nodes x 4 chips x 1.50 = 24.00/h.
            {
                "name": "fixed",
                "machine_type": "ct5lp-hightpu-4t",
                "node_count": 2,
                "zones": ["us-east5-a", "us-east5-b"],
                "allow_unlisted_zone": True,  # v5e in us-east5 is single-tenant capacity, left out of the catalog
            },
            # Multi-host 4x8 slice on spot: 0 or 8 nodes x 4 chips x 0.50 = 0 - 16.00/h.
            {
                "name": "slice",
                "machine_type": "ct5lp-hightpu-4t",
                "topology": "4x8",
                "spot": True,
                "zones": ["us-east5-a"],
                "allow_unlisted_zone": True,
                "autoscaling": {"min_nodes": 0, "max_nodes": 8},
            },
        ],
        gpu_pools=[
            # Per-zone bounds 1-2 over the environment's 3 zones = 3-6 nodes x 0.25 = 0.75 - 1.50/h.
            {
                "name": "l4-spot",
                "machine_type": "g2-standard-8",
                "allow_unlisted_zone": True,  # us-east5 is not in the zone catalog's L4 list
                "spot": True,
                "autoscaling": {"min_nodes": 1, "max_nodes": 2},
            },
            # DWS bounds are totals: 0-4 nodes x 0.40 = 0 - 1.60/h.
            {
                "name": "l4-dws",
                "machine_type": "g2-standard-8",
                "allow_unlisted_zone": True,
                "queued_provisioning": True,
                "autoscaling": {"min_nodes": 0, "max_nodes": 4},
            },
            # On-demand g2-standard-8 in us-east5 is not in this table.
            {"name": "l4-od", "machine_type": "g2-standard-8", "allow_unlisted_zone": True},
        ],
    )
    est = estimate(usage_from_environment(env), TABLE)
    got = {p.usage.name: (p.usage.min_nodes, p.usage.max_nodes, p.hourly_min, p.hourly_max) for p in est.pools}
    assert got == {
        "fixed": (4, 4, pytest.approx(24.0), pytest.approx(24.0)),
        "slice": (0, 8, 0, pytest.approx(16.0)),
        "l4-spot": (3, 6, pytest.approx(0.75), pytest.approx(1.5)),
        "l4-dws": (0, 4, 0, pytest.approx(1.6)),
        "l4-od": (3, 3, None, None),
    }
    assert est.hourly_min == pytest.approx(24.75)
    assert est.hourly_max == pytest.approx(24.0 + 16.0 + 1.5 + 1.6)
    assert est.monthly(est.hourly_max) == pytest.approx(43.1 * 730)


def test_reservation_is_billed_on_demand_and_unknown_regions_are_unknown() -> None:
    prices = load_prices()
    assert prices.hourly("ct5lp-hightpu-4t", "us-west4", "on_demand") == pytest.approx(4.8)
    assert prices.hourly("ct5lp-hightpu-4t", "europe-north1", "on_demand") is None
    assert prices.hourly("a3-megagpu-8g", "us-central1", "on_demand") is None
    prod = estimate(usage_from_environment(load_environment(REPO / "tests/configs/production.yaml")), prices)
    reserved = prod.pools[0]
    assert (reserved.usage.pricing_model, reserved.hourly_min, reserved.hourly_max) == (
        "on_demand",
        pytest.approx(9.6),
        pytest.approx(9.6),
    )


def test_tpu_prices_per_generation() -> None:
    """Per chip-hour x chips: v6e on-demand 2.70 USD in the US (SkyPilot's catalog, gpuhunt agreeing), 2.97 in
    europe-west4; spot 1.35 in us-east5 (the higher of SkyPilot's two snapshots, 1.215 and 1.35); TPU7x unknown."""
    prices = load_prices()
    assert prices.hourly("ct6e-standard-8t", "us-east5", "on_demand") == pytest.approx(8 * 2.70)
    assert prices.hourly("ct6e-standard-1t", "europe-west4", "on_demand") == pytest.approx(2.97)
    assert prices.hourly("ct6e-standard-4t", "us-east5", "spot") == pytest.approx(4 * 1.35)
    assert prices.hourly("ct6e-standard-4t", "us-east5", "dws") is None
    assert prices.hourly("ct6e-standard-4t", "us-west4", "on_demand") is None  # no v6e price read there
    assert prices.hourly("tpu7x-standard-4t", "us-central1", "on_demand") is None
    assert prices.hourly("tpu7x-standard-4t", "us-central1", "spot") is None
    # v5e unchanged: a ct5l- (device) VM costs its chips x the generation's price, like ct5lp-
    assert prices.hourly("ct5l-hightpu-8t", "us-central1", "on_demand") == pytest.approx(9.6)


def test_v6e_pool_costs_chips_times_the_chip_price() -> None:
    env = env_with(
        cluster={"name": "hfkit-cost-test", "min_master_version": "1.31.2-gke.1115000"},  # v6e's minimum GKE
        tpu_pools=[
            {
                "name": "v6e",
                "machine_type": "ct6e-standard-4t",
                "zones": ["us-east5-b"],
                "spot": True,
                "autoscaling": {"min_nodes": 1, "max_nodes": 3},
            }
        ],
    )
    (pool,) = estimate(usage_from_environment(env), load_prices()).pools
    # 4 chips x 1.35 USD spot = 5.40 USD per node; 1-3 nodes in one zone
    assert (pool.usage.pricing_model, pool.hourly_min, pool.hourly_max) == (
        "spot",
        pytest.approx(5.4),
        pytest.approx(16.2),
    )


@pytest.mark.parametrize(
    ("tpu", "message"),
    [
        (
            {"v5p": {"on_demand": {"us-east5": 4.2}}},
            "prices.yaml: tpu_per_chip_hour.v5p is not a TPU generation of the catalog; allowed: v5e, v6e, tpu7x",
        ),
        (
            {"v6e": {"ondemand": {"us-east5": 2.7}}},
            "tpu_per_chip_hour.v6e: 'ondemand' is not a pricing model; allowed: on_demand, spot, dws",
        ),
    ],
)
def test_price_table_refuses_entries_that_would_never_apply(tmp_path: Path, tpu: dict, message: str) -> None:
    data = yaml.safe_load((REPO / "scripts/cost/prices.yaml").read_text())
    data["tpu_per_chip_hour"] = tpu
    path = tmp_path / "prices.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ValueError) as error:
        load_prices(path)
    assert str(error.value) == message


def test_price_table_is_dated_and_sourced() -> None:
    data = yaml.safe_load((REPO / "scripts/cost/prices.yaml").read_text())
    assert data["date"] and data["verified"] is False  # figures come from copies of Google's data, not its pages
    assert all(url.startswith("https://cloud.google.com/") for url in data["source"])
    assert data["cross_checked_with"] and all("github.com/" in where for where in data["cross_checked_with"])
    assert data["tpu_per_chip_hour"]["v5e"]["dws"] == {}  # no published figure: unknown, never guessed
    assert data["tpu_per_chip_hour"]["v6e"]["dws"] == {}
    assert data["tpu_per_chip_hour"]["tpu7x"] == {"on_demand": {}, "spot": {}, "dws": {}}  # no source had a price


@pytest.mark.parametrize("name", CONFIGS)
def test_synthesized_pools_cost_the_same_as_the_config(name: str, synthesized: dict[str, Synthesized]) -> None:
    """`hfkit diff` prices what a ref synthesized; `hfkit cost` prices the config: both must see the same pools."""
    stacks = {"accelerators": synthesized[name].stack("accelerators")}
    from_config = usage_from_environment(load_environment(CONFIGS[name]))
    assert sorted(usage_from_stacks(stacks), key=str) == sorted(from_config, key=str)


def test_cli_formats(tmp_path: Path) -> None:
    runner = CliRunner()
    data = json.loads(runner.invoke(main, ["cost", "-c", str(REPO / "hfkit.yaml"), "--format", "json"]).stdout)
    assert data["total"] == {
        "hourly_min": 0.0,
        "hourly_max": 20.2103,
        "monthly_min": 0.0,
        "monthly_max": 14753.5132,
        "unknown_price_pools": [],
    }
    config = flex_start_example(tmp_path)
    text = runner.invoke(main, ["cost", "-c", config]).stdout.splitlines()
    assert text[:3] == [
        "pool     machine type      region       capacity    nodes  hourly                monthly",
        "v5e-2x4  ct5lp-hightpu-8t  us-central1  on-demand   0-2    0.00 USD - 19.20 USD  0.00 USD - 14,016.00 USD",
        "l4-x1    g2-standard-8     us-central1  flex-start  0-3    unknown price         unknown price",
    ]
    assert text[3] == (
        "environment (pools with a known price): 0.00 USD - 19.20 USD per hour, "
        "0.00 USD - 14,016.00 USD per month (730 h) at min - max nodes"
    )
    assert text[4] == "not in the totals, unknown price: l4-x1 (g2-standard-8, us-central1, dws)"
    markdown = runner.invoke(main, ["cost", "-c", config, "--format", "markdown"]).stdout
    assert "| l4-x1 | g2-standard-8 | us-central1 | flex-start | 0-3 | unknown price | unknown price |" in markdown
