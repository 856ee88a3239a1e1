"""What changing one attribute does on `apply`, from the provider rules: replaced, updated in place (and whether
GKE then recreates nodes), not applied, or failing. `hfkit diff` asks this for every attribute that differs.

Terraform semantics modelled (terraform-plugin-sdk v2.37.0 helper/schema/schema.go): a ForceNew value, list, set or
map replaces the resource on any change of it or its elements; a ForceNew block only when blocks are added or
removed; fields inside a block follow their own ForceNew; a CustomizeDiff may force new on a condition. Not
modelled (so this errs towards reporting a change): DiffSuppressFunc (e.g. case-insensitive values) and
Optional+Computed attributes dropped from the config, which keep their value instead of changing. References between
resources, within a stack and through cdktf's cross-stack outputs, are followed by scripts/diff/compare.py (a
configured attribute's new value; a replaced resource's computed attributes as known after apply).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scripts.provider_rules.catalog import RULES
from scripts.provider_rules.check import index_free
from scripts.provider_rules.model import BLOCK, Effect, ResourceRules


@dataclass(frozen=True)
class Outcome:
    effect: Effect
    reason: str = ""


UNKNOWN = Outcome("replace", "not in the provider rules: assumed to replace; terraform plan decides")
_TOKEN = re.compile(r"([^.\[\]]+)(?:\[(\d+)\])?")


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(f"{prefix}.")


def _count_at(resource: Mapping[str, Any], steps: list[tuple[str, int | None]]) -> int:
    """How many blocks sit at the end of `steps` (name, list index) in `resource`: 0 absent, 1 object, n list."""
    node: Any = resource
    for name, index in steps[:-1]:
        node = node.get(name) if isinstance(node, Mapping) else None
        if isinstance(node, list):
            node = node[index] if index is not None and index < len(node) else None
    value = node.get(steps[-1][0]) if isinstance(node, Mapping) else None
    return 0 if value is None else len(value) if isinstance(value, list) else 1


def _block_count_changed(
    rules: ResourceRules, path: str, before: Mapping[str, Any], after: Mapping[str, Any]
) -> Outcome | None:
    """A ForceNew block on the way to `path` that was added or removed (or changed how many it holds)."""
    steps = [(name, int(index) if index else None) for name, index in _TOKEN.findall(path)]
    for attr in rules.chain(index_free(path)):
        if attr.kind == BLOCK and attr.force_new:
            depth = attr.path.count(".") + 1
            old, new = _count_at(before, steps[:depth]), _count_at(after, steps[:depth])
            if old != new:
                return Outcome("replace", f"{attr.path}: {old} -> {new} block(s) of a ForceNew block ({attr.source})")
    return None


def ignored(resource: Mapping[str, Any], path: str) -> bool:
    """Does the resource's `lifecycle.ignore_changes` cover `path`? Terraform then plans no change for it."""
    entries = (resource.get("lifecycle") or {}).get("ignore_changes") or []
    if entries == "all" or "all" in entries:
        return True
    return any(_under(index_free(path), index_free(entry)) for entry in entries)


def outcome(
    resource_type: str, path: str, old: Any, new: Any, before: Mapping[str, Any], after: Mapping[str, Any]
) -> Outcome:
    """The effect of `path` (concrete: `a.b[0].c`) going from `old` to `new` on a resource that goes from `before`
    to `after` (their arguments)."""
    rules = RULES.get(resource_type)
    attr = rules.describe(index_free(path)) if rules is not None else None
    if rules is None or attr is None:
        return UNKNOWN
    replaced = _block_count_changed(rules, path, before, after)
    if replaced is not None:
        return replaced
    if attr.force_new and attr.kind != BLOCK:
        return Outcome("replace", f"{attr.path} is ForceNew ({attr.source})")
    norm = index_free(path)
    for rule in rules.force_new_if:
        if _under(norm, rule.path) and rule.when(old, new):
            return Outcome("replace", f"{rule.reason} ({rule.source})")
    for rule in rules.in_place:
        if _under(norm, rule.path) and (rule.when is None or rule.when(dict(after))):
            return Outcome(rule.effect, f"{rule.reason} ({rule.source})")
    return Outcome("update")
