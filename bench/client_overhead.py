"""The client's per-call overhead over raw httpx, against the same local server; and, in the same
run, the fault table's size and one 429 case retried with real sleeping.

    .venv/bin/python bench/client_overhead.py [--calls 300]

Both sides POST the recorded gpt-5.5 "basic" request body to `/ai/v1/chat/completions` on a
`tests.servers.ScriptServer` on 127.0.0.1 that answers with the recorded response, over one kept-alive
connection each. Raw: `httpx.Client.post(...)` then `.json()`. Client: `Client.chat_completions(...)`
(validate the payload, POST, parse, validate the answer against the output schema, build the pydantic
model). Calls alternate between the two so that drift hits both alike; medians are compared. Also
timed without the network: the client's own steps on the same payload and answer. The 429 case
(tests/faults/rate-limit-429-retry-after-then-success.json: Retry-After: 1, then the answer) runs
with the real `time.sleep`, wrapped to record each wait. Results are printed and written to
bench/.runs/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.servers (the fault server), which is not installed

import httpx

from cfai._http import bindings_for
from cfai.client import Client
from cfai.validate import default_registry
from tests.servers import ScriptServer, json_reply

RECORDING = ROOT / "tests" / "recordings" / "openai" / "gpt-5.5" / "basic.json"
FAULTS = ROOT / "tests" / "faults"


def retried_429(case: dict[str, Any]) -> dict[str, Any]:
    """The 429-then-success fault case, sleeping for real; what the client did and how long it took."""
    fault = json.loads((FAULTS / "rate-limit-429-retry-after-then-success.json").read_text(encoding="utf-8"))
    first = fault["replies"][0]
    replies = [json_reply(first["status"], first["json"], first["headers"]), json_reply(200, case["response"])]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    with ScriptServer(replies) as server, Client("acct", "bench", base_url=f"{server.url}/client/v4", sleep=sleep) as client:
        start = time.perf_counter()
        answer = client.chat_completions(**case["request"])
        took = time.perf_counter() - start
        statuses = [429, answer.status_code]
    return {"retry_after_header": first["headers"]["Retry-After"], "statuses": statuses, "attempts": answer.attempts,
            "waits_s": list(answer.waits), "slept_s": slept, "wall_s": round(took, 3), "requests_served": len(server.log)}


def median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()

    case = json.loads(RECORDING.read_text(encoding="utf-8"))
    request: dict[str, Any] = case["request"]
    body = json.dumps(request, ensure_ascii=False, separators=(",", ":")).encode()
    raw_times: list[float] = []
    client_times: list[float] = []
    with ScriptServer([json_reply(200, case["response"])]) as server:
        url = f"{server.url}/client/v4/accounts/acct/ai/v1/chat/completions"
        headers = {"Authorization": "Bearer bench", "Content-Type": "application/json", "Accept": "application/json"}
        with httpx.Client(timeout=60.0) as raw, Client("acct", "bench", base_url=f"{server.url}/client/v4") as client:
            for i in range(args.warmup + args.calls):
                start = time.perf_counter()
                raw.post(url, content=body, headers=headers).json()
                middle = time.perf_counter()
                client.chat_completions(**request)
                end = time.perf_counter()
                if i >= args.warmup:
                    raw_times.append(middle - start)
                    client_times.append(end - middle)
        requests = len(server.log)

    # The client's own steps, no network: input validation, output validation, the pydantic model.
    bindings = bindings_for(default_registry())
    answer = case["response"]
    validator, cls = bindings.output(case["model"], "ChatCompletionsOutput")
    steps: dict[str, list[float]] = {"validate input": [], "validate output": [], "pydantic model": []}
    for _ in range(args.calls):
        t0 = time.perf_counter()
        bindings.registry.validator(case["model"], "input").errors(request)
        t1 = time.perf_counter()
        validator.errors(answer)
        t2 = time.perf_counter()
        assert cls is not None
        cls.model_validate(answer)
        t3 = time.perf_counter()
        for name, took in zip(steps, (t1 - t0, t2 - t1, t3 - t2), strict=True):
            steps[name].append(took)

    raw_med, client_med = median_us(raw_times), median_us(client_times)
    result = {
        "fault_cases": len(list(FAULTS.glob("*.json"))),
        "rate_limit_429": retried_429(case),
        "calls": args.calls,
        "requests_served": requests,
        "raw_httpx_post_json_median_us": round(raw_med, 1),
        "client_chat_completions_median_us": round(client_med, 1),
        "ratio_of_medians": round(client_med / raw_med, 3),
        "overhead_median_us": round(client_med - raw_med, 1),
        "steps_median_us": {name: round(median_us(v), 2) for name, v in steps.items()},
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    print(json.dumps(result, indent=2))
    runs = ROOT / "bench" / ".runs"
    runs.mkdir(exist_ok=True)
    (runs / f"client_overhead-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
