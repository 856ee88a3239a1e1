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
from scripts.provider_rules.check import arguments, index_free
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


#: `${type.name.attribute...}`: a reference to another resource of the same stack.
_REFERENCE = re.compile(r"\$\{([a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)\.([^{}]+)\}")
#: `${data.terraform_remote_state.<input>.outputs.<name>}`: a value another stack exports (cdktf's cross-stack
#: references: the producing stack has an output `<name>` whose value is one `${type.name.attribute}`).
_REMOTE = re.compile(r"\$\{data\.terraform_remote_state\.[^.{}]+\.outputs\.([^.{}]+)\}")
#: What Terraform plans for a reference to a computed attribute of a resource it replaces.
KNOWN_AFTER_APPLY = "(known after apply)"


def _by_path(body: Mapping[str, Any]) -> dict[str, Any]:
    """Index-free path -> value, for the paths that hold one value: a reference says `metadata[0].name` where the
    synthesized JSON writes a single block as an object (`metadata.name`)."""
    found: dict[str, list[Any]] = {}
    for path, value in flatten(body).items():
        found.setdefault(index_free(path), []).append(value)
    return {path: values[0] for path, values in found.items() if len(values) == 1}


Target = tuple[str, str]
"""(stack id, resource address)."""


@dataclass(frozen=True)
class World:
    """One side of a diff: every stack's resources by address, and the values stacks export to each other."""

    resources: dict[str, dict[str, dict[str, Any]]]
    exports: dict[str, tuple[str, str, str]]
    """Output name -> (stack id, address, attribute path) of the resource attribute it passes on."""

    @classmethod
    def of(cls, stacks: Stacks) -> World:
        exports = {}
        for stack_id, stack in stacks.items():
            for name, output in ((stack or {}).get("output") or {}).items():
                found = _REFERENCE.fullmatch(str((output or {}).get("value", "")))
                if found is not None:
                    exports[name] = (stack_id, found.group(1), found.group(2))
        return cls({s: resources(stack or {}) for s, stack in stacks.items()}, exports)

    def resolved(self) -> World:
        """Each reference to an attribute a resource sets to a literal (in its own stack, or in the stack an output
        comes from), replaced by that literal: Terraform plans a configured attribute's new value as known, so
        `policy_name = ${policy.name}` changes when the policy's name does, and a ForceNew attribute holding it
        replaces its resource. References to computed attributes (ids, emails, self links) stay: `compare` treats
        those of replaced resources as known only after apply."""
        literals = {(s, a): _by_path(body) for s, found in self.resources.items() for a, body in found.items()}

        def literal(stack_id: str, address: str, path: str, text: str) -> str:
            value = literals.get((stack_id, address), {}).get(index_free(path))
            if isinstance(value, bool | int | float | str) and not (isinstance(value, str) and "${" in value):
                return value if isinstance(value, str) else json.dumps(value)
            return text

        def remote(match: re.Match[str]) -> str:
            export = self.exports.get(match.group(1))
            return literal(*export, match.group(0)) if export is not None else match.group(0)

        def resolve(stack_id: str, value: Any) -> Any:
            if isinstance(value, dict):
                return {k: resolve(stack_id, v) for k, v in value.items()}
            if isinstance(value, list):
                return [resolve(stack_id, v) for v in value]
            if not isinstance(value, str):
                return value
            value = _REMOTE.sub(remote, value)
            return _REFERENCE.sub(lambda m: literal(stack_id, m.group(1), m.group(2), m.group(0)), value)

        return World(
            {s: {a: resolve(s, body) for a, body in found.items()} for s, found in self.resources.items()},
            self.exports,
        )

    def targets(self, stack_id: str, value: Any) -> set[Target]:
        """The resources a value still references (in its own stack, or through another stack's output)."""
        if not isinstance(value, str):
            return set()
        found = {(stack_id, m.group(1)) for m in _REFERENCE.finditer(value)}
        exports = (self.exports.get(m.group(1)) for m in _REMOTE.finditer(value))
        return found | {(export[0], export[1]) for export in exports if export is not None}


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


def compare(base: Stacks, head: Stacks, order: tuple[str, ...] = ()) -> list[StackDiff]:
    """Every stack of either side, in deploy `order` first, then by id: resources created, destroyed and changed.

    A resource replaced makes its computed attributes unknown until apply: every resource that references one of
    them, in its own stack or through a stack output (cdktf's cross-stack references, which the next stack reads
    after this one is applied), plans that attribute as changed, which replaces it too when the attribute is ForceNew
    (a node pool's `cluster` when the cluster is replaced, an IAM member's `member` when its service account is);
    repeated until nothing more is replaced."""
    ids = in_order(base.keys() | head.keys(), order)
    old = World.of({s: base.get(s) or {} for s in ids}).resolved()
    new = World.of({s: head.get(s) or {} for s in ids}).resolved()
    common = {s: sorted(old.resources[s].keys() & new.resources[s].keys()) for s in ids}
    changed: dict[Target, ResourceChange] = {}
    for stack_id in ids:
        for address in common[stack_id]:
            change = compare_resource(address, old.resources[stack_id][address], new.resources[stack_id][address])
            if change is not None:
                changed[(stack_id, address)] = change
    while True:
        replaced = {key for key, change in changed.items() if change.action == "replace"}
        grown = False
        for stack_id in ids:
            for address in common[stack_id]:
                if (stack_id, address) in replaced:
                    continue
                before, after = old.resources[stack_id][address], new.resources[stack_id][address]
                flat_old, flat_new = flatten(arguments(before)), flatten(arguments(after))
                unknown = frozenset(
                    path
                    for path, value in flat_new.items()
                    if flat_old.get(path) == value and new.targets(stack_id, value) & replaced
                )
                if not unknown:
                    continue
                change = compare_resource(address, before, after, unknown)
                if change is not None and change != changed.get((stack_id, address)):
                    changed[(stack_id, address)] = change
                    grown = grown or change.action == "replace"
        if not grown:
            break
    return [_stack_diff(s, base.get(s), head.get(s), old, new, changed) for s in ids]


def _stack_diff(
    stack_id: str,
    base: Mapping[str, Any] | None,
    head: Mapping[str, Any] | None,
    old: World,
    new: World,
    changed: Mapping[Target, ResourceChange],
) -> StackDiff:
    before, after = old.resources[stack_id], new.resources[stack_id]
    found: list[ResourceChange] = []
    for address in sorted(before.keys() | after.keys()):
        if address not in before:
            found.append(ResourceChange(address, "create"))
        elif address not in after:
            found.append(ResourceChange(address, "destroy"))
        elif (stack_id, address) in changed:
            found.append(changed[(stack_id, address)])
    if base is None:
        status = "added"
    elif head is None:
        status = "removed"
    else:
        status = "changed" if found else "unchanged"
    return StackDiff(stack_id, status, tuple(found))
