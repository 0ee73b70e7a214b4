"""`make bench`: our validator against its peers, one run, same machine, same payloads, side by side.

    .venv/bin/python bench/bench.py [--fast | --rigorous] [--examples 50] [--no-scale]

Per-call timings use pyperf: each benchmark runs in several fresh worker processes (so hash
randomisation and memory layout vary), each with a warm-up and a calibrated loop count, and the
median and interquartile range are taken over all values. The implementations and payloads are in
`bench/cases.py`. Around that, in this process: each implementation's first error on the invalid
payloads, validators compiled once (first call against later calls), the import time of the run-time
package, payload generation (ours against hypothesis-jsonschema) and the generation scale curve
(`bench/scale.py`). Everything is printed as tables and written to bench/results.json, with whether
each target of the issue holds. Nothing here asserts: the test suite has no timed assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pyperf  # type: ignore[import-untyped]

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cases

ROOT = cases.ROOT
sys.path.insert(0, str(ROOT))

TARGET_VALID_VS_RS = 1.2  # ours within 1.2x of jsonschema-rs on a valid payload
TARGET_VALID_VS_PY = 100  # and at least 100x faster than python-jsonschema
TARGET_INVALID_VS_RS = 2.0  # located error list within 2x of jsonschema-rs's iter_errors
TARGET_GENERATION = 10  # payload generation at least 10x hypothesis-jsonschema
TARGET_IMPORT_MS = 150
HARNESS = "harness"  # the loop calling a no-op builtin: what every row includes besides the call


# --- timed in pyperf workers ------------------------------------------------------------------------

_built: dict[tuple[str, str], tuple[Callable[[Any], Any], Any]] = {}


def _call(case_name: str, impl: str, catalog_models: str | None) -> tuple[Callable[[Any], Any], Any]:
    """The call and payload of one benchmark, built on first use in this (worker) process."""
    key = (case_name, impl)
    if key not in _built:
        case = cases.BY_NAME[case_name]
        built = cases.build(case, impl, Path(catalog_models) if catalog_models else None)
        assert built is not None, f"{impl} cannot run on {case_name}"
        _built[key] = (built, case.payload)
    return _built[key]


def time_calls(loops: int, case_name: str, impl: str, catalog_models: str | None) -> float:
    call, payload = _call(case_name, impl, catalog_models) if impl != HARNESS else (id, None)
    range_it = range(loops)
    start = time.perf_counter()
    for _ in range_it:
        try:  # free in CPython 3.11 unless something raises (fastjsonschema and pydantic do)
            call(payload)
        except Exception:  # noqa: BLE001, S110
            pass
    return time.perf_counter() - start


def time_validate(loops: int, case_name: str, _impl: str, _catalog_models: str | None) -> float:
    """`cfai.validate(model, payload)` exactly as a user writes it (no wrapper in between)."""
    from cfai import validate

    case = cases.BY_NAME[case_name]
    model, payload, range_it = case.model, case.payload, range(loops)
    registry = None if case.root == cases.SCHEMAS else cases.registry(case.root)
    validate(model, payload, registry=registry)  # the registry compiles it on the first call
    start = time.perf_counter()
    if registry is None:
        for _ in range_it:
            validate(model, payload)
    else:
        for _ in range_it:
            validate(model, payload, registry=registry)
    return time.perf_counter() - start


# --- measured in this process -------------------------------------------------------------------


def first_vs_later(case: cases.Case, calls: int = 2000, fresh: int = 15) -> dict[str, Any]:
    """First call on a fresh Registry (read, check and compile the schema) against later calls."""
    from cfai.validate import Registry

    payload, firsts = case.payload, []
    for _ in range(fresh):
        registry = Registry(case.root)
        start = time.perf_counter()
        registry.validator(case.model).errors(payload)
        firsts.append(time.perf_counter() - start)
    validator = registry.validator(case.model)
    later = []
    for _ in range(calls):
        start = time.perf_counter()
        registry.validator(case.model).errors(payload)
        later.append(time.perf_counter() - start)
    first, rest = statistics.median(firsts), statistics.median(later)
    return {"case": case.name, "first_call_us": round(first * 1e6, 1), "later_calls_median_us": round(rest * 1e6, 2),
            "first_over_later": round(first / rest), "same_validator_object": registry.validator(case.model) is validator}  # fmt: skip


def import_times(repeats: int = 7) -> dict[str, Any]:
    """`python -X importtime`: the cumulative microseconds of each top-level import, median of runs."""
    # statement → its top-level lines (`import cfai.client` is one: `cfai` is nested under it)
    statements = {"import cfai": ["cfai"], "import cfai.client": ["cfai.client"],
                  "import cfai; cfai.Client": ["cfai", "cfai.typed"]}  # fmt: skip
    out: dict[str, Any] = {}
    for statement, names in statements.items():
        runs: list[dict[str, int]] = []
        for _ in range(repeats):
            done = subprocess.run([sys.executable, "-X", "importtime", "-c", statement], cwd=ROOT,
                                  capture_output=True, text=True, check=True)  # fmt: skip
            top = {}
            for line in done.stderr.splitlines():
                # "import time:       self [us] |  cumulative | imported package"; nesting is indentation
                match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\S.*)$", line)
                if match:
                    top[match[3]] = int(match[2])
            runs.append(top)
        cumulative = {n: int(statistics.median(r.get(n, 0) for r in runs)) for n in names}
        out[statement] = {"cumulative_us": cumulative, "total_ms": round(sum(cumulative.values()) / 1000, 1)}
    return out


def _draw(strategy: Any, count: int, run_seed: int) -> tuple[list[Any], float]:
    """`count` examples from `strategy` as a test sees them (generate phase only, no database, no
    shrinking), and the seconds it took."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    seen: list[Any] = []

    @hypothesis_seed(run_seed)
    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(strategy)
    def draw(payload: Any) -> None:
        seen.append(payload)

    start = time.perf_counter()
    draw()
    return seen, time.perf_counter() - start


