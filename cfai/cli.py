"""`cfai`: the command line.

Results go to stdout, diagnostics (errors, warnings, progress) to stderr. Exit codes, one meaning each:

    0   ok                 1   invalid: a payload breaks its schema (validate; run: nothing sent)
    2   usage: a bad option, URL or model name, an unreadable or non-JSON file, a broken schema,
        missing credentials       3   the server or the network failed (run)
    70  internal error: a bug in cfai (one line; CFAI_DEBUG=1 for the traceback)
    130 interrupted (Ctrl-C)

`--json` outputs are described by the JSON Schemas in `cfai/json_output/` and carry `version`.
"""

from __future__ import annotations

import errno
import json
import os
import sys
import traceback
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from .errors import CfaiError, PayloadError, SchemaLoadError, SchemaProblem, UnknownModel

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_REMOTE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 70, 130
JSON_OUTPUT_VERSION = 1  # of every `--json` document; bumped when a field changes meaning or goes away

app = typer.Typer(help="Schema-generated, validated bindings for the AI models Cloudflare serves.", no_args_is_help=True)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

SchemasOpt = Annotated[
    Path | None, typer.Option("--schemas", help="Schema root (one folder per model). Default: the bundled schemas.")
]


def _version() -> str:
    try:
        return metadata.version("cfai-bindings")
    except metadata.PackageNotFoundError:
        return "unknown"


def _show_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"cfai {_version()}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Schema-generated, validated bindings for the AI models Cloudflare serves."""


def _short(value: Any, width: int = 40) -> str:
    text = json.dumps(value, ensure_ascii=False, default=repr) if value is not None else ""
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_json(document: dict[str, Any]) -> None:
    """A `--json` document on stdout, with its version first."""
    sys.stdout.write(json.dumps({"version": JSON_OUTPUT_VERSION, **document}, ensure_ascii=False, indent=2, default=repr))
    sys.stdout.write("\n")


def _problems(problems: tuple[SchemaProblem, ...], as_json: bool) -> None:
    if as_json:
        _print_json({"problems": [p.to_dict() for p in problems]})
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


def _fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """One line on stderr; the exit to raise."""
    err.print(f"error: {message}", markup=False, highlight=False)
    return typer.Exit(code)


class Unreadable(Exception):
    """A payload file that cannot be used: unreadable, a directory, not UTF-8, not JSON, NaN, too deep."""


def _read_payload(path: str) -> Any:
    from .jsonvalue import NotJSON, loads

    name = "stdin" if path == "-" else path
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise Unreadable(f"cannot read {name}: {exc.strerror or exc}") from None
    try:
        return loads(data)
    except NotJSON as exc:
        raise Unreadable(f"{name} is not JSON: {exc}") from None


@app.command()
def validate(
    files: Annotated[list[str], typer.Argument(help="Payload JSON files ('-' reads stdin).")],
    model: Annotated[str, typer.Option("--model", "-m", help="Model name, e.g. openai/gpt-5.5.")],
    side: Annotated[str, typer.Option(help="Validate a request (input) or a response (output).")] = "input",
    schemas: SchemasOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON (cfai/json_output/validate.schema.json).")] = False,
) -> None:
    """Validate payloads against a model's schema: every error, located.

    Exit 0 all valid, 1 any invalid, 2 if any file could not be read (the others are still validated)
    or the model or its schema is unusable.
    """
    from .validate import Registry, default_registry

    if side not in ("input", "output"):
        raise typer.BadParameter("must be input or output", param_hint="--side")
    registry = Registry(schemas) if schemas else default_registry()
    try:
        validator = registry.validator(model, side)
    except UnknownModel as exc:
        raise _fail(str(exc)) from None
    except SchemaLoadError as exc:
        _problems(exc.problems, as_json)
        raise typer.Exit(EXIT_USAGE) from None
    results: list[tuple[str, list[PayloadError] | None, str | None]] = []
    for file in files:
        try:
            results.append((file, validator.errors(_read_payload(file)), None))
        except Unreadable as exc:
            results.append((file, None, str(exc)))
    unreadable = sum(1 for _, _, problem in results if problem)
    invalid = sum(1 for _, errors, _ in results if errors)
    if as_json:
        report = [
            {"file": f, "valid": False, "error": problem} if problem else
            {"file": f, "valid": not e, "errors": [x.to_dict() for x in e or []]}
            for f, e, problem in results
        ]
        _print_json({"model": model, "side": side, "valid": not invalid and not unreadable, "results": report})
    else:
        for file, errors, problem in results:
            if problem:
                err.print(f"error: {problem}", markup=False, highlight=False)
            elif not errors:
                out.print(f"[green]✓[/green] {file}: valid")
            else:
                variants = sorted({e.variant for e in errors if e.variant})
                against = f"{model} ({validator.schema_file}{', variant ' + ', '.join(variants) if variants else ''})"
                out.print(f"[red]✗[/red] {file}: {len(errors)} error(s) against {against}")
                out.print(_errors_table("", errors))
    raise typer.Exit(EXIT_USAGE if unreadable else EXIT_INVALID if invalid else EXIT_OK)


