"""hfkit.schema.json (what editors check while typing) states the region, zone, CIDR and bucket rules JSON Schema can
express: the shipped environments pass it, and a misspelled region, zone, CIDR or bucket location fails it, as it
fails `hfkit validate`."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest
import yaml

from modules.config import ConfigError, parse_environment
from tests.conftest import REPO

SCHEMA = json.loads((REPO / "hfkit.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
EXAMPLE = yaml.safe_load((REPO / "hfkit.yaml").read_text())
SHIPPED = [REPO / "hfkit.yaml", *sorted((REPO / "tests" / "configs").glob("*.yaml"))]


def patched(**patch: Any) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLE)
    for key, value in patch.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) and isinstance(data.get(key), dict) else value
    return data


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_environments_pass_the_schema(path: Any) -> None:
    VALIDATOR.validate(yaml.safe_load(path.read_text()))


@pytest.mark.parametrize(
    ("patch", "where"),
    [
        ({"region": "us-centrl1", "zones": ["us-centrl1-a"]}, ["region"]),
        ({"zones": ["us-central1-ai1"]}, ["zones", 0]),
        ({"weights_bucket": {"location": "us-centrl1"}}, ["weights_bucket", "location"]),
        ({"weights_bucket": {"location": "NAM5"}}, ["weights_bucket", "location"]),
        ({"weights_bucket": {"name": "w" * 52}}, ["weights_bucket", "name"]),
        ({"network": {"subnet_cidr": "10.10.0.0/255.255.240.0"}}, ["network", "subnet_cidr"]),
        ({"network": {"master_authorized_networks": [{"name": "ops", "cidr": "203.0.113.7"}]}},
         ["network", "master_authorized_networks", 0, "cidr"]),
    ],
)  # fmt: skip
def test_misspellings_fail_the_schema_and_the_config(patch: dict[str, Any], where: list[Any]) -> None:
    data = patched(**patch)
    errors = list(VALIDATOR.iter_errors(data))
    assert [list(e.absolute_path) for e in errors] == [where], [e.message for e in errors]
    with pytest.raises(ConfigError):
        parse_environment(data)


@pytest.mark.parametrize(
    "patch",
    [
        {"weights_bucket": {"location": "asia-southeast3"}},
        {"weights_bucket": {"location": "EUR4"}},
        {"weights_bucket": {"location": "nam4"}},
        {"region": "asia-northeast1", "zones": ["asia-northeast1-a"], "allow_unlisted_region": True},
        {"zones": ["us-central1-a", "us-central1-ai1a"], "allow_unlisted_region": True},
    ],
)
def test_valid_spellings_pass_the_schema(patch: dict[str, Any]) -> None:
    VALIDATOR.validate(patched(**patch))
