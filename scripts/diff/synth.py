"""Synthesize a source tree with that tree's own code, in a subprocess, without credentials.

Each tree runs its own `main.py` (the code of the base ref may differ from this checkout's), with the same Python
environment; `CDKTF_OUTDIR` makes main.py write what `cdktf synth` would. Both trees synthesize at once: each pays
the ~10 s provider import, and they run on separate cores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class SynthError(Exception):
    """A tree failed to synthesize; the message ends with the last lines of its stderr."""


@dataclass(frozen=True)
class SynthJob:
    """One tree to synthesize: `config` None means the environment file does not exist there (nothing deployed)."""

    label: str
    tree: Path
    config: Path | None
    outdir: Path


def _start(job: SynthJob) -> subprocess.Popen[str] | None:
    if job.config is None:
        return None
    env = {
        **os.environ,
        "CDKTF_OUTDIR": str(job.outdir),
        "HFKIT_CONFIG": str(job.config),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    return subprocess.Popen(
        [sys.executable, "main.py"],
        cwd=job.tree,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_stacks(outdir: Path) -> dict[str, dict[str, Any]]:
    stacks = outdir / "stacks"
    return {p.name: json.loads((p / "cdk.tf.json").read_text()) for p in sorted(stacks.iterdir()) if p.is_dir()}


def synthesize_all(jobs: list[SynthJob]) -> list[dict[str, dict[str, Any]]]:
    """Stack id -> cdk.tf.json for every job, in order; an environment missing from a tree has no stacks."""
    running = [(job, _start(job)) for job in jobs]
    finished = [(job, process, process.communicate()[1] if process else "") for job, process in running]
    results = []
    for job, process, stderr in finished:
        if process is None:
            results.append({})
            continue
        if process.returncode != 0:
            tail = " | ".join(stderr.strip().splitlines()[-3:])
            raise SynthError(f"synthesizing {job.label} ({job.config}) failed: {tail}")
        results.append(read_stacks(job.outdir))
    return results
