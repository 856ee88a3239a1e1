"""The shapes the provider rules are written in: an attribute's schema facts, a validator bound to a path, the
cross-attribute rules, and how an in-place change plays out.

Paths are dotted attribute names without list indices (`node_config.guest_accelerator.type`), the way the provider
schema nests them; the rules apply to every instance of a nested block.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

#: The pinned providers (pyproject.toml: cdktf-cdktf-provider-google 16.12.1 wraps hashicorp/google 6.50.0,
#: cdktf-cdktf-provider-kubernetes 12.1.1 wraps hashicorp/kubernetes 2.38.0). Both build on terraform-plugin-sdk
#: v2.37.0 (their go.mod at those tags); the kubernetes provider validates with k8s.io/apimachinery v0.28.6.
GOOGLE = "hashicorp/terraform-provider-google@v6.50.0"
KUBERNETES = "hashicorp/terraform-provider-kubernetes@v2.38.0"
GOOGLEAPIS = "googleapis/googleapis@f8291d2b89f0017ab078a4c7378069bae5686f6f"  # read 2026-12-02


@dataclass(frozen=True)
class Source:
    """Where a rule is written: `repo@tag` (or a URL), the file, the line."""

    repo: str
    path: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.repo}/{self.path}" + (f":{self.line}" if self.line else "")


def source_in(repo: str, path: str) -> Callable[[int], Source]:
    """`nc = source_in(GOOGLE, "…/node_config.go")`, then `nc(360)`: rules cite many lines of few files."""
    return lambda line: Source(repo, path, line)


#: How an attribute is written in Terraform JSON: a single value, a list/set/map of values, nested blocks (a JSON
#: object for a MaxItems-1 block, else a list of objects), or a subtree described as a whole (`TREE`: everything under
#: it shares the entry's facts, cited where the schema builds it).
Kind = Literal["value", "list", "set", "map", "block", "tree"]
VALUE: Kind = "value"
LIST: Kind = "list"
SET: Kind = "set"
MAP: Kind = "map"
BLOCK: Kind = "block"
TREE: Kind = "tree"


@dataclass(frozen=True)
class Attr:
    """One schema entry: `Required`, `ForceNew`, `MaxItems`/`MinItems` as the provider declares them.

    ForceNew on a BLOCK only replaces the resource when the number of blocks changes (terraform-plugin-sdk v2.37.0
    helper/schema/schema.go:1392-1421 gives the count the block's ForceNew; 1429-1440 diffs the fields of each block
    with their own schema). On a list, set or map of values every element change inherits it (schema.go:1441-1445,
    1687-1691; diffMap 1505-1557).
    """

    path: str
    source: Source
    kind: Kind = VALUE
    required: bool = False
    force_new: bool = False
    max_items: int | None = None
    min_items: int | None = None

    @property
    def parent(self) -> str:
        return self.path.rpartition(".")[0]

    @property
    def name(self) -> str:
        return self.path.rpartition(".")[2]


#: A validator returns None for a good value, else the reason it is refused (worded after the provider's message).
Validator = Callable[[Any], "str | None"]

#: `provider`: `terraform validate` / `plan` refuses it. `api`: the provider passes it on and the Google API refuses it
#: at apply (the provider has no validator; the rule comes from the API's documentation).
Origin = Literal["provider", "api"]


@dataclass(frozen=True)
class Valid:
    """`ValidateFunc` (or the API's documented format) on one attribute; for a list or set, `each` element."""

    path: str
    validator: Validator
    source: Source
    each: bool = False
    origin: Origin = "provider"


@dataclass(frozen=True)
class ConflictsWith:
    """`ConflictsWith`: `path` may not be set together with any of `others`."""

    path: str
    others: tuple[str, ...]
    source: Source


@dataclass(frozen=True)
class ExactlyOneOf:
    """`ExactlyOneOf`, checked within each instance of the block that holds `paths`."""

    paths: tuple[str, ...]
    source: Source


@dataclass(frozen=True)
class AtLeastOneOf:
    """`AtLeastOneOf`, checked within each instance of the block that holds `paths`."""

    paths: tuple[str, ...]
    source: Source


@dataclass(frozen=True)
class RequiredWith:
    """`RequiredWith`: when `path` is set, every one of `others` must be set too."""

    path: str
    others: tuple[str, ...]
    source: Source


@dataclass(frozen=True)
class PlanCheck:
    """A CustomizeDiff that fails the plan: `test(resource)` returns the provider's error, or None."""

    test: Callable[[dict[str, Any]], str | None]
    source: Source


Rule = Valid | ConflictsWith | ExactlyOneOf | AtLeastOneOf | RequiredWith | PlanCheck

#: What an attribute change does on `apply`, in rising order of harm (a resource's worst change names its effect):
#: - `update`: updated in place.
#: - `not applied`: the plan shows an in-place update, but the provider's Update has no branch for it: apply
#:   reports success, changes nothing, and every later plan shows the same change again.
#: - `recreates nodes`: updated in place, but GKE recreates every node of the pool to apply it.
#: - `apply fails`: the plan shows an in-place update that the provider's Update cannot carry out.
#: - `replace`: Terraform destroys and recreates the resource (`ForceNew`, or a CustomizeDiff that forces it).
Effect = Literal["update", "not applied", "recreates nodes", "apply fails", "replace"]
EFFECTS: tuple[Effect, ...] = ("update", "not applied", "recreates nodes", "apply fails", "replace")


@dataclass(frozen=True)
class ForceNewIf:
    """A CustomizeDiff `ForceNewIfChange(path, when)`: replaced when `when(before, after)` holds."""

    path: str
    when: Callable[[Any, Any], bool]
    source: Source
    reason: str


@dataclass(frozen=True)
class InPlace:
    """What an in-place change of `path` (or anything under it) does beyond a plain update; `when(resource)` narrows
    it to resources configured a certain way (None: always)."""

    path: str
    effect: Effect
    source: Source
    reason: str
    when: Callable[[dict[str, Any]], bool] | None = None


@dataclass(frozen=True)
class ResourceRules:
    """Everything known about one resource type: the attributes the kit emits (and the Required ones beside them),
    the validation rules, and how changes apply."""

    type: str
    attributes: tuple[Attr, ...]
    rules: tuple[Rule, ...] = ()
    force_new_if: tuple[ForceNewIf, ...] = ()
    in_place: tuple[InPlace, ...] = ()
    by_path: dict[str, Attr] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_path = {a.path: a for a in self.attributes}
        if len(by_path) != len(self.attributes):
            raise ValueError(f"{self.type}: an attribute is described twice")
        object.__setattr__(self, "by_path", by_path)

    def describe(self, path: str) -> Attr | None:
        """The entry that describes `path` (index-free): the attribute itself, or the nearest map, value list or TREE
        it lies in. None when the rules do not know it (a field of a block with no entry of its own)."""
        head = path
        while head:
            found = self.by_path.get(head)
            if found is not None:
                return found if head == path or found.kind != BLOCK else None
            head = head.rpartition(".")[0]
        return None

    def chain(self, path: str) -> list[Attr]:
        """Every described attribute on the way to `path`, outermost first; the last one describes it."""
        parts = path.split(".")
        found = (self.by_path.get(".".join(parts[:i])) for i in range(1, len(parts) + 1))
        return [attr for attr in found if attr is not None]
