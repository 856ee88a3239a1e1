"""Golden output: the synthesized Terraform of every stack, for the example and each variant config.

A change to these files is a change to what `cdktf deploy` would do: review the diff in the PR, then refresh with
`pytest tests/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from typing import Any

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from stacks.app import STACK_IDS
from tests.conftest import CONFIGS, Synthesized


def without_metadata(value: Any) -> Any:
    """Drop cdktf's "//" metadata blocks (construct paths): noise in a review, not Terraform."""
    if isinstance(value, dict):
        return {k: without_metadata(v) for k, v in value.items() if k != "//"}
    if isinstance(value, list):
        return [without_metadata(v) for v in value]
    return value


@pytest.fixture
def snapshot_json(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.parametrize("stack_id", STACK_IDS)
@pytest.mark.parametrize("config", list(CONFIGS))
def test_stack_matches_snapshot(synthesized: dict[str, Synthesized], snapshot_json, config: str, stack_id: str) -> None:
    assert without_metadata(synthesized[config].stack(stack_id)) == snapshot_json


@pytest.mark.parametrize("config", [c for c in CONFIGS if "ci:" in CONFIGS[c].read_text()])
def test_bootstrap_matches_snapshot(synthesized: dict[str, Synthesized], snapshot_json, config: str) -> None:
    """The `bootstrap` stack exists only for configs with a `ci` section."""
    assert without_metadata(synthesized[config].stack("bootstrap")) == snapshot_json


@pytest.mark.parametrize("config", [c for c in CONFIGS if "deployments:" in CONFIGS[c].read_text()])
def test_serving_matches_snapshot(synthesized: dict[str, Synthesized], snapshot_json, config: str) -> None:
    """The `serving` stack exists only for configs with deployments."""
    assert without_metadata(synthesized[config].stack("serving")) == snapshot_json
