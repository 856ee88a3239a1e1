"""Check the provider rules against the providers' source: every cited line names what the rule says it does.

    python -m scripts.provider_rules.verify \\
        --checkout hashicorp/terraform-provider-google=PATH --checkout hashicorp/terraform-provider-kubernetes=PATH \\
        --checkout googleapis/googleapis=PATH

Each PATH is a git repository holding the tag or commit the rules cite (v6.50.0, v2.38.0, googleapis f8291d2, whose
GKE proto backs the "recreates nodes" effects); files are read with
`git show TAG:FILE`, so any clone or mirror works. For an attribute, the cited line must name it, and where the
schema entry there is a literal, its Required, ForceNew, MaxItems, MinItems and Type must match the rule. An enum
must list the same values. Rules citing other sources (the GKE API protos, Google's documentation) and schema
built by function calls are reported as unchecked: read those by hand. Exit code 1 when anything disagrees.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from scripts.provider_rules import goschema
from scripts.provider_rules.model import (
    BLOCK,
    LIST,
    MAP,
    SET,
    TREE,
    VALUE,
    AtLeastOneOf,
    Attr,
    ConflictsWith,
    ExactlyOneOf,
    ForceNewIf,
    InPlace,
    Kind,
    PlanCheck,
    RequiredWith,
    ResourceRules,
    Rule,
    Source,
    Valid,
)

Status = Literal["ok", "mismatch", "unchecked"]

#: What the cited line of each kind of rule must contain (one of).
MARKERS: dict[type, tuple[str, ...]] = {
    Valid: ("Validate", "validation."),
    ConflictsWith: ("ConflictsWith",),
    ExactlyOneOf: ("ExactlyOneOf",),
    AtLeastOneOf: ("AtLeastOneOf", "Keys = []string"),
    RequiredWith: ("RequiredWith",),
    PlanCheck: ("func ", "Keys := []string"),
    ForceNewIf: ("ForceNewIfChange",),
    InPlace: ("HasChange", "func ", "Initiates an upgrade operation"),
}


@dataclass(frozen=True)
class Finding:
    status: Status
    subject: str
    detail: str = ""


class Sources:
    """The cited files, read once each from the given checkouts (`repo@tag` -> `git show tag:path`)."""

    def __init__(self, checkouts: Mapping[str, Path]) -> None:
        self.checkouts = checkouts
        self.files: dict[tuple[str, str], str | None] = {}

    def read(self, source: Source) -> str | None:
        key = (source.repo, source.path)
        if key not in self.files:
            repo, _, tag = source.repo.partition("@")
            folder = self.checkouts.get(repo)
            result = (
                subprocess.run(
                    ["git", "-C", str(folder), "show", f"{tag}:{source.path}"],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if folder is not None and tag
                else None
            )
            self.files[key] = result.stdout if result is not None and result.returncode == 0 else None
        return self.files[key]

    def line(self, source: Source) -> str | None:
        content = self.read(source)
        lines = content.splitlines() if content is not None else []
        return lines[source.line - 1] if 0 < source.line <= len(lines) else None


def _kinds(properties: Mapping[str, str]) -> set[Kind]:
    """The rule kinds a schema entry's Type (and Elem) allow."""
    kind = properties["Type"].replace(" ", "")
    elem = properties.get("Elem", "").replace(" ", "")
    nested = bool(elem) and not elem.startswith("&schema.Schema{")
    if kind in ("schema.TypeList", "schema.TypeSet"):
        return {BLOCK, TREE} if nested else {LIST if kind == "schema.TypeList" else SET}
    if kind == "schema.TypeMap":
        return {MAP}
    return {VALUE}


def _flag(properties: Mapping[str, str], name: str) -> bool | None:
    """A boolean property: True/False when literal (absent is False), None when computed (`!isUpdatable`)."""
    value = properties.get(name, "false").replace(" ", "")
    return {"true": True, "false": False}.get(value)


