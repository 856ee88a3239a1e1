"""Shared fixtures. Synthesis imports the google provider bindings (~7-10 s, ~1 GB): it happens once per session,
for every config the suite checks, into one temporary cdktf.out per config."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

REPO = Path(__file__).resolve().parents[1]
CONFIGS: dict[str, Path] = {
    "example": REPO / "hfkit.yaml",
    **{p.stem: p for p in sorted((REPO / "tests" / "configs").glob("*.yaml"))},
}


class Synthesized:
    """One config synthesized by the real cdktf app: the output folder (for checkov) and each stack's JSON."""

    def __init__(self, outdir: Path) -> None:
        self.outdir = outdir
        self.stacks_dir = outdir / "stacks"

    def stack(self, stack_id: str) -> dict[str, Any]:
        return json.loads((self.stacks_dir / stack_id / "cdk.tf.json").read_text())

    def resources(self, stack_id: str, resource_type: str) -> dict[str, Any]:
        return self.stack(stack_id).get("resource", {}).get(resource_type, {})


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Synthesized]]:
    from cdktf import App

    from modules.config import load_environment
    from stacks.app import build_stacks

    results = {}
    for name, path in CONFIGS.items():
        outdir = tmp_path_factory.mktemp(f"synth-{name}")
        app = App(outdir=str(outdir))
        build_stacks(app, load_environment(path))
        app.synth()
        results[name] = Synthesized(outdir)
    yield results


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Synthesized]:
    """Valid environments generated from the catalogs (tests/generated.py), synthesized once per session."""
    from tests.generated import generated_synths

    return generated_synths(tmp_path_factory.mktemp("generated"))
