"""The drain before a model server stops: LLM responses stream for minutes, so SIGTERM must wait for them.

When a pod starts terminating, Kubernetes takes it out of its Service's endpoints (no new requests), then runs the
preStop hook, then sends SIGTERM. The hook polls the engine's own metrics on localhost and returns once no request
is running or queued, or after `deadline` seconds; the engine then exits on SIGTERM with nothing in flight. It
runs with the image's python3 (every engine image has one) and the standard library only, so nothing is installed.
"""

from __future__ import annotations

DRAIN_PROGRAM = """\
import time, urllib.request
names = {names!r}
deadline = time.monotonic() + {deadline}
time.sleep({settle})
while time.monotonic() < deadline:
    try:
        text = urllib.request.urlopen("http://127.0.0.1:{port}{path}", timeout=5).read().decode()
    except Exception:
        break
    busy = 0.0
    for line in text.splitlines():
        if line and not line.startswith("#") and line.split("{{")[0].split(" ")[0] in names:
            busy += float(line.rsplit(" ", 1)[1])
    if busy == 0:
        break
    time.sleep({poll})
"""


def drain_command(metrics: tuple[str, ...], port: int, path: str, deadline: int, settle: int, poll: int) -> list[str]:
    """The preStop exec command: wait until the sum of `metrics` on the engine's metrics endpoint is 0 (or the
    endpoint is gone), at most `deadline` seconds."""
    program = DRAIN_PROGRAM.format(
        names=tuple(metrics), deadline=deadline, settle=settle, port=port, path=path, poll=poll
    )
    return ["python3", "-c", program]