def verify_attribute(sources: Sources, resource_type: str, attr: Attr) -> Finding:
    subject = f"{resource_type} {attr.path} ({attr.source})"
    line = sources.line(attr.source)
    if line is None:
        return Finding("unchecked", subject, "source not available")
    if f'"{attr.name}"' not in line:
        return Finding("mismatch", subject, f"the line does not name {attr.name!r}: {line.strip()}")
    content = sources.read(attr.source) or ""
    entry = next((e for e in goschema.entries(content) if e.line == attr.source.line and e.name == attr.name), None)
    if entry is None:
        return Finding("unchecked", subject, "line names it; the schema there is built by code")
    problems = []
    for name, expected in (("Required", attr.required), ("ForceNew", attr.force_new)):
        actual = _flag(entry.properties, name)
        if actual is not None and actual != expected:
            problems.append(f"{name} is {actual}, the rule says {expected}")
    for name, expected_items in (("MaxItems", attr.max_items), ("MinItems", attr.min_items)):
        value = entry.properties.get(name)
        if (int(value) if value and value.isdigit() else None) != expected_items:
            problems.append(f"{name} is {value}, the rule says {expected_items}")
    if attr.kind not in _kinds(entry.properties):
        problems.append(f"Type {entry.properties['Type']} is not a {attr.kind}")
    return Finding("mismatch" if problems else "ok", subject, "; ".join(problems))


def _enum(content: str, line: int) -> list[str] | None:
    """The string literals of the first `[]string{...}` from `line` on; None when it holds non-literals."""
    rest = "\n".join(content.splitlines()[line - 1 :])
    found = re.search(r"\[\]string\{(.*?)\}", rest, re.S)
    if found is None:
        return None
    items = [item.strip() for item in found.group(1).split(",") if item.strip()]
    if not all(re.fullmatch(r'"[^"]*"', item) for item in items):
        return None
    return [item[1:-1] for item in items]


def verify_rule(sources: Sources, resource_type: str, rule: Rule | ForceNewIf | InPlace) -> Finding:
    where = getattr(rule, "path", None) or getattr(rule, "paths", ("",))[0] or type(rule).__name__
    subject = f"{resource_type} {type(rule).__name__} {where} ({rule.source})"
    if isinstance(rule, Valid) and rule.origin == "api":
        return Finding("unchecked", subject, "an API rule from Google's documentation")
    line = sources.line(rule.source)
    if line is None:
        return Finding("unchecked", subject, "source not available")
    if not any(marker in line for marker in MARKERS[type(rule)]):
        return Finding("mismatch", subject, f"the line holds none of {MARKERS[type(rule)]}: {line.strip()}")
    allowed = getattr(rule, "validator", None) and getattr(rule.validator, "allowed", None)
    if allowed is not None:
        listed = _enum(sources.read(rule.source) or "", rule.source.line)
        if listed is None:
            return Finding("unchecked", subject, "the enum is built from constants")
        if sorted(listed) != sorted(allowed):
            return Finding("mismatch", subject, f"the source allows {listed}, the rule {list(allowed)}")
    return Finding("ok", subject)


def verify(sources: Sources, catalog: Iterable[ResourceRules]) -> list[Finding]:
    findings = []
    for rules in catalog:
        findings += [verify_attribute(sources, rules.type, attr) for attr in rules.attributes]
        findings += [
            verify_rule(sources, rules.type, rule) for rule in (*rules.rules, *rules.force_new_if, *rules.in_place)
        ]
    return findings


def main(argv: list[str] | None = None) -> int:
    from scripts.provider_rules.catalog import RULES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkout", action="append", default=[], metavar="OWNER/REPO=PATH", required=True)
    args = parser.parse_args(argv)
    checkouts = {repo: Path(path) for repo, _, path in (c.partition("=") for c in args.checkout)}
    findings = verify(Sources(checkouts), RULES.values())
    for finding in findings:
        if finding.status != "ok":
            print(f"{finding.status}: {finding.subject}: {finding.detail}")
    counts = {s: sum(1 for f in findings if f.status == s) for s in ("ok", "unchecked", "mismatch")}
    print(", ".join(f"{n} {s}" for s, n in counts.items()))
    return 1 if counts["mismatch"] else 0


if __name__ == "__main__":
    sys.exit(main())