def generation_rates(examples: int, repeats: int = 3) -> dict[str, Any]:
    """Valid payloads per second from hypothesis-jsonschema's and our `from_schema`, same schema,
    same hypothesis settings."""
    import jsonschema_rs
    from hypothesis_jsonschema import from_schema as theirs

    from codegen.strategies import from_schema as ours

    schema = cases.registry(cases.CATALOG).schema(cases.HEAVIEST)
    check = jsonschema_rs.validator_for(schema)
    out: dict[str, Any] = {"model": cases.HEAVIEST, "examples_per_run": examples, "runs": repeats}
    for name, factory in (("hypothesis-jsonschema", theirs), ("ours", ours)):
        strategy = factory(schema)
        _draw(strategy, 5, 0)  # warm-up: the strategy is built and its caches filled on first use
        rates, valid, drawn = [], 0, 0
        for i in range(repeats):
            seen, seconds = _draw(strategy, examples, i + 1)
            rates.append(len(seen) / seconds)
            drawn += len(seen)
            valid += sum(1 for p in seen if check.is_valid(p))
        out[name] = {"payloads_per_s": round(statistics.median(rates), 1), "runs_per_s": [round(r, 1) for r in rates],
                     "drawn": drawn, "valid": valid}  # fmt: skip
    out["ratio"] = round(out["ours"]["payloads_per_s"] / out["hypothesis-jsonschema"]["payloads_per_s"], 1)
    return out


def catalog_pydantic_models(into: Path) -> Path | None:
    """The generated models of the catalog case's model, through `codegen.pipeline.generate`."""
    from codegen.pipeline import generate

    if not (cases.CATALOG / "@cf").is_dir():
        return None
    root = into / "schemas"
    shutil.copytree(cases.CATALOG / cases.LLAMA, root / cases.LLAMA)
    generate(root, into / "generated")
    return into / "generated"


# --- report --------------------------------------------------------------------------------------


def _stats(bench: pyperf.Benchmark) -> dict[str, float]:
    values = bench.get_values()
    q1, median, q3 = (bench.percentile(p) for p in (25, 50, 75))
    return {"median_s": median, "iqr_s": q3 - q1, "stdev_s": bench.stdev() if len(values) > 1 else 0.0,
            "values": len(values), "loops": bench.get_loops()}  # fmt: skip


def _fmt(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.2f} µs"
    return f"{seconds * 1e9:.0f} ns"


