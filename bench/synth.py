"""Synthesis cost of the kit against its floor, measured side by side in one run.

floor: a fresh process that only imports cdktf and the provider modules the kit uses (the price of the bindings).
kit:   a fresh process running the cdktf app (`main.py`, what `cdktf synth` runs) on the example environment, writing
       every stack.
Runs alternate (floor, kit, floor, kit ...) so machine noise hits both alike; prints medians and the kit/floor ratio
for wall time and peak RSS. Target: ratio <= 1.15.

    python bench/synth.py [--runs N] [--config PATH]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def provider_modules() -> list[str]:
    """Every cdktf_cdktf_provider_google submodule imported by modules/ and stacks/."""
    found: set[str] = set()
    for path in [*REPO.glob("modules/**/*.py"), *REPO.glob("stacks/**/*.py")]:
        found.update(re.findall(r"cdktf_cdktf_provider_google\.(\w+)", path.read_text()))
    return sorted(found)


def measure(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark child failed: {' '.join(argv)}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each (default 5)")
    parser.add_argument("--config", default=str(REPO / "hfkit.yaml"), help="environment file to synthesize")
    args = parser.parse_args()

    imports = "import cdktf, constructs\n" + "".join(
        f"import cdktf_cdktf_provider_google.{m}\n" for m in provider_modules()
    )
    floor_cmd = [sys.executable, "-c", imports]
    kit_cmd = [sys.executable, "main.py"]
    results: dict[str, list[tuple[float, float]]] = {"floor": [], "kit": []}
    with tempfile.TemporaryDirectory() as out:
        env = {
            **os.environ,
            "HFKIT_CONFIG": args.config,
            "CDKTF_OUTDIR": out,
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        }
        measure(floor_cmd, env)  # warm the jsii package cache and the page cache for both
        for _ in range(args.runs):
            results["floor"].append(measure(floor_cmd, env))
            results["kit"].append(measure(kit_cmd, env))
        stacks = sorted(p.name for p in (Path(out) / "stacks").iterdir())

    print(f"synthesized {len(stacks)} stacks ({', '.join(stacks)}) of {args.config}, {args.runs} runs each")
    print(f"provider modules imported: {len(provider_modules())}")
    print(f"{'':8}{'wall s (median)':>18}{'min':>8}{'max':>8}{'peak RSS MiB (median)':>24}")
    medians = {}
    for name, runs in results.items():
        walls = [w for w, _ in runs]
        rss = [r for _, r in runs]
        medians[name] = (statistics.median(walls), statistics.median(rss))
        print(f"{name:8}{medians[name][0]:>18.2f}{min(walls):>8.2f}{max(walls):>8.2f}{medians[name][1]:>24.0f}")
    wall_ratio = medians["kit"][0] / medians["floor"][0]
    rss_ratio = medians["kit"][1] / medians["floor"][1]
    print(
        f"kit/floor: wall {wall_ratio:.3f}x (+{(wall_ratio - 1) * 100:.1f}%), peak RSS {rss_ratio:.3f}x "
        f"(+{(rss_ratio - 1) * 100:.1f}%); target <= 1.15x"
    )


if __name__ == "__main__":
    main()
