"""Benchmark `hfkit stage` against the two-hop baseline (snapshot_download to disk, then upload the directory), on
loopback: both are bound by the CPU here, not by a link (bench/stage_shaped.py measures shaped links).

Both run as separate processes against the same local Hub server (tests/stage/hub_server.py, serving files from
disk with sendfile and redirecting LFS files to its CDN origin) and the same fast GCS sink (bench/stage_sink.py;
fake-gcs-server ingests only ~100 MiB/s and would hide any difference). For each process it prints throughput
(model bytes / wall time, process start to exit), CPU seconds (user+system), peak RSS and local disk written, then
the ratios. hfkit runs with its default settings. It prints figures and asserts nothing.

    .venv/bin/python bench/stage.py               # 1 GiB: 4 x 256 MiB safetensors + configs, 3 rounds
    .venv/bin/python bench/stage.py --size-gib 8 --skip-baseline  # 4 x 2 GiB: peak RSS should not move
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.stage.hub_server import HubServer  # noqa: E402

MiB = 1 << 20
REPO = "bench/synthetic-1b"


@dataclass
class Figures:
    name: str
    wall_s: float
    cpu_s: float
    peak_rss_mib: float
    disk_written_mib: float
    detail: str

    def throughput(self, size: int) -> float:
        return size / MiB / self.wall_s


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_model(folder: Path, size_gib: float, shards: int = 4) -> dict[str, Path]:
    """`shards` safetensors shards of size_gib/shards each, plus the small files a real checkpoint carries."""
    folder.mkdir(parents=True)
    shard = int(size_gib * 1024 * MiB) // shards
    block = bytearray(os.urandom(16 * MiB))
    files: dict[str, Path] = {}
    for i in range(1, shards + 1):
        path = folder / f"model-{i:05d}-of-{shards:05d}.safetensors"
        with path.open("wb") as fh:
            written = 0
            while written < shard:
                block[:8] = (written + i * (1 << 40)).to_bytes(8, "little")  # every block differs a little
                n = min(len(block), shard - written)
                fh.write(block[:n])
                written += n
        files[path.name] = path
    small = {
        "config.json": json.dumps({"model_type": "llama", "hidden_size": 2048}).encode(),
        "generation_config.json": b'{"do_sample": true}',
        "tokenizer.json": os.urandom(2 * MiB).hex().encode()[: 3 * MiB],
        "tokenizer_config.json": b"{}",
        "model.safetensors.index.json": json.dumps({"weight_map": {f"w{i}": f"s{i}" for i in range(500)}}).encode(),
    }
    for name, data in small.items():
        (folder / name).write_bytes(data)
        files[name] = folder / name
    return files


def measure(name: str, cmd: list[str], env: dict[str, str], scratch: Path) -> tuple[Figures, str]:
    """Run one process; CPU and peak RSS come from wait4's rusage, disk writes from /proc/PID/io."""
    out, err = scratch / f"{name}.out", scratch / f"{name}.err"
    started = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=stdout, stderr=stderr)
    written = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            try:
                for line in Path(f"/proc/{proc.pid}/io").read_text().splitlines():
                    if line.startswith("write_bytes:"):
                        written[0] = max(written[0], int(line.split()[1]))
            except OSError:
                pass
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed ({proc.returncode}):\n{err.read_text()[-3000:]}")
    figures = Figures(name, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, written[0] / MiB, "")
    return figures, out.read_text()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-gib", type=float, default=1.0, help="model size (4 equal safetensors shards)")
    parser.add_argument("--workers", type=int, default=8, help="the baseline's parallel files (hfkit: its defaults)")
    parser.add_argument("--runs", type=int, default=3, help="rounds; each runs both contenders, order alternating")
    parser.add_argument("--skip-baseline", action="store_true", help="measure hfkit only")
    args = parser.parse_args()

    rounds: list[list[Figures]] = []
    with tempfile.TemporaryDirectory(prefix="hfkit-bench-") as tmp:
        work = Path(tmp)
        print(f"generating a {args.size_gib:g} GiB synthetic model ...", flush=True)
        files = make_model(work / "hub", args.size_gib)
        size = sum(p.stat().st_size for p in files.values())
        hub = HubServer(page_size=1000).start()
        hub.add_repo(REPO, files)
        sink, port = start_sink()
        try:
            scratch = work / "scratch"
            scratch.mkdir()
            env = contender_env(hub.url, port, scratch)
            for n in range(args.runs):
                contenders = [run_hfkit] if args.skip_baseline else [run_hfkit, run_baseline]
                if n % 2:
                    contenders.reverse()  # neither contender always runs first on a warm or a cold machine
                measured = {f.name: f for f in (c(REPO, f"r{n}", size, env, scratch, args.workers) for c in contenders)}
                rounds.append([measured[name] for name in ("hfkit stage", "baseline") if name in measured])
                print_round(n + 1, rounds[-1], size)
        finally:
            sink.kill()
            sink.wait()
            hub.stop()

    print(f"\nmodel: {size / MiB:.0f} MiB in {len(files)} files; {os.cpu_count()} CPUs; loopback Hub + GCS sink")
    if len(rounds[0]) == 2:
        ratios = [(h.throughput(size) / b.throughput(size), h.cpu_s / b.cpu_s, h.peak_rss_mib / b.peak_rss_mib)
                  for h, b in rounds]  # fmt: skip
        print(f"throughput ratio per round: {', '.join(f'x{t:.2f}' for t, _, _ in ratios)}")
        throughput, cpu, rss = (statistics.median(column) for column in zip(*ratios, strict=True))
        print(
            f"hfkit vs baseline, median of {len(rounds)} rounds: throughput x{throughput:.2f}, CPU x{cpu:.2f}, "
            f"peak RSS x{rss:.2f}, "
            f"disk {max(h.disk_written_mib for h, _ in rounds):.0f} vs "
            f"{min(b.disk_written_mib for _, b in rounds):.0f} MiB"
        )


