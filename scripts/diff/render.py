"""`hfkit diff` output: text for terminals, Markdown for the PR comment, JSON for machines."""

from __future__ import annotations

import json
from typing import Any

from scripts.cost.estimate import Estimate
from scripts.cost.render import money, span
from scripts.cost.render import to_dict as cost_dict
from scripts.diff.compare import AttributeChange, ResourceChange, StackDiff
from scripts.diff.report import DiffReport
from scripts.provider_rules.model import EFFECTS, Effect

SYMBOL = {"create": "+", "update": "~", "replace": "!", "destroy": "-"}
ABSENT = "(absent)"


def value(v: Any) -> str:
    text = ABSENT if v is None else json.dumps(v, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


#: How each effect is flagged on a resource (with the paths that cause it) and marked on a changed attribute.
FLAGS: dict[Effect, str] = {
    "replace": "will be replaced",
    "apply fails": "apply will fail",
    "recreates nodes": "recreates nodes",
    "not applied": "apply will not change it",
}
MARKS: dict[Effect, str] = {
    "replace": "forces replacement",
    "apply fails": "apply fails",
    "recreates nodes": "recreates nodes",
    "not applied": "not applied",
}


def flags(r: ResourceChange) -> list[str]:
    found = [f"{FLAGS[e]} ({', '.join(r.paths(e))})" for e in reversed(EFFECTS) if e in FLAGS and r.paths(e)]
    if r.action == "destroy":
        found.append("will be destroyed")
    if r.iam:
        found.append("IAM change")
    return found


def mark(c: AttributeChange) -> str:
    """`(forces replacement: why, with the provider source)`; empty for a plain in-place update."""
    return f"({MARKS[c.effect]}: {c.reason})" if c.effect in MARKS else ""


def stack_heading(s: StackDiff) -> str:
    if s.status == "unchanged":
        return f"{s.stack_id}: no changes"
    counts = ", ".join(f"{s.count(a)} to {a}" for a in ("create", "update", "replace", "destroy"))
    note = {"added": " (new stack)", "removed": " (stack removed)"}.get(s.status, "")
    return f"{s.stack_id}{note}: {counts}"


def summary(report: DiffReport) -> list[str]:
    resources = report.resources
    if not report.changed:
        return ["no changes"]
    lines = []
    destroys = sum(1 for r in resources if r.destroys)
    if destroys:
        lines.append(f"WARNING: {destroys} resource(s) will be destroyed or replaced")
    fails = sum(1 for r in resources if r.paths("apply fails"))
    if fails:
        lines.append(f"WARNING: {fails} resource(s) will fail to apply")
    recreating = sum(1 for r in resources if r.paths("recreates nodes"))
    if recreating:
        lines.append(f"NOTE: {recreating} node pool(s) will recreate all their nodes (updated in place)")
    unapplied = sum(1 for r in resources if r.paths("not applied"))
    if unapplied:
        lines.append(
            f"NOTE: {unapplied} resource(s) with changes the provider cannot make: apply reports success, "
            "every plan shows them again"
        )
    iam = sum(1 for r in resources if r.iam)
    if iam:
        lines.append(f"IAM: {iam} change(s) to review")
    return lines


def cost_line(base: Estimate, head: Estimate) -> str:
    c = head.prices.currency
    delta_min = head.hourly_min - base.hourly_min
    delta_max = head.hourly_max - base.hourly_max
    line = (
        f"cost per hour (min - max nodes): {span(base.hourly_min, base.hourly_max, c)} -> "
        f"{span(head.hourly_min, head.hourly_max, c)} ({delta_min:+,.2f} / {delta_max:+,.2f} {c}); per month: "
        f"{money(head.monthly(delta_min), c)} / {money(head.monthly(delta_max), c)} change"
    )
    unknown = sorted({p.usage.name for p in (*base.unknown, *head.unknown)})
    if unknown:
        line += f"; unknown price, not counted: {', '.join(unknown)}"
    return line


def heading(report: DiffReport) -> str:
    return (
        f"hfkit diff: working tree vs {report.base_ref} ({report.base_commit[:12]}), environment file {report.config}"
    )


def to_text(report: DiffReport) -> str:
    lines = [heading(report)]
    for s in report.stacks:
        lines.append(stack_heading(s))
        for r in s.resources:
            extra = "; ".join(flags(r))
            lines.append(f"  {SYMBOL[r.action]} {r.address}" + (f"  [{extra}]" if extra else ""))
            for c in r.changes:
                note = f"  {mark(c)}" if mark(c) else ""
                lines.append(f"      {c.path}: {value(c.before)} -> {value(c.after)}{note}")
    lines += summary(report)
    lines.append(cost_line(report.cost_base, report.cost_head))
    return "\n".join(lines) + "\n"


def to_markdown(report: DiffReport) -> str:
    lines = [f"### {heading(report)}", ""]
    lines += [f"**{line}**" for line in summary(report)]
    lines.append("")
    for s in report.stacks:
        lines.append(f"- `{s.stack_id}`: {stack_heading(s).split(': ', 1)[1]}")
        for r in s.resources:
            extra = "; ".join(flags(r))
            lines.append(f"  - `{SYMBOL[r.action]}` `{r.address}`" + (f" **{extra}**" if extra else ""))
            for c in r.changes:
                note = f" {mark(c)}" if mark(c) else ""
                lines.append(f"    - `{c.path}`: `{value(c.before)}` -> `{value(c.after)}`{note}")
    lines += ["", cost_line(report.cost_base, report.cost_head)]
    return "\n".join(lines) + "\n"


def to_dict(report: DiffReport) -> dict[str, Any]:
    resources = report.resources
    base, head = cost_dict(report.cost_base)["total"], cost_dict(report.cost_head)["total"]
    return {
        "base": {"ref": report.base_ref, "commit": report.base_commit},
        "config": report.config,
        "changed": report.changed,
        "destroyed_or_replaced": [r.address for r in resources if r.destroys],
        "apply_fails": [r.address for r in resources if r.paths("apply fails")],
        "recreates_nodes": [r.address for r in resources if r.paths("recreates nodes")],
        "not_applied": [r.address for r in resources if r.paths("not applied")],
        "iam_changes": [r.address for r in resources if r.iam],
        "stacks": [
            {
                "id": s.stack_id,
                "status": s.status,
                "resources": [
                    {
                        "address": r.address,
                        "action": r.action,
                        "iam": r.iam,
                        "changes": [
                            {
                                "path": c.path,
                                "before": c.before,
                                "after": c.after,
                                "effect": c.effect,
                                "reason": c.reason,
                                "forces_replacement": c.forces_replacement,
                            }
                            for c in r.changes
                        ],
                    }
                    for r in s.resources
                ],
            }
            for s in report.stacks
        ],
        "cost": {
            "base": base,
            "head": head,
            "delta": {
                k: round(head[k] - base[k], 4) for k in ("hourly_min", "hourly_max", "monthly_min", "monthly_max")
            },
        },
    }


def to_json(report: DiffReport) -> str:
    return json.dumps(to_dict(report), indent=2) + "\n"


RENDERERS = {"text": to_text, "markdown": to_markdown, "json": to_json}
