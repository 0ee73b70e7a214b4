"""The generator's commands on the `cfai` command line: generate, check, pull, diff, models, gate, regen.

Added to `cfai.cli.app` by `register`, the `cfai.commands` entry point the command line loads when
it starts (the library never imports `codegen`); the generator toolchain is imported inside each
command, so `cfai validate` and `cfai run` never load it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cfai.cli import ENVIRONMENT_ERRNOS, _print_json, _problems, _short, err, out
from cfai.errors import GenerationError, SchemaLoadError, SchemaProblem

from . import atomic, children, signals

_COMMANDS: list[Callable[..., None]] = []


def _command(function: Callable[..., None]) -> Callable[..., None]:
    _COMMANDS.append(function)
    return function


def register(app: typer.Typer) -> None:
    """The `cfai.commands` entry point: add the generator's commands to the `cfai` command line."""
    registered = {command.callback for command in app.registered_commands}
    for function in _COMMANDS:
        if function not in registered:
            app.command()(function)


@contextmanager
def _writing(target: Path) -> Iterator[None]:
    """A refusal of the file system (read-only, full, a size limit) that names no file names `target`:
    `cfai.cli` then reports it as the user's environment (exit 2), with that path."""
    try:
        yield
    except OSError as exc:
        if exc.errno in ENVIRONMENT_ERRNOS and exc.filename is None:
            raise OSError(exc.errno, exc.strerror or str(exc), str(target)) from None
        raise


@_command
def generate(
    schemas: Annotated[Path, typer.Option(help="Schema root: one folder per model.")] = Path("schemas"),
    out_dir: Annotated[Path, typer.Option("--out", help="Output directory (replaced whole).")] = Path("generated"),
    strict: Annotated[bool, typer.Option(help="Fail on any note (a repaired slip, an input-only model).")] = False,
    package: PackageOpt = "cfai_models",
) -> None:
    """Generate typed models for every model under --schemas into --out.

    A model that cannot be used is skipped with its located problems and the others are generated;
    known slips are repaired and input-only models typed, each with a note on stderr.
    --out receives the package (`<out>/<package>/`) and `openapi.json`; put --out on your import path
    (PYTHONPATH, MYPYPATH) and import the package by its name.
    Exit 0: every model generated; 1: some skipped (or, with --strict, any note: nothing written);
    2: nothing to generate, or a usage error.
    """
    from .pipeline import generate as run

    _check_package(package)
    _require_toolchain()
    signals.install()
    try:
        with _writing(out_dir):
            report = run(schemas, out_dir, strict=strict, package=package, progress=lambda m: err.print(f"  {m}", style="dim", markup=False))
    except GenerationError as exc:
        _problems(exc.problems, False)
        err.print(f"[red]generation stopped; {out_dir} is unchanged[/red]")
        raise typer.Exit(1 if strict and exc.problems else 2) from None
    except (KeyboardInterrupt, children.Stopped):
        err.print(f"interrupted; {out_dir} is unchanged")
        raise typer.Exit(130) from None
    _notes(report.notes, "note")
    for model, problems in report.skipped.items():
        _notes(problems, f"skipped {model}")
    out.print(f"{len(report.generated)} model(s) generated into {out_dir}"
              + (f"; {len(report.skipped)} skipped" if report.skipped else ""), highlight=False)
    raise typer.Exit(1 if report.skipped else 0)


def _notes(problems: tuple[SchemaProblem, ...], label: str) -> None:
    for p in problems:
        err.print(f"{label}: {p.model}: {p.file} {p.path}: {p.message}", markup=False, highlight=False)


PackageOpt = Annotated[str, typer.Option(
    "--package", help="The generated package's name (a Python identifier). Default cfai_models, which is also the "
    "name of the models bundled in the wheel: name yours (my_models) so that the two never mix.")]


def _check_package(name: str) -> None:
    import keyword

    if not name.isidentifier() or keyword.iskeyword(name) or not name.isascii():
        raise typer.BadParameter(f"{name!r} is not a Python package name", param_hint="--package")