def targets(rows: list[dict[str, Any]], harness_s: float, gen: dict[str, Any] | None,
            imports: dict[str, Any], compiled: list[dict[str, Any]]) -> list[dict[str, Any]]:  # fmt: skip
    """Each target of the issue, measured. Ratios to jsonschema-rs are also given net of the harness
    (the loop and call both rows pay): the net ratio is the stricter one and decides."""
    by = {(r["case"], r["implementation"]): r["median_s"] for r in rows}
    out = []
    for case in cases.CASES:
        rs = by.get((case.name, "jsonschema-rs"))
        if rs is None:
            continue
        for ours in ("ours-validate", "ours-held"):
            mine = by[(case.name, ours)]
            raw, net = mine / rs, (mine - harness_s) / max(rs - harness_s, 1e-12)
            limit = TARGET_VALID_VS_RS if case.valid else TARGET_INVALID_VS_RS
            what = "time within" if case.valid else "located error list within"
            out.append({"target": f"{case.name}: {ours} {what} {limit}x jsonschema-rs",
                        "measured": f"{net:.2f}x net ({raw:.2f}x raw)", "holds": net <= limit})  # fmt: skip
        if case.valid and (case.name, "python-jsonschema") in by:
            speedup = by[(case.name, "python-jsonschema")] / by[(case.name, "ours-validate")]
            out.append({"target": f"{case.name}: ours-validate ≥ {TARGET_VALID_VS_PY}x faster than python-jsonschema",
                        "measured": f"{speedup:.0f}x", "holds": speedup >= TARGET_VALID_VS_PY})  # fmt: skip
    if gen is not None:
        out.append({"target": f"payload generation ≥ {TARGET_GENERATION}x hypothesis-jsonschema ({cases.HEAVIEST})",
                    "measured": f"{gen['ratio']}x ({gen['ours']['payloads_per_s']} vs "
                                f"{gen['hypothesis-jsonschema']['payloads_per_s']} payloads/s)",
                    "holds": gen["ratio"] >= TARGET_GENERATION})  # fmt: skip
    for c in compiled:
        out.append({"target": f"{c['case']}: validator compiled once and cached",
                    "measured": f"first call {c['first_call_us']} µs, later {c['later_calls_median_us']} µs; "
                                f"same object: {c['same_validator_object']}",
                    "holds": c["same_validator_object"] and c["first_over_later"] >= 2})  # fmt: skip
    total = imports["import cfai"]["total_ms"]
    out.append({"target": f"import cfai under {TARGET_IMPORT_MS} ms (-X importtime, cumulative)",
                "measured": f"{total} ms", "holds": total < TARGET_IMPORT_MS})  # fmt: skip
    return out


def schema_checks(repeats: int = 5) -> dict[str, Any]:
    """Checking every vendored schema against the 2020-12 meta-schema (what every pull, generation
    and first validation of a model pays): ours (`cfai.schemas.meta_problems`: jsonschema-rs's
    verdict, python-jsonschema's located errors for an invalid one) against python-jsonschema alone
    and jsonschema-rs alone; seconds for the whole catalog, median of `repeats` runs."""
    import jsonschema_rs
    from jsonschema import Draft202012Validator

    from cfai.schemas import meta_problems

    documents = [json.loads(p.read_bytes()) for p in sorted((ROOT / "schemas").rglob("schema-*.json"))]
    documents = [d for d in documents if isinstance(d, dict)]
    python = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    peers: dict[str, Callable[[dict[str, Any]], object]] = {
        "ours (meta_problems)": meta_problems,
        "python-jsonschema (iter_errors)": lambda d: list(python.iter_errors(d)),
        "jsonschema-rs (meta.is_valid)": lambda d: jsonschema_rs.meta.is_valid(d),
    }
    out: dict[str, Any] = {"schemas": len(documents)}
    for label, check in peers.items():
        runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            for document in documents:
                check(document)
            runs.append(time.perf_counter() - start)
        out[label] = round(statistics.median(runs), 4)
    return out


