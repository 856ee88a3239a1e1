"""Compare two synthesized environments (stack id -> parsed cdk.tf.json): resources created, updated, replaced or
destroyed, with the attribute paths that changed and what each change does on apply (scripts/provider_rules, from
the pinned providers' source). Pure: no git, no synthesis, so it is tested on small dicts."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from scripts.provider_rules.changes import ignored, outcome
from scripts.provider_rules.check import arguments
from scripts.provider_rules.model import Effect
from stacks.ids import in_order

Action = Literal["create", "update", "replace", "destroy"]
Stacks = Mapping[str, Mapping[str, Any]]


def is_iam(resource_type: str) -> bool:
    return "_iam_" in resource_type


@dataclass(frozen=True)
class AttributeChange:
    path: str
    before: Any
    after: Any
    effect: Effect = "update"
    #: Why, with the provider source line (empty for a plain in-place update).
    reason: str = ""

    @property
    def forces_replacement(self) -> bool:
        return self.effect == "replace"


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

    def paths(self, effect: Effect) -> list[str]:
        return [c.path for c in self.changes if c.effect == effect]


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


#: `${type.name.attribute...}`: a reference to another resource of the same stack (cross-stack values arrive as
#: `data.terraform_remote_state` outputs, which stay as they are).
_REFERENCE = re.compile(r"\$\{([a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)\.([^{}]+)\}")
#: What Terraform plans for a reference to a computed attribute of a resource it replaces.
KNOWN_AFTER_APPLY = "(known after apply)"


def resolve_references(found: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each reference to an attribute another resource of the stack sets to a literal, replaced by that literal:
    Terraform plans a configured attribute's new value as known, so `policy_name = ${policy.name}` changes when the
    policy's name does (and a ForceNew attribute holding it replaces its resource). References to computed
    attributes (ids, emails, self links) stay; `compare_stack` treats those of replaced resources as unknown."""
    literals = {address: flatten(body) for address, body in found.items()}

    def literal(match: re.Match[str]) -> str:
        value = literals.get(match.group(1), {}).get(match.group(2))
        if isinstance(value, bool | int | float | str) and not (isinstance(value, str) and "${" in value):
            return value if isinstance(value, str) else json.dumps(value)
        return match.group(0)

    def resolve(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return _REFERENCE.sub(literal, value) if isinstance(value, str) else value

    return {address: resolve(body) for address, body in found.items()}


def references_to(value: Any, addresses: set[str]) -> bool:
    return isinstance(value, str) and any(m.group(1) in addresses for m in _REFERENCE.finditer(value))


def compare_resource(
    address: str, before: dict[str, Any], after: dict[str, Any], unknown: frozenset[str] = frozenset()
) -> ResourceChange | None:
    """The attribute changes Terraform would plan (meta-arguments and `lifecycle.ignore_changes` paths left out),
    each with its effect; None when nothing changes. `unknown`: paths whose new value is only known after apply
    (they reference a computed attribute of a resource being replaced)."""
    resource_type = address.split(".", 1)[0]
    planned_before, planned_after = arguments(before), arguments(after)
    old, new = flatten(planned_before), flatten(planned_after)
    new.update(dict.fromkeys(unknown, KNOWN_AFTER_APPLY))
    changes = []
    for path in sorted(old.keys() | new.keys()):
        if (old.get(path) == new.get(path) and (path in old) == (path in new)) or ignored(after, path):
            continue
        result = outcome(resource_type, path, old.get(path), new.get(path), planned_before, planned_after)
        changes.append(AttributeChange(path, old.get(path), new.get(path), result.effect, result.reason))
    if not changes:
        return None
    if any(c.forces_replacement for c in changes):
        # The replacement is created with every new value: what the other changes would do in place is moot.
        moot = ("recreates nodes", "not applied", "apply fails")
        changes = [AttributeChange(c.path, c.before, c.after) if c.effect in moot else c for c in changes]
        return ResourceChange(address, "replace", tuple(changes))
    return ResourceChange(address, "update", tuple(changes))


def compare_stack(stack_id: str, base: Mapping[str, Any] | None, head: Mapping[str, Any] | None) -> StackDiff:
    """Resources created, destroyed and changed. A resource replaced makes its computed attributes unknown: every
    resource of the stack that references one of them plans that attribute as known after apply, which replaces it
    too when the attribute is ForceNew (a node pool's `cluster` when the cluster is replaced, an IAM member's
    `member` when its service account is); repeated until nothing more is replaced."""
    old, new = resolve_references(resources(base or {})), resolve_references(resources(head or {}))
    changed: dict[str, ResourceChange] = {}
    for address in sorted(old.keys() & new.keys()):
        change = compare_resource(address, old[address], new[address])
        if change is not None:
            changed[address] = change
    while True:
        replaced = {a for a, c in changed.items() if c.action == "replace"}
        grown = False
        for address in sorted(old.keys() & new.keys() - replaced):
            flat_old, flat_new = flatten(arguments(old[address])), flatten(arguments(new[address]))
            unknown = frozenset(p for p, v in flat_new.items() if references_to(v, replaced) and flat_old.get(p) == v)
            if not unknown:
                continue
            change = compare_resource(address, old[address], new[address], unknown)
            if change is not None and change != changed.get(address):
                changed[address] = change
                grown = grown or change.action == "replace"
        if not grown:
            break
    found: list[ResourceChange] = []
    for address in sorted(old.keys() | new.keys()):
        if address not in old:
            found.append(ResourceChange(address, "create"))
        elif address not in new:
            found.append(ResourceChange(address, "destroy"))
        elif address in changed:
            found.append(changed[address])
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
