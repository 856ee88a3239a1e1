"""Issue 11, defect 8: vLLM is the default engine, TGI is marked legacy, and every image the serving stack runs is
pinned to a release tag whose date and source are recorded beside it in the catalog and stated in the README."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click

from modules.catalog import engines, serving
from modules.config.deployments import Deployment
from scripts.cli import main
from tests.conftest import REPO

README = (REPO / "README.md").read_text()
#: A release tag: `vX.Y.Z` or `X.Y.Z`, optionally with a build suffix (`-gke.0`); never `latest` or a bare major.
RELEASE_TAG = re.compile(r":v?[0-9]+\.[0-9]+\.[0-9]+(-[A-Za-z0-9.]+)?$")
DATE = re.compile(r"\b20[0-9]{2}-[01][0-9](-[0-3][0-9])?\b")
#: The images the serving stack runs, by the catalog constant that pins each.
PINS = {
    "VLLM_IMAGE_GPU": (engines, engines.VLLM_IMAGE_GPU),
    "VLLM_IMAGE_TPU": (engines, engines.VLLM_IMAGE_TPU),
    "TGI_IMAGE_GPU": (engines, engines.TGI_IMAGE_GPU),
    "METRICS_ADAPTER_IMAGE": (serving, serving.METRICS_ADAPTER_IMAGE),
}


def comment_above(module: object, name: str) -> str:
    """The `#` comment lines directly above the assignment of `name` in `module`'s source."""
    path = Path(module.__file__)  # type: ignore[attr-defined]
    lines = path.read_text().splitlines()
    tree = ast.parse("\n".join(lines))
    (line,) = [n.lineno for n in tree.body if isinstance(n, ast.Assign | ast.AnnAssign) and name in ast.unparse(n)[:60]]
    block = []
    for text in reversed(lines[: line - 1]):
        if not text.startswith("#"):
            break
        block.append(text)
    return "\n".join(reversed(block))


def test_every_image_is_a_release_tag_with_its_date_and_source() -> None:
    """Each pin is an explicit release tag, its catalog comment names a date and a source (a repository path or a
    registry), and the README states the same tag."""
    for name, (module, image) in PINS.items():
        assert RELEASE_TAG.search(image), f"{name} = {image!r} is not pinned to a release tag"
        comment = comment_above(module, name)
        assert DATE.search(comment), f"{name}: no date in the comment above it"
        assert re.search(r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+|PyPI", comment), f"{name}: no source in the comment"
        assert f"`{image}`" in README, f"{name}: README does not state {image}"
    assert {engine.images[kind] for engine in engines.ENGINES.values() for kind in engine.images} == {
        engines.VLLM_IMAGE_GPU,
        engines.VLLM_IMAGE_TPU,
        engines.TGI_IMAGE_GPU,
    }


def test_vllm_is_the_default_and_tgi_is_legacy() -> None:
    """A deployment without `engine:` and `hfkit serve` without `--engine` use vLLM; the README marks TGI legacy
    (upstream maintenance mode) where it names its image, and the catalog records why."""
    assert Deployment.model_fields["engine"].default == "vllm"
    serve = main.get_command(click.Context(main), "serve")
    assert next(p for p in serve.params if p.name == "engine").default == "vllm"
    tgi_line = next(line for line in README.splitlines() if f"`{engines.TGI_IMAGE_GPU}`" in line)
    assert "**legacy**" in tgi_line
    assert "vLLM is the default" in README
    assert "maintenance mode" in comment_above(engines, "TGI_IMAGE_GPU")