def report(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=200)
    table = Table(title="Validation, time per call (pyperf: median and IQR over all worker values)")
    for column in ("case", "implementation", "median", "IQR", "calls/s", "× ours", "how"):
        table.add_column(column, justify="right" if column in ("median", "IQR", "calls/s", "× ours") else "left")
    last = None
    for row in results["validation"]:
        if last is not None and row["case"] != last:
            table.add_section()
        last = row["case"]
        if row.get("skipped"):
            table.add_row(row["case"], row["label"], "—", "—", "—", "—", row["skipped"])
            continue
        ratio = "—" if row["ratio_to_ours"] is None else f"{row['ratio_to_ours']:.2f}"
        table.add_row(row["case"], row["label"], _fmt(row["median_s"]), _fmt(row["iqr_s"]),
                      f"{row['calls_per_s']:,.0f}", ratio, row["how"])  # fmt: skip
    console.print(table)

    errors = Table(title="Invalid payloads: each implementation's first error (and how many it reports)")
    for column in ("case", "implementation", "errors", "first error at", "message"):
        errors.add_column(column)
    for case_name, found in results["first_errors"].items():
        for impl, e in found.items():
            message = e["message"] if len(e["message"]) < 90 else e["message"][:60] + " … " + e["message"][-26:]
            where = e["path"] + (f" (variant {e['variant']})" if e.get("variant") else "")
            errors.add_row(case_name, impl, str(e["count"]), where, message)
        errors.add_section()
    console.print(errors)

    if gen := results.get("generation"):
        console.print(f"Payload generation, {gen['model']} input: ours {gen['ours']['payloads_per_s']} payloads/s, "
                      f"hypothesis-jsonschema {gen['hypothesis-jsonschema']['payloads_per_s']} payloads/s "
                      f"(median of {gen['runs']} runs of {gen['examples_per_run']}; valid per jsonschema-rs: "
                      f"ours {gen['ours']['valid']}/{gen['ours']['drawn']}, theirs "
                      f"{gen['hypothesis-jsonschema']['valid']}/{gen['hypothesis-jsonschema']['drawn']})")  # fmt: skip
    if checks := results.get("schema_checks"):
        ours = checks["ours (meta_problems)"]
        parts = ", ".join(f"{k} {v:.3f} s ({v / ours:.0f}× ours)" for k, v in checks.items() if k != "schemas")
        console.print(f"Meta-schema check of all {checks['schemas']} vendored schemas: {parts} (median of 5)")
    for statement, imp in results["import"].items():
        parts = " + ".join(f"{n} {us / 1000:.1f} ms" for n, us in imp["cumulative_us"].items())
        console.print(f"{statement}: {imp['total_ms']} ms = {parts} (cumulative µs of -X importtime, median of 7)")
    if scale := results.get("scale"):
        curve = Table(title="generate(): models → seconds (cold cache / unchanged re-run / one model changed / check)")
        for column in ("models", "distinct schemas", "cold s", "warm s", "1 changed s", "1 changed / cold",
                       "check s (with mypy)", "models generated (cold/warm/1-changed)"):  # fmt: skip
            curve.add_column(column)
        for r in scale:
            generated = "/".join(str(r[k]["modules_generated"]) for k in ("cold", "warm", "one_changed"))
            ratio = r["one_changed"]["seconds"] / r["cold"]["seconds"]
            curve.add_row(str(r["models"]), str(r.get("distinct_schemas", "")), f"{r['cold']['seconds']:.2f}",
                          f"{r['warm']['seconds']:.2f}", f"{r['one_changed']['seconds']:.2f}", f"{ratio:.2f}",
                          f"{r['check']['seconds']:.2f}", generated)  # fmt: skip
        console.print(curve)
        user = Table(title="The user's type checker on a one-model script (gpt-5.1-chat by reference) → seconds, "
                           "against the catalog size")  # fmt: skip
        for column in ("models generated", "mypy --strict cold", "mypy warm", "pyright cold", "pyright again"):
            user.add_column(column)
        for r in scale:
            u = r["user_typecheck"]
            user.add_row(str(r["models"]), f"{u['mypy_cold']:.2f}", f"{u['mypy_warm']:.2f}",
                         f"{u['pyright_cold']:.2f}", f"{u['pyright_again']:.2f}")  # fmt: skip
        console.print(user)

    verdicts = Table(title="Targets")
    for column in ("target", "measured", "holds"):
        verdicts.add_column(column)
    for t in results["targets"]:
        verdicts.add_row(t["target"], t["measured"], "[green]yes[/green]" if t["holds"] else "[red]NO[/red]")
    console.print(verdicts)