def _require_toolchain(*, mypy: bool = False) -> None:
    """Generation runs datamodel-code-generator, black and isort (and the checks mypy): say so in one
    line when this installation lacks them (a wheel installed without the `dev` extra)."""
    import importlib.util

    tools = ("datamodel_code_generator", "black", "isort", *(("mypy",) if mypy else ()))
    missing = [name for name in tools if importlib.util.find_spec(name) is None]
    if missing:
        err.print(f"error: generation needs the generator toolchain ({', '.join(missing)} missing): "
                  "pip install 'cfai-bindings[dev]'", markup=False, highlight=False)
        raise typer.Exit(2)


@_command
def check(
    schemas: Annotated[Path, typer.Option(help="Schema root: one folder per model.")] = Path("schemas"),
    out_dir: Annotated[Path, typer.Option("--out", help="The committed output to compare with.")] = Path("generated"),
    mypy: Annotated[bool, typer.Option(help="Also type-check the output with mypy --strict.")] = True,
    package: PackageOpt = "cfai_models",
) -> None:
    """Regenerate into a temporary directory; fail unless byte-identical to --out and mypy-clean."""
    from .pipeline import check as run

    _check_package(package)
    _require_toolchain(mypy=mypy)
    signals.install()  # SIGTERM too removes the temporary build
    try:
        differences, type_errors = run(schemas, out_dir, mypy=mypy, package=package)
    except SchemaLoadError as exc:
        _problems(exc.problems, False)
        raise typer.Exit(2) from None
    except (KeyboardInterrupt, children.Stopped):
        err.print("interrupted")
        raise typer.Exit(130) from None
    for line in differences:
        err.print(f"[red]differs:[/red] {out_dir}/{line}")
    for line in type_errors:
        err.print(f"[red]mypy:[/red] {line}")
    if differences or type_errors:
        err.print("[red]check failed[/red]: run `make generate` and commit, or fix the type errors")
        raise typer.Exit(1)
    out.print(f"[green]{out_dir} is up to date with {schemas}" + (" and mypy --strict clean" if mypy else ""))


