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


def _delta_text(chunk: Any) -> str:
    """The text a streamed chunk (Chat Completions) or event (Responses) adds."""
    if chunk.get("type") == "response.output_text.delta":
        return str(chunk.get("delta") or "")
    for choice in chunk.get("choices") or []:
        content = (choice.get("delta") or {}).get("content") if choice.get("index", 0) == 0 else None
        if isinstance(content, str):
            return content
    return ""


@app.command("run")
def run_model(
    payload_file: Annotated[str, typer.Argument(metavar="PAYLOAD", help="Payload JSON file ('-' reads stdin).")],
    model: Annotated[str, typer.Option("--model", "-m", help="Model name, e.g. openai/gpt-5.1-chat.")],
    stream: Annotated[bool, typer.Option("--stream", help="Stream; print the text as it arrives.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate, print the request, send nothing.")] = False,
    schemas: SchemasOpt = None,
) -> None:
    """Send a payload to /ai/run/{model}, with CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_TOKEN, CLOUDFLARE_BASE_URL.

    Exit 0 ok (the answer's JSON, or the streamed text), 1 invalid payload (nothing sent), 2 usage error, 3 server or network error.
    """
    from .client import APIError, Client, InvalidPayload, MissingCredentials, redacted
    from .validate import Registry, default_registry

    payload = _read_payload(payload_file)
    try:
        client = Client(registry=Registry(schemas) if schemas else default_registry())
    except MissingCredentials as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    with client:
        try:
            if dry_run:
                request = client.build_run_request(model, payload, stream=stream)
                headers = redacted({k.decode(): v.decode() for k, v in request.headers.raw})  # as sent, not lower-cased
                lines = [f"{request.method} {request.url}", *(f"{k}: {v}" for k, v in headers.items())]
                body = json.dumps(json.loads(request.content), ensure_ascii=False, indent=2)
                sys.stdout.write("\n".join(lines) + "\n\n" + body + "\n")
            elif stream:
                with client.run(model, payload, stream=True) as chunks:
                    for _ in chunks:
                        sys.stdout.write(_delta_text(chunks.chunks[-1]))
                        sys.stdout.flush()
                sys.stdout.write("\n")
            else:
                answer = client.run(model, payload)
                sys.stdout.write(json.dumps(answer.output, ensure_ascii=False, indent=2) + "\n")
        except InvalidPayload as exc:
            out.print(f"[red]✗[/red] invalid payload, nothing sent: {len(exc.errors)} error(s) against {model}")
            out.print(_errors_table("", list(exc.errors)))
            raise typer.Exit(1) from None
        except APIError as exc:
            err.print(f"error: {type(exc).__name__}: {exc}", markup=False, highlight=False)
            raise typer.Exit(3) from None
        except (UnknownModel, ValueError) as exc:
            err.print(f"error: {exc}", markup=False, highlight=False)
            raise typer.Exit(2) from None



def _generator_commands() -> None:
    """generate, check, pull, diff and models belong to the generator package (`codegen`), which
    registers them on `app`. Importing `codegen.commands` is cheap (the toolchain loads inside each
    command); without `codegen` installed the CLI offers the run-time commands only."""
    try:
        import codegen.commands  # noqa: F401
    except ModuleNotFoundError as exc:
        if exc.name != "codegen":
            raise


_generator_commands()


def main() -> None:  # pragma: no cover - console entry for `cfai`
    try:
        app()
    except CfaiError as exc:
        err.print(f"[red]error:[/red] {exc}")
        sys.exit(2)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on. Keep 127.0.0.1 unless others must reach it.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free port).")] = 8788,
    schemas: SchemasOpt = None,
    recordings: Annotated[
        Path | None,
        typer.Option(help="Recorded answers (<model>/<case>.json). Default: the bundled recordings, or $CFAI_RECORDINGS."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the generated answers: same request and seed, same answer.")] = 0,
    fault: Annotated[
        list[str] | None,
        typer.Option("--fault", help="A fault for every request, as the cfai-fault header: 429;retry-after=1, 500, latency=200ms, truncate, cut-stream=5."),
    ] = None,
    max_body: Annotated[int, typer.Option("--max-body", min=1, help="Largest request body accepted, in bytes.")] = 10 * 1024 * 1024,
    access_log: Annotated[bool, typer.Option("--access-log", help="Log every request (method, path, status; never headers).")] = False,
) -> None:
    """Serve a contract mock of Cloudflare's AI API: requests validated, answers recorded or generated from the output schema.

    Point a client at http://HOST:PORT/client/v4 (CLOUDFLARE_BASE_URL) or, for the openai SDK,
    http://HOST:PORT/client/v4/accounts/ACCOUNT/ai/v1. Exit 0 on Ctrl-C, 2 on a usage error.
    """
    from .serve import ServeConfig, serve_forever
    from .validate import Registry

    registry = Registry(schemas)
    if not registry.root.is_dir():
        raise typer.BadParameter(f"{registry.root} is not a folder", param_hint="--schemas")
    from .serve.fault_modes import parse

    if problems := parse(",".join(fault or []), "--fault")[1]:
        raise typer.BadParameter("; ".join(problems), param_hint="--fault")
    config = ServeConfig(schemas, recordings, seed, ",".join(fault or []), max_body)
    err.print(
        f"cfai serve: {len(registry.models())} model(s) from {registry.root}; "
        f"base URL http://{host}:{port}/client/v4 (Ctrl-C stops)",
        markup=False,
        highlight=False,
    )
    serve_forever(config, host=host, port=port, access_log=access_log)
