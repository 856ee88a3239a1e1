"""Stack ids and their deploy order: a contract (state paths, `cdktf deploy <id>`, CI), kept free of cdktf imports so
the CLI can order and name stacks without loading the provider bindings."""

from __future__ import annotations

from collections.abc import Iterable

NETWORK, CLUSTER, ACCELERATORS, STORAGE, IDENTITIES = "network", "cluster", "accelerators", "storage", "identities"
#: Deploy order (each stack only references stacks before it).
STACK_IDS: tuple[str, ...] = (NETWORK, CLUSTER, ACCELERATORS, STORAGE, IDENTITIES)
#: Deployed once by an admin, before the others, and only synthesized when the environment has a `ci` section: CI
#: never plans or applies it (its identities could otherwise widen their own permissions).
BOOTSTRAP = "bootstrap"
#: Only synthesized when the environment has `deployments`; last in deploy order (reads cluster, storage, identities).
SERVING = "serving"


def in_order(ids: Iterable[str], order: tuple[str, ...]) -> list[str]:
    """`ids` sorted by their place in `order`; ids it does not list come last, by name."""
    return sorted(ids, key=lambda s: (order.index(s) if s in order else len(order), s))
