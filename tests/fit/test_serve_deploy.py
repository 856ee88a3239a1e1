"""`hfkit serve --deploy` when the deploy fails: exit 1 with the environment file already written (the README's
serve row says so), and one line, not a traceback, when `npx` is missing. A stand-in `npx` on PATH plays cdktf."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import yaml

from tests.fit.staged import stage_model
from tests.fit.test_fit_gcs import TINY
from tests.fit.test_serve import example_file
from tests.stage.conftest import Env, cli
from tests.stage.hub_server import HubServer


def with_path(env: Env, path: str) -> Env:
    return replace(env, vars={**env.vars, "PATH": path})


def test_a_failed_deploy_exits_1_after_writing_the_file(env: Env, hub: HubServer, tmp_path: Path) -> None:
    stage_model(env, hub, "acme/Tiny-Chat", {**TINY, "vocab_size": 512})
    config = example_file(tmp_path, env.bucket)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    npx = bin_dir / "npx"
    npx.write_text('#!/bin/sh\necho "npx $* with HFKIT_CONFIG=$HFKIT_CONFIG" > "$(dirname "$0")/called"\nexit 7\n')
    npx.chmod(0o755)

    args = ("serve", "acme/Tiny-Chat", "--pool", "l4-x1", "--deploy", "-c", str(config))
    result = cli(with_path(env, f"{bin_dir}{os.pathsep}{os.environ['PATH']}"), *args)

    assert result.exit_code == 1
    assert (bin_dir / "called").read_text() == f"npx cdktf deploy serving with HFKIT_CONFIG={config.resolve()}\n"
    assert [d["name"] for d in yaml.safe_load(config.read_text())["deployments"]] == ["tiny-chat"]

    missing = cli(with_path(env, str(tmp_path / "empty")), *args)
    assert missing.exit_code == 1
    assert missing.stderr == "Error: --deploy: cannot run npx: No such file or directory; allowed: install Node.js\n"
