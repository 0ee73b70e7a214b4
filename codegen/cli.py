"""`cfai`: the command line. Exit codes: 0 ok, 1 invalid / differs, 2 usage or schema error."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from .errors import CfaiError, PayloadError, SchemaLoadError, SchemaProblem, UnknownModel

app = typer.Typer(help="Schema-generated, validated bindings for the AI models Cloudflare serves.", no_args_is_help=True)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

SchemasOpt = Annotated[
    Path | None, typer.Option("--schemas", help="Schema root (one folder per model). Default: the bundled schemas.")
]


def _short(value: Any, width: int = 40) -> str:
    text = json.dumps(value, ensure_ascii=False) if value is not None else ""
    return text if len(text) <= width else text[: width - 1] + "…"


def _problems(problems: tuple[SchemaProblem, ...], as_json: bool) -> None:
    if as_json:
        out.print_json(json.dumps({"problems": [p.to_dict() for p in problems]}))
        return
    # One line per problem, compiler style (`file path: message`): greppable, and never folded.
    err.print(f"[red]{len(problems)} schema problem(s):[/red]")
    for p in problems:
        err.print(f"  {p.model}: {p.file} {p.path}: {p.message}", markup=False, highlight=False)


def _errors_table(title: str, errors: list[PayloadError]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("path", no_wrap=True, style="bold")
    table.add_column("rule", no_wrap=True)
    for column in ("limit", "value", "message"):
        table.add_column(column, overflow="fold")
    for e in errors:
        table.add_row(e.path, e.rule, _short(e.limit, 24), _short(e.value), e.message)
    return table


def _read_payload(path: str) -> Any:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"{path} is not JSON: {exc}") from None


@app.command()
def validate(
    files: Annotated[list[str], typer.Argument(help="Payload JSON files ('-' reads stdin).")],
    model: Annotated[str, typer.Option("--model", "-m", help="Model name, e.g. openai/gpt-5.5.")],
    side: Annotated[str, typer.Option(help="Validate a request (input) or a response (output).")] = "input",
    schemas: SchemasOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the errors as JSON.")] = False,
) -> None:
    """Validate payloads against a model's schema: every error, located; exit 1 if any is invalid."""
    from .validate import Registry, default_registry

    if side not in ("input", "output"):
        raise typer.BadParameter("--side must be input or output")
    registry = Registry(schemas) if schemas else default_registry()
    try:
        validator = registry.validator(model, side)
        results = [(file, validator.errors(_read_payload(file))) for file in files]
    except UnknownModel as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    except SchemaLoadError as exc:
        _problems(exc.problems, as_json)
        raise typer.Exit(2) from None
    invalid = sum(1 for _, errors in results if errors)
    if as_json:
        report = [{"file": f, "valid": not e, "errors": [x.to_dict() for x in e]} for f, e in results]
        out.print_json(json.dumps({"model": model, "valid": not invalid, "results": report}, default=repr))
    else:
        for file, errors in results:
            if not errors:
                out.print(f"[green]✓[/green] {file}: valid")
                continue
            variants = sorted({e.variant for e in errors if e.variant})
            against = f"{model} ({validator.schema_file}{', variant ' + ', '.join(variants) if variants else ''})"
            out.print(f"[red]✗[/red] {file}: {len(errors)} error(s) against {against}")
            out.print(_errors_table("", errors))
    raise typer.Exit(1 if invalid else 0)


@app.command()
def generate(
    schemas: Annotated[Path, typer.Option(help="Schema root: one folder per model.")] = Path("schemas"),
    out_dir: Annotated[Path, typer.Option("--out", help="Output directory (replaced whole).")] = Path("generated"),
) -> None:
    """Generate typed models for every model under --schemas into --out (all or nothing)."""
    from .pipeline import generate as run

    try:
        count = run(schemas, out_dir, progress=lambda model: err.print(f"  generated {model}", style="dim"))
    except SchemaLoadError as exc:
        _problems(exc.problems, False)
        err.print(f"[red]generation stopped; {out_dir} is unchanged[/red]")
        raise typer.Exit(2) from None
    out.print(f"[green]{count} model(s) generated into {out_dir}[/green]")


@app.command()
def check(
    schemas: Annotated[Path, typer.Option(help="Schema root: one folder per model.")] = Path("schemas"),
    out_dir: Annotated[Path, typer.Option("--out", help="The committed output to compare with.")] = Path("generated"),
    mypy: Annotated[bool, typer.Option(help="Also type-check the output with mypy --strict.")] = True,
) -> None:
    """Regenerate into a temporary directory; fail unless byte-identical to --out and mypy-clean."""
    from .pipeline import check as run

    try:
        differences, type_errors = run(schemas, out_dir, mypy=mypy)
    except SchemaLoadError as exc:
        _problems(exc.problems, False)
        raise typer.Exit(2) from None
    for line in differences:
        err.print(f"[red]differs:[/red] {out_dir}/{line}")
    for line in type_errors:
        err.print(f"[red]mypy:[/red] {line}")
    if differences or type_errors:
        err.print("[red]check failed[/red]: run `make generate` and commit, or fix the type errors")
        raise typer.Exit(1)
    out.print(f"[green]{out_dir} is up to date with {schemas}" + (" and mypy --strict clean" if mypy else ""))


def main() -> None:  # pragma: no cover - console entry for `python -m codegen`
    try:
        app()
    except CfaiError as exc:
        err.print(f"[red]error:[/red] {exc}")
        sys.exit(2)
