"""`hfkit synth`: run the cdktf app for one environment, then summarize what each stack declares."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from modules.config import Environment
from scripts.config_commands import CONFIG_OPTION_HELP, load_or_exit
from scripts.summary import pools, read_stacks, stack_lines
from stacks.ids import BOOTSTRAP, SERVING, STACK_IDS, in_order


def synthesize(env: Environment, outdir: Path) -> None:
    """Same output as `cdktf synth` (the CLI only runs main.py), without the Node start-up."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from cdktf import App  # heavy: imported only when synthesizing

    from stacks.app import build_stacks, stack_ids

    app = App(outdir=str(outdir))
    build_stacks(app, env)
    app.synth()
    assert sorted(stack_ids(env)) == sorted(p.name for p in (outdir / "stacks").iterdir())


def print_summary(console: Console, outdir: Path) -> None:
    stacks = read_stacks(outdir)
    for stack_id in in_order(stacks, (BOOTSTRAP, *STACK_IDS, SERVING)):
        stack = stacks[stack_id]
        console.print(f"[bold]{stack_id}[/bold]")
        for line in stack_lines(stack_id, stack):
            console.print(f"  {line}", highlight=False)
        summaries = pools(stack)
        if summaries:
            table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 2))
            for column in ("pool", "machine type", "accelerator", "topology", "per node", "nodes", "capacity", "zones"):
                table.add_column(column)
            for p in summaries:
                table.add_row(
                    p.name,
                    p.machine_type,
                    p.accelerator,
                    p.topology if p.slice_chips is None else f"{p.topology} ({p.slice_chips} chips)",
                    str(p.chips_or_gpus_per_node),
                    p.nodes,
                    p.capacity,
                    p.zones,
                )
            console.print(table)


@click.command()
@click.option("--config", "-c", type=click.Path(dir_okay=False), help=CONFIG_OPTION_HELP)
@click.option(
    "--outdir", type=click.Path(file_okay=False), default="cdktf.out", show_default=True, help="Where to write."
)
def synth(config: str | None, outdir: str) -> None:
    """Synthesize every stack of the environment (like `npx cdktf synth`) and print a summary per stack."""
    env = load_or_exit(config)
    started = time.perf_counter()
    synthesize(env, Path(outdir))
    console = Console(width=160)
    console.print(
        f"Synthesized environment {env.environment!r} ({env.project}, {env.region}) into {outdir}/stacks "
        f"in {time.perf_counter() - started:.1f} s",
        highlight=False,
    )
    print_summary(console, Path(outdir))
