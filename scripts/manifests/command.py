"""`hfkit manifests`: write the serving stack's Kubernetes objects as YAML, one folder per deployment, for teams that
apply workloads through GitOps (Config Sync, Argo CD) instead of `cdktf deploy serving`.

The objects are rendered from the same synthesis Terraform would apply (scripts/manifests/render.py), so both paths
deploy the same thing. The output folder is the kit's: it is replaced whole (a removed deployment's folder goes too),
so it must be a folder `hfkit manifests` wrote before (it carries MARKER) or not exist yet.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import click
import yaml

from scripts.config_commands import CONFIG_OPTION_HELP, load_or_exit
from scripts.manifests.render import Manifest, Renderer, RenderError

MARKER = ".hfkit-manifests"
HEADER = "# Rendered by `hfkit manifests` from the serving stack; edit the environment file, not this.\n"


class _BlockStrings(yaml.SafeDumper):
    """Multi-line strings (the drain program) as YAML literal blocks, readable in a review."""


_BlockStrings.add_representer(
    str,
    lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None),
)


def to_yaml(body: dict[str, Any]) -> str:
    return HEADER + yaml.dump(body, Dumper=_BlockStrings, sort_keys=False, width=120)


def check_outdir(outdir: Path) -> None:
    """Refuse, before any work, a folder the kit would replace but did not write."""
    if outdir.exists() and any(outdir.iterdir()) and not (outdir / MARKER).exists():
        click.echo(
            f"Error: --outdir {str(outdir)!r} is not empty and was not written by hfkit manifests (no {MARKER}); "
            "allowed: a new or empty folder, or one hfkit manifests wrote",
            err=True,
        )
        sys.exit(2)


def write_manifests(manifests: list[Manifest], outdir: Path) -> None:
    """Replace `outdir` with the manifests, one folder per deployment; nothing is half-written."""
    outdir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".hfkit-manifests-", dir=outdir.parent))
    try:
        for manifest in manifests:
            folder = staging / manifest.folder
            folder.mkdir(exist_ok=True)
            (folder / manifest.filename).write_text(to_yaml(manifest.body), encoding="utf-8")
        (staging / MARKER).write_text("Folders of Kubernetes manifests, one per deployment.\n", encoding="utf-8")
        if outdir.exists():
            shutil.rmtree(outdir)
        staging.rename(outdir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@click.command("manifests")
@click.option("--config", "-c", type=click.Path(dir_okay=False), help=CONFIG_OPTION_HELP)
@click.option(
    "--outdir", type=click.Path(file_okay=False), default="manifests", show_default=True, help="Where to write."
)
def manifests(config: str | None, outdir: str) -> None:
    """Write the serving stack's Kubernetes objects as YAML, one folder per deployment (plus `metrics-adapter`)."""
    env = load_or_exit(config)
    if not env.deployments:
        click.echo(
            "Error: the environment has no deployments, so there is nothing to render; "
            "allowed: add one with hfkit serve",
            err=True,
        )
        sys.exit(2)
    check_outdir(Path(outdir))
    from scripts.synth import synthesize  # heavy: imports the provider bindings

    with tempfile.TemporaryDirectory(prefix="hfkit-synth-") as tmp:
        synthesize(env, Path(tmp))
        stacks = {p.name: json.loads((p / "cdk.tf.json").read_text()) for p in (Path(tmp) / "stacks").iterdir()}
    try:
        rendered = Renderer(stacks).manifests()
    except RenderError as exc:
        click.echo(f"Error: cannot render the serving stack: {exc}", err=True)
        sys.exit(1)
    write_manifests(rendered, Path(outdir))
    folders = sorted({m.folder for m in rendered})
    click.echo(f"wrote {len(rendered)} manifests into {outdir}/: {', '.join(folders)}")