def _delta_text(chunk: Any) -> str:
    """The text a streamed chunk (Chat Completions), frame (Workers AI: `response`; `p` is padding)
    or event (Responses) adds."""
    if chunk.get("type") == "response.output_text.delta":
        return str(chunk.get("delta") or "")
    if isinstance(chunk.get("response"), str):
        return str(chunk["response"])
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
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate, print the request, send nothing (no credentials needed).")] = False,
    timeout: Annotated[float, typer.Option(min=0.001, help="Seconds for each attempt, whole (connect to last byte; for --stream, until it starts).")] = 60.0,
    base_url: Annotated[str | None, typer.Option("--base-url", help="API base URL. Default: CLOUDFLARE_BASE_URL, else Cloudflare's.")] = None,
    allow_insecure_http: Annotated[bool, typer.Option("--allow-insecure-http", help="Allow sending the token over plain http to a host that is not loopback.")] = False,
    schemas: SchemasOpt = None,
) -> None:
    """Send a payload to /ai/run/{model}, with CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_TOKEN, CLOUDFLARE_BASE_URL.

    Prints the answer's JSON (or the streamed text) on stdout. Exit 0 ok, 1 invalid payload (nothing
    sent; the errors on stderr), 2 usage error, 3 server or network error.
    """
    from .client import APIError, InvalidPayload, MissingCredentials, UsageError, redacted
    from .client import ClientCore as Client
    from .redact import Redactor
    from .validate import Registry, default_registry

    try:
        payload = _read_payload(payload_file)
    except Unreadable as exc:
        raise _fail(str(exc)) from None
    placeholders: dict[str, str] = {}
    if dry_run:  # what would be sent needs no secret: stand-ins where the credentials are missing
        if not os.environ.get("CLOUDFLARE_ACCOUNT_ID"):
            placeholders["account_id"] = "ACCOUNT_ID"
        if not os.environ.get("CLOUDFLARE_API_TOKEN"):
            placeholders["api_token"] = "unset"
    redact = Redactor([os.environ.get("CLOUDFLARE_API_TOKEN")])
    try:
        client = Client(
            registry=Registry(schemas) if schemas else default_registry(),
            base_url=base_url,
            timeout=timeout,
            allow_insecure_http=allow_insecure_http or None,
            **placeholders,  # type: ignore[arg-type]
        )
    except (MissingCredentials, UsageError) as exc:
        raise _fail(str(exc)) from None
    with client:
        try:
            if dry_run:
                request = client.build_run_request(model, payload, stream=stream)
                headers = redacted({k.decode(): v.decode() for k, v in request.headers.raw})  # as sent, not lower-cased
                lines = [f"{request.method} {request.url}", *(f"{k}: {v}" for k, v in headers.items())]
                body = json.dumps(json.loads(request.content), ensure_ascii=False, indent=2)
                sys.stdout.write("\n".join(lines) + "\n\n" + body + "\n")
                if placeholders:
                    err.print(f"note: {' and '.join(placeholders)} not set: placeholders shown", markup=False, highlight=False)
            elif stream:
                text = redact.stream()
                with client.run_untyped(model, payload, stream=True) as chunks:
                    for _ in chunks:
                        sys.stdout.write(text.feed(_delta_text(chunks.chunks[-1])))
                        sys.stdout.flush()
                sys.stdout.write(text.flush() + "\n")
            else:
                answer = client.run_untyped(model, payload)
                sys.stdout.write(json.dumps(redact.value(answer.output), ensure_ascii=False, indent=2) + "\n")
        except InvalidPayload as exc:
            err.print(f"[red]✗[/red] invalid payload, nothing sent: {len(exc.errors)} error(s) against {model}")
            err.print(_errors_table("", list(exc.errors)))
            raise typer.Exit(EXIT_INVALID) from None
        except APIError as exc:
            raise _fail(redact.text(f"{type(exc).__name__}: {exc}"), EXIT_REMOTE) from None
        except (UnknownModel, UsageError, SchemaLoadError) as exc:
            raise _fail(str(exc)) from None


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