def start_sink(link: str | None = None) -> tuple[subprocess.Popen[bytes], int]:
    """The GCS sink as its own process (optionally shaped, see bench/shaping.py); returns it and its port."""
    port = free_port()
    cmd = [sys.executable, str(ROOT / "bench/stage_sink.py"), str(port), *(["--link", link] if link else [])]
    sink = subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=ROOT)
    assert sink.stdout is not None and sink.stdout.readline().strip() == b"ready"
    return sink, port


def contender_env(hub_url: str, port: int, scratch: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HF_ENDPOINT": hub_url,
        "STORAGE_EMULATOR_HOST": f"http://127.0.0.1:{port}",
        "HF_HOME": str(scratch / "hf-home"),
        "HF_HUB_DISABLE_XET": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "TMPDIR": str(scratch),
    }
    env.pop("HF_TOKEN", None)
    return env


def run_hfkit(repo: str, tag: str, size: int, env: dict[str, str], scratch: Path, _workers: int = 0) -> Figures:
    """Stage into a fresh prefix per run (`tag`), so every run uploads everything; hfkit's default settings."""
    cmd = [
        sys.executable, "-c", "from scripts.cli import main; main(prog_name='hfkit')",
        "stage", repo, "--bucket", "bench", "--prefix", f"hfkit-{tag}", "--json",
    ]  # fmt: skip
    figures, output = measure("hfkit stage", cmd, env, scratch)
    doc = json.loads(output)
    assert doc["status"] == "staged" and doc["total_size"] == size, doc
    figures.detail = f"{len(doc['files'])} files verified (sha256/git sha1) + manifest"
    return figures


def run_baseline(repo: str, tag: str, size: int, env: dict[str, str], scratch: Path, workers: int) -> Figures:
    local_dir = scratch / f"baseline-download-{tag}"
    cmd = [sys.executable, str(ROOT / "bench/stage_baseline.py"), repo, "bench", f"baseline-{tag}/", str(local_dir),
           str(workers)]  # fmt: skip
    figures, output = measure("baseline", cmd, env, scratch)
    phases = json.loads(output)
    figures.detail = (
        f"download {phases['download_s']:.1f}s + upload {phases['upload_s']:.1f}s; "
        f"{phases['disk_bytes'] / MiB:.0f} MiB left on disk"
    )
    shutil.rmtree(local_dir, ignore_errors=True)
    return figures


def print_round(number: int, results: list[Figures], size: int) -> None:
    print(f"\nround {number}")
    print(f"{'':<12} {'MiB/s':>8} {'wall s':>8} {'CPU s':>8} {'peak RSS MiB':>13} {'disk MiB':>9}  detail")
    for r in results:
        print(
            f"{r.name:<12} {r.throughput(size):>8.0f} {r.wall_s:>8.2f} {r.cpu_s:>8.2f} {r.peak_rss_mib:>13.0f} "
            f"{r.disk_written_mib:>9.0f}  {r.detail}",
            flush=True,
        )


if __name__ == "__main__":
    main()