@_command
def pull(
    names: Annotated[list[str] | None, typer.Argument(metavar="[MODEL]...", help="Models to pull. Default: those in <schemas>/models.toml.")] = None,
    schemas: Annotated[Path, typer.Option(help="Schema root to update; its models.toml lists the tracked models.")] = Path("schemas"),
    out_dir: Annotated[Path | None, typer.Option("--out", help="Write the updated root here instead (a staged copy of --schemas).")] = None,
    source: Annotated[str | None, typer.Option(help="docs or api, for every model. Default: each model's source in models.toml.")] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="Fetch from this base URL instead (a mirror, a test server).")] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Requests in flight at once.")] = 8,
    retries: Annotated[int, typer.Option(min=0, max=10, help="Retries after a 5xx, 429, timeout or dropped connection.")] = 3,
    timeout: Annotated[float, typer.Option(min=0.01, help="Seconds for one attempt, body included.")] = 20.0,
    max_bytes: Annotated[int, typer.Option("--max-bytes", min=1024, help="Refuse a larger schema.")] = 2 * 1024 * 1024,
    keep_going: Annotated[bool, typer.Option("--keep-going", help="Land the models that succeeded even if others failed.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Fetch the published schemas of the tracked (or named) models, check them, replace --schemas atomically.

    Named models that --schemas/models.toml does not list yet are added to it (created if missing),
    so that a later `cfai pull` or `cfai gate` keeps them up to date.

    Exit 0: every model pulled (changed or not); 1: some model failed (nothing written, unless
    --keep-going); 2: usage (bad name, models.toml, missing CLOUDFLARE_* setting for --source api).
    """
    import os

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from .catalog import Tracked, UsageError, check_name, endpoint, read_tracked
    from .pull import Options
    from .pull import pull as run_pull

    atomic.recover(out_dir or schemas)  # a killed pull's half swap: undone before models.toml is read
    tracked, problems = read_tracked(schemas)
    if problems:
        _problems(tuple(problems), as_json)
        raise typer.Exit(2)
    if bad := [why for name in names or [] if (why := check_name(name))]:
        raise typer.BadParameter("; ".join(bad), param_hint="MODEL")
    known = {t.name: t for t in tracked}
    chosen = [known.get(name, Tracked(name)) for name in dict.fromkeys(names)] if names else tracked
    if not chosen:
        err.print(f"[red]error:[/red] no models to pull: name some, or list them in {schemas}/models.toml")
        raise typer.Exit(2)
    if source:
        chosen = [Tracked(t.name, source) for t in chosen]
    try:
        endpoints = {s: endpoint(s, os.environ, base_url) for s in sorted({t.source for t in chosen})}
    except UsageError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    options = Options(concurrency, retries, timeout, max_bytes=max_bytes, keep_going=keep_going)
    columns = (TextColumn("pulling"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    signals.install()
    try:
        with _writing(out_dir or schemas), Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task("pull", total=None)
            report = run_pull(
                chosen, endpoints, schemas, out=out_dir, options=options,
                planned=lambda n: bar.update(task, total=n), done=lambda _: bar.advance(task),
                track=bool(names),
            )
    except UsageError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        err.print(f"interrupted; {out_dir or schemas} is unchanged")
        raise typer.Exit(130) from None
    target = out_dir or schemas
    if as_json:
        rows = [
            {"model": o.model, "status": o.status, "downloaded": o.downloaded, "not_modified": o.not_modified,
             "problems": [p.to_dict() for p in o.problems]}
            for o in report.outcomes
        ]
        _print_json({"models": rows, "written": report.written, "out": str(target)})
    else:
        style = {"new": "green", "updated": "green", "unchanged": "dim", "failed": "red"}
        for o in report.outcomes:
            detail = f"{o.downloaded:,} bytes" + (f", {o.not_modified} not modified" if o.not_modified else "")
            out.print(f"[{style[o.status]}]{o.status:>9}[/] {o.model} [dim]({detail})[/]", highlight=False)
        if report.problems:
            _problems(tuple(report.problems), False)
        counts = {s: sum(1 for o in report.outcomes if o.status == s) for s in style}
        summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        fate = f"{target} written" if report.written else f"{target} unchanged"
        out.print(f"{len(report.outcomes)} model(s): {summary}; {fate}", highlight=False)
    raise typer.Exit(1 if report.failed else 0)


@_command
def diff(
    old: Annotated[str, typer.Argument(help="The old schema root: a folder, or a git revision (HEAD~1) of --path.")],
    new: Annotated[str, typer.Argument(help="The new schema root: a folder, or a git revision (HEAD).")],
    fail_on: Annotated[str | None, typer.Option("--fail-on", help="breaking or any: exit 1 when such a change is found.")] = None,
    repo: Annotated[Path, typer.Option(help="The git repository revisions are read from.")] = Path("."),
    path: Annotated[str, typer.Option("--path", help="The schema root inside the repository, for revisions.")] = "schemas",
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON.")] = False,
) -> None:
    """Compare two schema roots and classify every change for a client of the bindings.

    Each change has a rule id (request-property-max-decreased, …), a level (breaking or
    non-breaking), the model, the payload path with its variant, the schema path, old and new value.
    Exit 1 when --fail-on is met, 0 otherwise, 2 on usage or an unreadable schema.
    """
    from rich.markup import escape

    from .catalog import UsageError
    from .diff import BREAKING, diff_models, exceeds, load_root

    if fail_on not in (None, "breaking", "any"):
        raise typer.BadParameter("must be breaking or any", param_hint="--fail-on")
    try:
        (before, problems), (after, more) = (load_root(spec, repo=repo, subdir=path) for spec in (old, new))
    except UsageError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if problems or more:
        _problems((*problems, *more), as_json)
        raise typer.Exit(2)
    if not before and not after:  # two empty roots compare equal, but surely one was meant to hold models
        err.print(f"error: neither {old} nor {new} holds a model (schema-input.json/schema-output.json)",
                  markup=False, highlight=False)
        raise typer.Exit(2)
    changes = diff_models(before, after)
    breaking = sum(1 for c in changes if c.level == BREAKING)
    if as_json:
        summary = {"breaking": breaking, "non-breaking": len(changes) - breaking}
        _print_json({"changes": [c.to_dict() for c in changes], "summary": summary})
    elif changes:
        table = Table(title=f"{old} → {new}", title_justify="left")
        for column in ("level", "rule", "model", "path", "schema path", "old", "new"):
            table.add_column(column, overflow="fold", no_wrap=column in ("level", "rule"))
        for c in changes:
            level = "[red]breaking[/red]" if c.level == BREAKING else "[dim]non-breaking[/dim]"
            where = ("" if c.side == "model" else f"[dim]{c.side}[/dim] ") + escape(c.path + (f" ({c.variant})" if c.variant else ""))
            table.add_row(level, c.rule, c.model, where, escape(c.schema_path), escape(_short(c.old, 30)), escape(_short(c.new, 30)))
        (out if out.is_terminal else Console(width=200, soft_wrap=True)).print(table)  # a log: keep rows whole
    if not as_json:
        out.print(f"{len(changes)} change(s): {breaking} breaking, {len(changes) - breaking} non-breaking", highlight=False)
    raise typer.Exit(1 if exceeds(changes, fail_on) else 0)


@_command
def models(
    schemas: Annotated[Path, typer.Option(help="Schema root whose models.toml marks the tracked models.")] = Path("schemas"),
    base_url: Annotated[str | None, typer.Option("--base-url", help="API base URL. Default: CLOUDFLARE_BASE_URL, else Cloudflare's.")] = None,
    per_page: Annotated[int, typer.Option("--per-page", min=1, max=1000, help="Models per page requested.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print the listing as JSON.")] = False,
) -> None:
    """List the account's model catalog (needs CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN).

    Exit 0: listed; 1: the API failed; 2: a missing setting.
    """
    import os

    from .catalog import UsageError, endpoint, list_models, read_tracked, task_name

    try:
        where = endpoint("api", os.environ, base_url)
    except UsageError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    listed, problems = list_models(where, per_page=per_page)
    if problems:
        _problems(tuple(problems), as_json)
        raise typer.Exit(1)
    tracked = {t.name for t in read_tracked(schemas)[0]}
    if as_json:
        _print_json({"models": [{**m, "tracked": m["name"] in tracked} for m in listed]})
        return
    table = Table(title=f"{len(listed)} model(s)", title_justify="left")
    table.add_column("name", no_wrap=True, style="bold")
    table.add_column("task", no_wrap=True)
    table.add_column("tracked", justify="center")
    table.add_column("description", overflow="ellipsis", no_wrap=True, max_width=60)
    for m in sorted(listed, key=lambda m: str(m["name"])):
        # Server text is shown as text: a description holding `[/red]` is not markup.
        table.add_row(Text(str(m["name"])), Text(task_name(m)), "✓" if m["name"] in tracked else "",
                      Text(str(m.get("description", ""))))
    (out if out.is_terminal else Console(width=200, soft_wrap=True)).print(table)




@_command
def gate(
    schemas: Annotated[Path, typer.Option(help="The committed schema root; its models.toml lists the tracked models.")] = Path("schemas"),
    source: Annotated[str | None, typer.Option(help="docs or api, for every model. Default: each model's source in models.toml.")] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="Fetch from this base URL instead (a mirror, a test server).")] = None,
    fail_on: Annotated[str, typer.Option("--fail-on", help="breaking or any: which changes fail the gate.")] = "breaking",
    junit_xml: Annotated[Path | None, typer.Option("--junit-xml", help="Write a JUnit XML report here (a test case per model).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the diff rows and the outcome as JSON.")] = False,
    mypy: Annotated[bool, typer.Option(help="Type-check the bindings generated from the pulled schemas.")] = True,
    retries: Annotated[int, typer.Option(min=0, max=10, help="Retries after a 5xx, 429, timeout or dropped connection.")] = 3,
    timeout: Annotated[float, typer.Option(min=0.01, help="Seconds for one attempt, body included.")] = 20.0,
) -> None:
    """Pull the tracked models into a temporary folder, diff them against --schemas, generate and type-check: the CI gate.

    Nothing in the working tree is written (only --junit-xml). Exit 0: passed; 1: changes meeting
    --fail-on, or the published schemas do not generate or type-check; 2: usage; 3: a model could not be pulled.
    """
    import os

    from .catalog import UsageError
    from .gate import junit_xml as render
    from .gate import run_gate, summary
    from .pull import Options

    if fail_on not in ("breaking", "any"):
        raise typer.BadParameter("must be breaking or any", param_hint="--fail-on")
    _require_toolchain(mypy=mypy)
    try:
        result = run_gate(
            schemas, env=os.environ, source=source, base_url=base_url, fail_on=fail_on, typecheck=mypy,
            options=Options(retries=retries, timeout=timeout),
            progress=lambda message: err.print(f"  {message}", style="dim", markup=False),
        )
    except UsageError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    except SchemaLoadError as exc:
        _problems(exc.problems, False)
        raise typer.Exit(2) from None
    if junit_xml is not None:
        junit_xml.parent.mkdir(parents=True, exist_ok=True)
        junit_xml.write_text(render(result), encoding="utf-8")
    if as_json:
        _print_json(result.to_dict())
    else:
        for c in result.changes:
            marker = "[red]breaking[/red]" if result.failing(c) else "[dim]" + c.level + "[/dim]"
            where = ("" if c.side == "model" else f"{c.side} ") + c.path + (f" ({c.variant})" if c.variant else "")
            out.print(f"{marker} {c.rule} {c.model} {where}: {_short(c.old, 30)} → {_short(c.new, 30)}", highlight=False)
        if result.pull_problems:
            _problems(tuple(result.pull_problems), False)
        for line in (*result.build_problems, *result.type_errors):
            err.print(f"[red]bindings:[/red] {line}", highlight=False)
        for line in summary(result):
            out.print(line, highlight=False)
    raise typer.Exit(result.exit_code)


@_command
def regen(
    schemas: Annotated[Path, typer.Option(help="Schema root to update.")] = Path("schemas"),
    out_dir: Annotated[Path, typer.Option("--out", help="Generated output to update with it.")] = Path("generated"),
    work: Annotated[Path, typer.Option(help="Work folder for the staged trees (removed at the end).")] = Path(".regen"),
    pull_args: Annotated[str, typer.Option("--pull-args", help="Arguments for the pull stage, e.g. '--base-url URL'.")] = "",
    diff_args: Annotated[str, typer.Option("--diff-args", help="Arguments for the diff stage, e.g. '--fail-on breaking'.")] = "",
    pytest_args: Annotated[str, typer.Option("--pytest-args", help="Arguments for the test stage (pytest).")] = "",
    mypy: Annotated[bool, typer.Option(help="Type-check the new output in the check stage.")] = True,
) -> None:
    """Pull → diff → generate → check → test; --schemas and --out are replaced together, only if all pass.

    Interrupted or failed at any point, both are left as they were (a run killed outright is undone
    by the next one). Exit 0: replaced; else the exit code of the stage that failed (130: interrupted).
    """
    from .regen import Plan, split
    from .regen import regen as run

    signals.install()
    plan = Plan(schemas, out_dir, work, split(pull_args), split(diff_args), split(pytest_args), mypy)
    try:
        with _writing(out_dir):
            code = run(plan, lambda line: err.print(line, markup=False, highlight=False))
    except (KeyboardInterrupt, children.Stopped):
        err.print(f"regen: interrupted; {schemas} and {out_dir} are as they were")
        raise typer.Exit(130) from None
    if code == 0:
        out.print(f"regen: {schemas} and {out_dir} replaced: every stage passed", highlight=False)
    raise typer.Exit(code)