COMMAND_PLUGINS = "cfai.commands"  # entry-point group: `register(app)` adds commands to the CLI


# The file system refused (read-only, full, a file-size limit, a quota, permissions): the user's
# environment, not a bug in cfai: exit 2 with the path, one line.
ENVIRONMENT_ERRNOS = frozenset(
    getattr(errno, name) for name in ("EROFS", "ENOSPC", "EFBIG", "EACCES", "EDQUOT", "EPERM") if hasattr(errno, name)
)


def environment_message(exc: OSError) -> str:
    where = exc.filename if exc.filename is not None else "the output"
    reason = exc.strerror or os.strerror(exc.errno or 0)
    return f"error: cannot write {where}: {reason} (the file system refused it; nothing was replaced)"


def _generator_commands() -> None:
    """generate, check, pull, diff, models, gate and regen belong to the generator package (`codegen`),
    which registers them through the `cfai.commands` entry point (`codegen.commands:register`): the
    library never imports it. Loading it is cheap (the toolchain loads inside each command); an
    installation without the entry point offers the run-time commands only."""
    for plugin in metadata.entry_points(group=COMMAND_PLUGINS):
        try:
            register = plugin.load()
        except ModuleNotFoundError:  # the plugin's package is gone (uninstalled, half-removed)
            continue
        register(app)


_generator_commands()


def run_cli(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the exit code. Whatever goes wrong becomes one line on stderr and the
    code that means it: a bug is 70, never 1 (which means "invalid")."""
    from .redact import Redactor

    try:
        code = app(args=list(sys.argv[1:] if argv is None else argv), prog_name="cfai", standalone_mode=False)
        return code if isinstance(code, int) else EXIT_OK
    except typer.TyperException as exc:  # usage: a bad option or argument (typer's click errors derive from it)
        if type(exc).__name__ == "NoArgsIsHelpError":  # `cfai` alone: the help is the message
            sys.stderr.write(exc.format_message() + "\n")
            return EXIT_USAGE
        ctx = getattr(exc, "ctx", None)
        command = ctx.command_path if ctx is not None else "cfai"
        err.print(f"error: {exc.format_message()} (see {command} --help)", markup=False, highlight=False)
        return EXIT_USAGE
    except (typer.Abort, KeyboardInterrupt):
        err.print("interrupted", markup=False, highlight=False)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (`| head`): nothing more to say to it
        return EXIT_OK
    except CfaiError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        return EXIT_USAGE
    except OSError as exc:
        if exc.errno not in ENVIRONMENT_ERRNOS:
            return _internal(exc, Redactor)
        err.print(environment_message(exc), markup=False, highlight=False)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - a bug: say so in one line, never as "invalid"
        return _internal(exc, Redactor)


def _internal(exc: BaseException, redactor: type[Any]) -> int:
    """A bug: one line (the token redacted), exit 70; CFAI_DEBUG=1 adds the traceback."""
    if os.environ.get("CFAI_DEBUG"):
        traceback.print_exception(exc)
    text = redactor([os.environ.get("CLOUDFLARE_API_TOKEN")]).text(f"{type(exc).__name__}: {exc}")
    err.print(f"cfai: internal error: {text} (a bug; CFAI_DEBUG=1 shows the traceback)", markup=False, highlight=False)
    return EXIT_INTERNAL


def main() -> None:  # pragma: no cover - console entry for `cfai`
    sys.exit(run_cli())
