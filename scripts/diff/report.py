"""`hfkit diff` end to end: check the base out, synthesize both sides, compare stacks and cost."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scripts.cost.estimate import Estimate, estimate, usage_from_stacks
from scripts.cost.prices import load_prices
from scripts.diff import cache
from scripts.diff.compare import ResourceChange, StackDiff, Stacks, compare
from scripts.diff.git import checked_out, repo_root, resolve_base
from scripts.diff.synth import SynthError, SynthJob, synthesize_all
from stacks.ids import BOOTSTRAP, STACK_IDS

#: Deploy order of the stacks, bootstrap first.
STACK_ORDER: tuple[str, ...] = (BOOTSTRAP, *STACK_IDS)


@dataclass(frozen=True)
class DiffReport:
    base_ref: str
    base_commit: str
    config: str
    stacks: tuple[StackDiff, ...]
    cost_base: Estimate
    cost_head: Estimate

    @property
    def changed(self) -> bool:
        return any(s.status != "unchanged" for s in self.stacks)

    @property
    def resources(self) -> list[ResourceChange]:
        return [r for s in self.stacks for r in s.resources]


def config_in(tree: Path, root: Path, config: Path) -> Path | None:
    """The environment file as `tree` has it: same path inside the repository, or the same file when it lives
    outside the repository. None when that tree has no such file (the environment is new, or was deleted)."""
    try:
        path = tree / config.resolve().relative_to(root)
    except ValueError:
        path = config
    return path if path.is_file() else None


def default_config(root: Path) -> Path:
    return Path(os.environ["HFKIT_CONFIG"]) if os.environ.get("HFKIT_CONFIG") else root / "hfkit.yaml"


def diff_stacks(base: Stacks, head: Stacks) -> tuple[list[StackDiff], Estimate, Estimate]:
    prices = load_prices()
    return (
        compare(base, head, STACK_ORDER),
        estimate(usage_from_stacks(base), prices),
        estimate(usage_from_stacks(head), prices),
    )


def run_diff(cwd: Path, base_ref: str | None, config: Path | None) -> DiffReport:
    """Synthesize the working tree (with uncommitted changes) and the base commit, then compare them."""
    root = repo_root(cwd)
    config = config or default_config(root)
    commit = resolve_base(root, base_ref)
    head_config = config_in(root, root, config)
    with checked_out(root, commit) as tree, tempfile.TemporaryDirectory(prefix="hfkit-diff-out-") as out:
        base_config = config_in(tree, root, config)
        if head_config is None and base_config is None:
            raise SynthError(f"environment file {config} exists neither in the working tree nor at {commit[:12]}")
        key = cache.cache_key(commit, base_config) if base_config is not None else None
        cached = cache.load(key) if key is not None else None
        jobs = [SynthJob("working tree", root, head_config, Path(out) / "head")]
        if cached is None:
            jobs.append(SynthJob(f"base {commit[:12]}", tree, base_config, Path(out) / "base"))
        synthesized = synthesize_all(jobs)
    head = synthesized[0]
    if cached is not None:
        base = cached
    else:
        base = synthesized[1]
        if key is not None:
            cache.store(key, base)
    stacks, cost_base, cost_head = diff_stacks(base, head)
    try:
        shown = str(config.resolve().relative_to(root))
    except ValueError:
        shown = str(config)
    return DiffReport(base_ref or "merge base with main", commit, shown, tuple(stacks), cost_base, cost_head)
