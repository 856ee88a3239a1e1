"""Edit `deployments:` in an environment file with ruamel.yaml round-trip, so comments, key order, flow mappings
and indentation of everything else stay as the owner wrote them: the PR diff shows only the deployment change.

Every edit is validated as a whole environment before the file is written: an edit never leaves an invalid file.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from modules.config import ConfigError, parse_environment
from scripts.fit.errors import FitError

_BLOCK_SEQUENCE = re.compile(r"^(?P<key> *)[A-Za-z_][\w-]*:[ \t]*(#.*)?\n(?P<dash> *)- ", re.MULTILINE)


def _round_trip(text: str) -> YAML:
    """A round-trip YAML whose block-sequence indentation matches the file's own (`key:\\n  - item` or `- item`)."""
    yaml = YAML()
    yaml.width = 4096  # never re-wrap long lines
    yaml.preserve_quotes = True
    match = _BLOCK_SEQUENCE.search(text)
    offset = len(match["dash"]) - len(match["key"]) if match else 2
    yaml.indent(mapping=2, sequence=offset + 2, offset=offset)
    return yaml


def _load(path: Path) -> tuple[YAML, Any, str]:
    text = path.read_text(encoding="utf-8")
    yaml = _round_trip(text)
    return yaml, yaml.load(text), text


def _write(path: Path, yaml: YAML, document: Any) -> None:
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    text = buffer.getvalue()
    try:
        parse_environment(pyyaml.safe_load(text), str(path))
    except ConfigError as exc:
        raise FitError(f"{path}: the edit would make the environment invalid: {'; '.join(exc.errors)}") from None
    path.write_text(text, encoding="utf-8")


def _entry(values: dict[str, Any]) -> CommentedMap:
    entry = CommentedMap()
    for key, value in values.items():
        if isinstance(value, dict):
            nested = CommentedMap(value)
            nested.fa.set_flow_style()
            value = nested
        entry[key] = value
    return entry


def upsert_deployment(path: Path, values: dict[str, Any]) -> str:
    """Add the deployment, or replace the entry with the same name (keeping its `image` override and comments).
    Returns "added" or "updated"."""
    yaml, document, _ = _load(path)
    deployments = document.get("deployments")
    if deployments is None:
        deployments = CommentedSeq()
        document["deployments"] = deployments
    for existing in deployments:
        if existing.get("name") == values["name"]:
            for key in [k for k in existing if k not in values and k != "image"]:
                del existing[key]
            for key, value in _entry(values).items():
                existing[key] = value
            _write(path, yaml, document)
            return "updated"
    deployments.append(_entry(values))
    _write(path, yaml, document)
    return "added"


def remove_deployment(path: Path, name: str) -> int:
    """Remove the named entry; returns how many deployments remain. The key goes when the list empties."""
    yaml, document, _ = _load(path)
    deployments = document.get("deployments") or []
    names = [d.get("name") for d in deployments]
    if name not in names:
        allowed = ", ".join(str(n) for n in names) or "none (the file has no deployments)"
        raise FitError(f"--remove {name!r}: no deployment of that name in {path}; allowed: {allowed}")
    del deployments[names.index(name)]
    if not deployments:
        del document["deployments"]
    _write(path, yaml, document)
    return len(deployments)


def deployed_model(path: Path, name: str) -> str | None:
    """The model an existing deployment of that name serves (None when there is none)."""
    _, document, _ = _load(path)
    for existing in document.get("deployments") or []:
        if existing.get("name") == name:
            return str(existing.get("model"))
    return None
