"""Compare two synthesized environments (stack id -> parsed cdk.tf.json): resources created, updated, replaced or
destroyed, with the attribute paths that changed. Pure: no git, no synthesis, so it is tested on small dicts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from scripts.diff.rules import forces_replacement, is_iam
from stacks.ids import in_order

Action = Literal["create", "update", "replace", "destroy"]
Stacks = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class AttributeChange:
    path: str
    before: Any
    after: Any
    forces_replacement: bool


@dataclass(frozen=True)
class ResourceChange:
    address: str
    action: Action
    changes: tuple[AttributeChange, ...] = ()

    @property
    def resource_type(self) -> str:
        return self.address.split(".", 1)[0]

    @property
    def iam(self) -> bool:
        return is_iam(self.resource_type)

    @property
    def destroys(self) -> bool:
        return self.action in ("destroy", "replace")


@dataclass(frozen=True)
class StackDiff:
    stack_id: str
    status: Literal["added", "removed", "changed", "unchanged"]
    resources: tuple[ResourceChange, ...] = field(default_factory=tuple)

    def count(self, action: Action) -> int:
        return sum(1 for r in self.resources if r.action == action)


def strip_metadata(value: Any) -> Any:
    """Drop cdktf's `"//"` metadata (construct paths, stack names): it changes without changing infrastructure."""
    if isinstance(value, dict):
        return {k: strip_metadata(v) for k, v in value.items() if k != "//"}
    if isinstance(value, list):
        return [strip_metadata(v) for v in value]
    return value


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": [1]}} -> {"a.b[0]": 1}; empty containers stay as leaves so adding one still shows."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{index}]"))
        return out
    return {prefix: value}


def resources(stack: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """`type.name` -> attributes, for every resource of a stack."""
    found = {}
    for resource_type, by_name in strip_metadata(dict(stack)).get("resource", {}).items():
        for name, attributes in by_name.items():
            found[f"{resource_type}.{name}"] = attributes
    return found


def compare_resource(address: str, before: dict[str, Any], after: dict[str, Any]) -> ResourceChange | None:
    resource_type = address.split(".", 1)[0]
    old, new = flatten(before), flatten(after)
    changes = tuple(
        AttributeChange(path, old.get(path), new.get(path), forces_replacement(resource_type, path))
        for path in sorted(old.keys() | new.keys())
        if old.get(path) != new.get(path) or (path in old) != (path in new)
    )
    if not changes:
        return None
    action: Action = "replace" if any(c.forces_replacement for c in changes) else "update"
    return ResourceChange(address, action, changes)


def compare_stack(stack_id: str, base: Mapping[str, Any] | None, head: Mapping[str, Any] | None) -> StackDiff:
    old, new = resources(base or {}), resources(head or {})
    found: list[ResourceChange] = []
    for address in sorted(old.keys() | new.keys()):
        if address not in old:
            found.append(ResourceChange(address, "create"))
        elif address not in new:
            found.append(ResourceChange(address, "destroy"))
        else:
            change = compare_resource(address, old[address], new[address])
            if change is not None:
                found.append(change)
    if base is None:
        status = "added"
    elif head is None:
        status = "removed"
    else:
        status = "changed" if found else "unchanged"
    return StackDiff(stack_id, status, tuple(found))


def compare(base: Stacks, head: Stacks, order: tuple[str, ...] = ()) -> list[StackDiff]:
    """Every stack of either side, in deploy `order` first, then by id."""
    ids = in_order(base.keys() | head.keys(), order)
    return [compare_stack(s, base.get(s), head.get(s)) for s in ids]
