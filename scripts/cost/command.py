"""`hfkit cost`: estimate the accelerator pools of one environment (no synthesis, no cloud calls)."""

from __future__ import annotations

import click

from scripts.config_commands import CONFIG_OPTION_HELP, load_or_exit
from scripts.cost.estimate import estimate, usage_from_environment
from scripts.cost.prices import load_prices
from scripts.cost.render import RENDERERS

FORMAT_OPTION = click.option(
    "--format", "fmt", type=click.Choice(list(RENDERERS)), default="text", show_default=True, help="Output format."
)


@click.command()
@click.option("--config", "-c", type=click.Path(dir_okay=False), help=CONFIG_OPTION_HELP)
@FORMAT_OPTION
def cost(config: str | None, fmt: str) -> None:
    """Hourly and monthly cost of every pool at min and max nodes, from the dated price table; unknowns are said."""
    env = load_or_exit(config)
    click.echo(RENDERERS[fmt](estimate(usage_from_environment(env), load_prices())), nl=False)
