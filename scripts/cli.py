"""The `hfkit` command line.

Each subcommand lives in its own module and is imported lazily by click where it is heavy: `hfkit stage` must start
in well under a second, so nothing here imports cdktf or the google provider bindings at module level.
"""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hfkit")
def main() -> None:
    """hfkit: Hugging Face models on Google Cloud TPU v5e and GPUs, as code."""


# Registered here, implemented in their own modules; none of these imports pulls in cdktf.
from scripts.config_commands import schema, validate  # noqa: E402
from scripts.cost.command import cost  # noqa: E402
from scripts.diff.command import diff  # noqa: E402
from scripts.stage.command import stage  # noqa: E402
from scripts.synth import synth  # noqa: E402

main.add_command(validate)
main.add_command(schema)
main.add_command(synth)
main.add_command(stage)
main.add_command(cost)
main.add_command(diff)
