"""README.md stays true: every config key and every CLI command is documented there."""

from __future__ import annotations

import typing

import click
from pydantic import BaseModel

from modules.config import Environment
from modules.config.pools import PoolBase
from scripts.cli import main
from tests.conftest import REPO

README = (REPO / "README.md").read_text()


def models_in(annotation: object) -> list[type[BaseModel]]:
    found = []
    for arg in [annotation, *typing.get_args(annotation)]:
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            found.append(arg)
        found += [a for a in typing.get_args(arg) if isinstance(a, type) and issubclass(a, BaseModel)]
    return found


def readme_row(path: str, name: str, model: type[BaseModel]) -> str | None:
    """The reference row of a key: `path` itself, or the shared pool row `*pool* `.name``."""
    markers = [f"`{path}`"]
    if issubclass(model, PoolBase) and name in PoolBase.model_fields:
        markers.append(f"*pool* `.{name}`")
    return next((line for line in README.splitlines() for m in markers if line.startswith(f"| {m}")), None)


def undocumented(model: type[BaseModel], prefix: str = "", row: str | None = None) -> list[str]:
    """Keys with no row of their own; a nested model's keys may instead be spelled out in their parent's row."""
    missing = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        own = readme_row(path, name, model) or readme_row(f"{path}[]", name, model)
        nested = models_in(field.annotation)
        is_list = typing.get_origin(field.annotation) is list
        is_section = bool(nested) and not is_list and own is None and row is None
        if own is None and not is_section and not (row is not None and name in row):
            missing.append(path)
        for sub in nested:
            missing += undocumented(sub, f"{path}[]." if is_list else f"{path}.", own or row)
    return missing


def test_every_config_key_is_in_the_readme_reference() -> None:
    assert undocumented(Environment) == []


def test_every_cli_command_is_in_the_readme() -> None:
    for name in main.list_commands(click.Context(main)):
        assert f"`hfkit {name}" in README, name
