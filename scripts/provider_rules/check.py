"""Apply the provider rules to synthesized Terraform JSON: what `terraform validate` / `plan` (and, for rules marked
"api", the Google API at apply) would refuse, offline.

Nested blocks appear in cdktf's JSON as an object (one block) or a list of objects. Values Terraform resolves at
apply time (`${...}`) are skipped, as `terraform validate` skips unknown values. Within a block, a rule applies to
each instance of it; a block that is absent takes its rules with it (terraform-plugin-sdk validates an object's
fields only when the object is set).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from scripts.provider_rules.catalog import RULES
from scripts.provider_rules.model import (
    AtLeastOneOf,
    ConflictsWith,
    ExactlyOneOf,
    Origin,
    PlanCheck,
    RequiredWith,
    ResourceRules,
    Source,
    Valid,
)
from scripts.provider_rules.validators import is_unknown

#: Terraform meta-arguments: not provider attributes, never validated by the provider, never a planned change.
META_ARGUMENTS = frozenset(
    {"//", "depends_on", "lifecycle", "provider", "count", "for_each", "provisioner", "connection"}
)


@dataclass(frozen=True)
class Violation:
    address: str
    path: str
    message: str
    source: Source
    origin: Origin = "provider"

    def __str__(self) -> str:
        refused_by = "the provider" if self.origin == "provider" else "the API at apply"
        return f"{self.address}: {self.path}: {self.message} (refused by {refused_by}; {self.source})"


def arguments(resource: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resource.items() if k not in META_ARGUMENTS}


def resources(stack: Mapping[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(type, address, arguments) for every resource of a synthesized stack."""
    for resource_type, by_name in stack.get("resource", {}).items():
        for name, body in by_name.items():
            yield resource_type, f"{resource_type}.{name}", arguments(body)


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def instances(node: Any, path: str, where: str = "") -> Iterator[tuple[str, Any]]:
    """(concrete path, value) for every set occurrence of `path` under `node`, through blocks that are objects or
    lists of objects."""
    if not path:
        yield where, node
        return
    name, _, rest = path.partition(".")
    blocks = list(enumerate(node)) if isinstance(node, list) else [(None, node)]
    for index, block in blocks:
        if isinstance(block, Mapping) and block.get(name) is not None:
            at = where if index is None else f"{where}[{index}]"
            yield from instances(block[name], rest, _join(at, name))


def blocks_at(resource: Mapping[str, Any], path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every block instance at `path` (the resource itself for ""), each list element on its own."""
    for where, value in instances(resource, path):
        if isinstance(value, list):
            yield from ((f"{where}[{i}]", item) for i, item in enumerate(value) if isinstance(item, Mapping))
        elif isinstance(value, Mapping):
            yield where, value


def _is_set(resource: Mapping[str, Any], path: str) -> bool:
    return next(instances(resource, path), None) is not None


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list) else 1


def _check_rule(rule: Any, resource: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(where, message) for each breach of one rule."""
    if isinstance(rule, Valid):
        for where, value in instances(resource, rule.path):
            items = list(enumerate(value)) if rule.each and isinstance(value, list) else [(None, value)]
            for index, item in items:
                if not is_unknown(item) and (message := rule.validator(item)) is not None:
                    yield (where if index is None else f"{where}[{index}]"), message
    elif isinstance(rule, ConflictsWith):
        clashing = [other for other in rule.others if _is_set(resource, other)]
        if clashing and _is_set(resource, rule.path):
            yield rule.path, f"conflicts with {', '.join(clashing)}"
    elif isinstance(rule, ExactlyOneOf | AtLeastOneOf):
        parent = rule.paths[0].rpartition(".")[0]
        names = [p.rpartition(".")[2] for p in rule.paths]
        for where, block in blocks_at(resource, parent):
            present = [n for n in names if block.get(n) is not None]
            if isinstance(rule, ExactlyOneOf) and len(present) != 1:
                yield where or "(resource)", f"exactly one of {names} must be set, got {present or 'none'}"
            if isinstance(rule, AtLeastOneOf) and not present:
                yield where or "(resource)", f"at least one of {names} must be set"
    elif isinstance(rule, RequiredWith):
        missing = [other for other in rule.others if not _is_set(resource, other)]
        if missing and _is_set(resource, rule.path):
            yield rule.path, f"requires {', '.join(missing)} to be set"
    elif isinstance(rule, PlanCheck) and (message := rule.test(dict(resource))) is not None:
        yield "(resource)", message


def check_resource(rules: ResourceRules, address: str, resource: Mapping[str, Any]) -> list[Violation]:
    """Every rule `resource` breaks: Required and MaxItems/MinItems from the schema, then the validators and the
    cross-attribute rules."""
    found = []
    for attr in rules.attributes:
        if attr.required:
            for where, block in blocks_at(resource, attr.parent):
                if block.get(attr.name) is None:
                    found.append(
                        Violation(address, _join(where, attr.name), "required attribute is not set", attr.source)
                    )
        if attr.max_items is not None or attr.min_items is not None:
            for where, value in instances(resource, attr.path):
                size = _count(value)
                if attr.max_items is not None and size > attr.max_items:
                    found.append(
                        Violation(address, where, f"at most {attr.max_items} item(s) allowed, got {size}", attr.source)
                    )
                if attr.min_items is not None and size < attr.min_items:
                    found.append(
                        Violation(
                            address, where, f"at least {attr.min_items} item(s) required, got {size}", attr.source
                        )
                    )
    for rule in rules.rules:
        origin = rule.origin if isinstance(rule, Valid) else "provider"
        found += [
            Violation(address, where, message, rule.source, origin) for where, message in _check_rule(rule, resource)
        ]
    return found


def violations(stack: Mapping[str, Any]) -> list[Violation]:
    """Every provider rule a synthesized stack breaks (resource types without rules are `unknown`'s business)."""
    found = []
    for resource_type, address, resource in resources(stack):
        if resource_type in RULES:
            found += check_resource(RULES[resource_type], address, resource)
    return found


_INDEX = re.compile(r"\[\d+\]")


def attribute_paths(value: Any, prefix: str = "") -> Iterator[str]:
    """Index-free paths of every value under `value` (empty containers included, so an empty block shows)."""
    if isinstance(value, Mapping) and value:
        for key, item in value.items():
            yield from attribute_paths(item, _join(prefix, str(key)))
    elif isinstance(value, list) and value:
        for item in value:
            yield from attribute_paths(item, prefix)
    else:
        yield prefix


def unknown(stack: Mapping[str, Any]) -> list[str]:
    """`address: path` for every attribute the rules do not describe, and `address` for every resource type they do
    not cover: the rules have to grow with what the kit emits, or hfkit diff would guess."""
    found = []
    for resource_type, address, resource in resources(stack):
        rules = RULES.get(resource_type)
        if rules is None:
            found.append(address)
            continue
        found += sorted({f"{address}: {p}" for p in attribute_paths(resource) if rules.describe(p) is None})
    return found


def index_free(path: str) -> str:
    """`a.b[0].c` -> `a.b.c`: the schema's view of a concrete attribute path."""
    return _INDEX.sub("", path)
