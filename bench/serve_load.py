"""`cfai serve` under load, and the gate's wall time: one bounded run, numbers to stdout and bench/serve-results.json.

    .venv/bin/python bench/serve_load.py [--requests 10000] [--threads 4]

The mock runs as `cfai serve` in its own process (so its RSS is its own); the load generator is
httpx in `--threads` threads with keep-alive, each POSTing the same valid chat completion (a
generated answer, so the whole path runs: auth, body checks, validation, generation, validation of
the answer). RSS is read from /proc before the first and after the last request. The gate runs
`cfai gate --base-url` against tests/catalog_server.py (the seed schemas plus ../shared/catalog),
so its time is the pipeline's, not the internet's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BODY = {"model": "openai/gpt-5.5", "messages": [{"role": "user", "content": "How fast is the mock?"}]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait_up(url: str, deadline: float = 20.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            httpx.get(url, timeout=0.5)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise SystemExit(f"nothing answers at {url}")


def load(requests: int, threads: int) -> dict[str, float]:
    port = free_port()
    server = subprocess.Popen([BIN / "cfai", "serve", "--port", str(port)], stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/client/v4/accounts/bench/ai/v1/chat/completions"
    try:
        wait_up(f"http://127.0.0.1:{port}/")
        with httpx.Client(headers={"Authorization": "Bearer bench"}) as warm:
            assert warm.post(base, json=BODY).status_code == 200
        before = rss_mib(server.pid)
        latencies: list[float] = []
        failures = 0
        lock = threading.Lock()

        def worker(count: int) -> None:
            nonlocal failures
            mine, bad = [], 0
            with httpx.Client(headers={"Authorization": "Bearer bench"}, timeout=10) as client:
                for _ in range(count):
                    started = time.perf_counter()
                    bad += client.post(base, json=BODY).status_code != 200
                    mine.append(time.perf_counter() - started)
            with lock:
                latencies.extend(mine)
                failures += bad

        started = time.perf_counter()
        pool = [threading.Thread(target=worker, args=(requests // threads,)) for _ in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        elapsed = time.perf_counter() - started
        after = rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(10)
    latencies.sort()
    return {
        "requests": len(latencies),
        "failures": failures,
        "seconds": round(elapsed, 2),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "latency_p50_ms": round(statistics.median(latencies) * 1000, 2),
        "latency_p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
        "rss_mib_before": round(before, 1),
        "rss_mib_after": round(after, 1),
    }


def gate_time(cold: bool) -> dict[str, float | int]:
    """One `cfai gate` run; `cold`: with the generator's cache off (CFAI_NO_CACHE=1), as on a fresh CI runner."""
    port = free_port()
    roots = [str(ROOT / "schemas"), *([str(ROOT.parent / "shared" / "catalog")] if (ROOT.parent / "shared").is_dir() else [])]
    catalog = subprocess.Popen(
        [sys.executable, "-m", "tests.catalog_server", *roots, "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL
    )
    try:
        wait_up(f"http://127.0.0.1:{port}/")
        started = time.perf_counter()
        done = subprocess.run(
            [BIN / "cfai", "gate", "--base-url", f"http://127.0.0.1:{port}", "--json"],
            check=False, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **({"CFAI_NO_CACHE": "1"} if cold else {})},
        )
        elapsed = time.perf_counter() - started
    finally:
        catalog.terminate()
        catalog.wait(10)
    report = json.loads(done.stdout)
    return {"seconds": round(elapsed, 2), "exit_code": done.returncode, "models": len(report["models"]),
            **{f"{k}_seconds": v for k, v in report["seconds"].items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    results = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "serve": load(args.requests, args.threads),
        "gate_cold": gate_time(cold=True),
        "gate_warm": gate_time(cold=False),
    }
    print(json.dumps(results, indent=2))
    (ROOT / "bench" / "serve-results.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