def main() -> None:
    def forward(cmd: list[str], args: argparse.Namespace) -> None:
        if args.catalog_models:
            cmd.extend(["--catalog-models", args.catalog_models])

    # 4 processes x 5 values after a warm-up, each value at least 50 ms of calls: 20 values per row
    # and a stable median within a few minutes for the whole table (--rigorous doubles the processes).
    runner = pyperf.Runner(processes=4, values=5, warmups=1, min_time=0.05, add_cmdline_args=forward)
    parser = runner.argparser
    parser.add_argument("--catalog-models", help=argparse.SUPPRESS)  # set by the manager for its workers
    parser.add_argument("--examples", type=int, default=50, help="payloads per generation run (default 50)")
    parser.add_argument("--no-scale", action="store_true", help="skip the generation scale curve")
    parser.add_argument("--results", default=str(ROOT / "bench" / "results.json"))
    args = runner.parse_args()

    scratch = None
    if not args.worker and not args.catalog_models:
        scratch = Path(tempfile.mkdtemp(prefix="cfai-bench-"))
        try:
            made = catalog_pydantic_models(scratch)
            args.catalog_models = str(made) if made else None
        except Exception as exc:  # noqa: BLE001 - the pydantic cell is then skipped, with the reason
            print(f"catalog pydantic models not generated ({exc}); that cell is skipped", file=sys.stderr)

    benches: dict[tuple[str, str], pyperf.Benchmark | None] = {}
    benches[("-", HARNESS)] = runner.bench_time_func(HARNESS, time_calls, "-", HARNESS, None)
    skipped: dict[tuple[str, str], str] = {}
    for case in cases.CASES:
        for impl in cases.IMPLEMENTATIONS:
            if impl == "pydantic" and case.root != cases.SCHEMAS and not args.catalog_models:
                skipped[(case.name, impl)] = "catalog models could not be generated"
                continue
            timer = time_validate if impl == "ours-validate" else time_calls
            name = f"{case.name}/{impl}"
            benches[(case.name, impl)] = runner.bench_time_func(name, timer, case.name, impl, args.catalog_models)
    if args.worker:
        return

    harness = benches[("-", HARNESS)]
    assert harness is not None
    harness_s = _stats(harness)["median_s"]
    rows: list[dict[str, Any]] = [{"case": "-", "implementation": HARNESS, "label": "harness: loop calling id(p)",
                                   "how": "what every row includes besides its call", **_stats(harness),
                                   "calls_per_s": 1 / harness_s, "ratio_to_ours": None}]  # fmt: skip
    for case in cases.CASES:
        reference = benches[(case.name, cases.REFERENCE)]
        assert reference is not None
        ours_s = _stats(reference)["median_s"]
        for impl, (label, how) in cases.IMPLEMENTATIONS.items():
            row: dict[str, Any] = {"case": case.name, "implementation": impl, "label": label, "how": how,
                                   "valid_payload": case.valid}  # fmt: skip
            bench = benches.get((case.name, impl))
            if bench is None:
                rows.append({**row, "skipped": skipped.get((case.name, impl), "not run")})
                continue
            stats = _stats(bench)
            ratio = stats["median_s"] / ours_s
            rows.append({**row, **stats, "calls_per_s": 1 / stats["median_s"], "ratio_to_ours": ratio})

    catalog_models = Path(args.catalog_models) if args.catalog_models else None
    first_errors = {c.name: cases.first_errors(c, catalog_models) for c in cases.CASES if not c.valid}
    compiled = [first_vs_later(cases.BY_NAME["seed-chat"]), first_vs_later(cases.BY_NAME["llama-3.1-8b-tools"]),
                first_vs_later(cases.BY_NAME["seed-chat-3-violations"])]  # fmt: skip
    imports = import_times()
    checks = schema_checks()
    print("payload generation …", file=sys.stderr)
    gen = generation_rates(args.examples)
    scale = None
    if not args.no_scale:
        print("generation scale curve …", file=sys.stderr)
        from scale import curve

        scale = curve()
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)

    libraries = ("jsonschema-rs", "jsonschema", "fastjsonschema", "pydantic", "hypothesis", "hypothesis-jsonschema")
    settings = f"{args.processes} processes x {args.values} values, {args.warmups} warm-up, min_time {args.min_time} s"
    results = {
        "meta": {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "harness": f"pyperf {version('pyperf')}: {settings}",
            "versions": {p: version(p) for p in libraries},
        },
        "validation": rows,
        "first_errors": first_errors,
        "compiled_once": compiled,
        "import": imports,
        "schema_checks": checks,
        "generation": gen,
        "scale": scale,
    }
    results["targets"] = targets(rows, harness_s, gen, imports, compiled)
    Path(args.results).write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    report(results)
    print(f"written to {args.results}")


if __name__ == "__main__":
    main()
