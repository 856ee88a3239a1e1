"""The `hfkit` command line.

Each subcommand lives in its own module and is imported only when it runs (or when help lists it): `hfkit stage`
must not pay for pydantic config models, cdktf or the provider bindings it never uses. Register a command by adding
`name: "module:attribute"` to COMMANDS.
"""

from __future__ import annotations

import importlib

import click

COMMANDS: dict[str, str] = {
    "validate": "scripts.config_commands:validate",
    "schema": "scripts.config_commands:schema",
    "synth": "scripts.synth:synth",
    "stage": "scripts.stage.command:stage",
    "cost": "scripts.cost.command:cost",
    "diff": "scripts.diff.command:diff",
    "fit": "scripts.fit.command:fit_command",
    "serve": "scripts.serve.command:serve",
    "manifests": "scripts.manifests.command:manifests",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, attribute = COMMANDS[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hfkit")
def main() -> None:
    """hfkit: Hugging Face models on Google Cloud TPU v5e and GPUs, as code."""
