"""Benchmark `hfkit stage` against the two-hop baseline on shaped links: where real staging is bound by the network.

The local Hub server (tests/stage/hub_server.py) and GCS sink (bench/stage_sink.py) both get a `Link`
(bench/shaping.py): a token bucket per connection, one shared bucket per server, and a fixed latency before each
response's first byte. Defaults: 25 MiB/s per connection, 100 MiB/s in total, 20 ms per request (`--link`). With the
total at 100 MiB/s the two CPU cores are not the limit: the link is.

First it shows that the shaping works: one stream from each server gets about its per-connection cap, eight streams
get about the total, and a small request takes about the latency. Then, in rounds whose order alternates, it stages
each repo shape with hfkit (default settings) and with the baseline and prints, per shape, the medians of: wall
time (process start to exit), throughput, the fraction of the physical limit reached (limit = total bytes / total
cap: the time the bytes need on this link if nothing else cost anything), their ratio, and hfkit's peak RSS.

Shapes (each plus config, generation config, tokenizer (3 MiB), tokenizer config and index files):
    one      1 x 512 MiB  (a single consolidated checkpoint or GGUF)
    four     4 x 128 MiB  (a sharded checkpoint)
    many     64 x 8 MiB   (many small shards)
    thousand 1,000 x 1 MiB (memory with very many small files; not in the default set)
    eight-gib 4 x 2 GiB  (peak RSS must not grow with the model; not in the default set)

    .venv/bin/python bench/stage_shaped.py --runs 3
    .venv/bin/python bench/stage_shaped.py --shapes thousand,eight-gib --runs 1 --skip-baseline
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.shaping import Link  # noqa: E402
from bench.stage import Figures, contender_env, run_baseline, run_hfkit, start_sink  # noqa: E402
from tests.stage.hub_server import HubFile, HubServer  # noqa: E402

MiB = 1 << 20
SHAPES = {"one": (1, 512), "four": (4, 128), "many": (64, 8), "thousand": (1000, 1), "eight-gib": (4, 2048)}


def make_shape(folder: Path, count: int, size_mib: int) -> dict[str, Path]:
    """`count` safetensors of `size_mib` each (every block distinct), plus the small files of a checkpoint."""
    folder.mkdir(parents=True)
    block = bytearray(os.urandom(MiB))
    files: dict[str, Path] = {}
    for i in range(1, count + 1):
        path = folder / f"model-{i:05d}-of-{count:05d}.safetensors"
        with path.open("wb") as fh:
            for j in range(size_mib):
                block[:16] = i.to_bytes(8, "little") + j.to_bytes(8, "little")
                fh.write(block)
        files[path.name] = path
    small = {
        "config.json": b'{"model_type": "llama", "hidden_size": 4096}',
        "generation_config.json": b'{"do_sample": true}',
        "tokenizer.json": os.urandom(2 * MiB).hex().encode()[: 3 * MiB],
        "tokenizer_config.json": b"{}",
        "model.safetensors.index.json": b'{"weight_map": {}}',
    }
    for name, data in small.items():
        (folder / name).write_bytes(data)
        files[name] = folder / name
    return files


def calibrate(hub: HubServer, sink_port: int, largest: HubFile, link: Link) -> None:
    """Show the shaping: single-stream and 8-stream throughput on each server, and one small request's time.
    Each stream moves up to 32 MiB (8 streams read 8 ranges of the largest LFS file, wrapping around if it is short)."""
    size = largest.size
    chunk = min(size, 32 * MiB)
    cdn = f"{hub.cdn_url}/lfs/{largest.sha256}"

    def get(i: int) -> int:
        start = (i * chunk) % max(1, size - chunk + 1)
        with requests.get(cdn, headers={"Range": f"bytes={start}-{start + chunk - 1}"}, stream=True) as r:
            return sum(len(b) for b in r.iter_content(MiB))

    def put(i: int) -> int:
        base = f"http://127.0.0.1:{sink_port}/bench/calibration-{i}"
        upload = requests.post(base + "?uploads", data=b"").text.split("<UploadId>")[1].split("<")[0]
        requests.put(f"{base}?partNumber=1&uploadId={upload}", data=bytes(chunk)).raise_for_status()
        requests.delete(f"{base}?uploadId={upload}")
        return chunk

    print(f"link: {link}")
    for name, call in (("Hub CDN GET", get), ("GCS sink PUT", put)):
        for streams in (1, 8):
            started = time.monotonic()
            with ThreadPoolExecutor(streams) as pool:
                moved = sum(pool.map(call, range(streams)))
            rate = moved / MiB / (time.monotonic() - started)
            print(f"  {name:<13} {streams} stream{'s' if streams > 1 else ' '}: {rate:6.1f} MiB/s")
    started = time.monotonic()
    requests.head(f"{hub.url}/api/models/bench/x/revision/main")
    print(f"  one small request: {(time.monotonic() - started) * 1000:.0f} ms")


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--link", default="25,100,20", help="PER_CONN_MIB,TOTAL_MIB,LATENCY_MS for both servers")
    parser.add_argument("--shapes", default="one,four,many", help=f"comma-separated, of {', '.join(SHAPES)}")
    parser.add_argument("--runs", type=int, default=3, help="rounds; each runs both contenders, order alternating")
    parser.add_argument("--workers", type=int, default=8, help="the baseline's parallel files")
    parser.add_argument("--skip-baseline", action="store_true", help="measure hfkit only")
    args = parser.parse_args()
    link = Link.parse(args.link)
    shapes = args.shapes.split(",")
    print(f"{os.cpu_count()} CPUs, {load()} at start", flush=True)

    results: dict[str, list[list[Figures]]] = {shape: [] for shape in shapes}
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="hfkit-shaped-") as tmp:
        work = Path(tmp)
        hub = HubServer(page_size=1000, link=link).start()
        sink, port = start_sink(args.link)
        try:
            repos, largest = {}, None
            for shape in shapes:
                count, size_mib = SHAPES[shape]
                files = make_shape(work / "hub" / shape, count, size_mib)
                repos[shape] = f"bench/{shape}"
                commit = hub.add_repo(repos[shape], files)
                sizes[shape] = sum(p.stat().st_size for p in files.values())
                lfs = (f for f in hub.repos[repos[shape]].commits[commit].values() if f.lfs)
                biggest = max(lfs, key=lambda f: f.size)
                largest = biggest if largest is None or biggest.size > largest.size else largest
            assert largest is not None
            calibrate(hub, port, largest, link)
            scratch = work / "scratch"
            scratch.mkdir()
            env = contender_env(hub.url, port, scratch)
            for n in range(args.runs):
                for shape in shapes:
                    contenders = [run_hfkit] if args.skip_baseline else [run_hfkit, run_baseline]
                    if n % 2:
                        contenders.reverse()
                    measured = {
                        f.name: f for f in (c(repos[shape], f"{shape}-{n}", sizes[shape], env, scratch, args.workers)
                                            for c in contenders)
                    }  # fmt: skip
                    results[shape].append([measured[k] for k in ("hfkit stage", "baseline") if k in measured])
                    print_run(n + 1, shape, results[shape][-1], sizes[shape], link)
        finally:
            sink.kill()
            sink.wait()
            hub.stop()

    print(f"\nmedians over {args.runs} rounds ({link}); {load()} at the end")
    print(f"{'shape':<9} {'MiB':>6} {'limit s':>8} {'hfkit s':>8} {'MiB/s':>6} {'of limit':>9} {'base s':>7} "
          f"{'MiB/s':>6} {'of limit':>9} {'ratio':>6} {'hfkit RSS':>10}")  # fmt: skip
    for shape in shapes:
        size, rounds = sizes[shape], results[shape]
        limit = size / link.total
        hfkit = statistics.median(r[0].wall_s for r in rounds)
        rss = statistics.median(r[0].peak_rss_mib for r in rounds)
        line = f"{shape:<9} {size / MiB:>6.0f} {limit:>8.2f} {hfkit:>8.2f} {size / MiB / hfkit:>6.1f}"
        line += f" {limit / hfkit:>9.1%}"
        if len(rounds[0]) == 2:
            base = statistics.median(r[1].wall_s for r in rounds)
            ratios = [r[1].wall_s / r[0].wall_s for r in rounds]
            line += f" {base:>7.2f} {size / MiB / base:>6.1f} {limit / base:>9.1%} x{statistics.median(ratios):>5.2f}"
        print(line + f" {rss:>8.0f} MiB")


def print_run(number: int, shape: str, results: list[Figures], size: int, link: Link) -> None:
    limit = size / link.total
    for r in results:
        print(
            f"round {number} {shape:<8} {r.name:<12} {r.wall_s:>7.2f} s {size / MiB / r.wall_s:>6.1f} MiB/s "
            f"{limit / r.wall_s:>6.1%} of limit  CPU {r.cpu_s:>5.2f} s  peak RSS {r.peak_rss_mib:>4.0f} MiB  "
            f"{r.detail}",
            flush=True,
        )


if __name__ == "__main__":
    main()
