"""The pytest plugin (entry point `pytest11`, loaded by every pytest that has cfai-bindings installed).

    def test_my_app(cfai_server, monkeypatch):            # the mock, once per session, on 127.0.0.1
        monkeypatch.setenv("CLOUDFLARE_BASE_URL", cfai_server)   # http://127.0.0.1:PORT/client/v4
        ...

    def test_payload(cfai_contract):
        cfai_contract("openai/gpt-5.5", payload)                 # fails with every located error
        cfai_contract.answer("openai/gpt-5.5", body)             # an answer (an /ai/run envelope is unwrapped)

Options: --cfai-schemas DIR, --cfai-recordings DIR, --cfai-seed N, --cfai-fault SPEC (or the ini
keys cfai_schemas, cfai_recordings, cfai_seed). Nothing heavy is imported until a fixture is used.

A test that uses `cfai_server` or `cfai_contract` fails on a `cfai.ContractWarning` (an answer the
client returned although it breaks the output schema): the plugin gives it the mark
`filterwarnings("error::cfai.ContractWarning")`, placed before the test's own marks so that a
test's (or its module's) own `filterwarnings("default::cfai.ContractWarning")` still wins.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .envelope import unwrap
from .errors import PayloadError
from .validate import Registry, default_registry

__all__ = ["CONTRACT_WARNINGS_FAIL", "Contract"]

# The warning filter given to every test using the plugin's fixtures.
CONTRACT_WARNINGS_FAIL = "error::cfai.ContractWarning"
_FIXTURES = frozenset({"cfai_server", "cfai_contract"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.filterwarnings(CONTRACT_WARNINGS_FAIL), append=False)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cfai", "cfai contract mock (cfai serve)")
    group.addoption("--cfai-schemas", default=None, help="schema root for cfai_server and cfai_contract")
    group.addoption("--cfai-recordings", default=None, help="recorded answers served by cfai_server")
    group.addoption("--cfai-seed", default=None, type=int, help="seed of cfai_server's generated answers")
    group.addoption("--cfai-fault", default="", help="a fault for every request to cfai_server (cfai-fault syntax)")
    parser.addini("cfai_schemas", "schema root for cfai_server and cfai_contract", default="")
    parser.addini("cfai_recordings", "recorded answers served by cfai_server", default="")
    parser.addini("cfai_seed", "seed of cfai_server's generated answers", default="0")


def _path(config: pytest.Config, name: str) -> Path | None:
    value = config.getoption(f"--cfai-{name}") or config.getini(f"cfai_{name}")
    return Path(str(value)).expanduser().resolve() if value else None


class Contract:
    """Asserts payloads and answers against a model's schema; the failure lists every located error."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def errors(self, model: str, value: Any, side: str = "input") -> list[PayloadError]:
        return self.registry.validator(model, side).errors(value)

    def __call__(self, model: str, payload: Any, side: str = "input") -> None:
        __tracebackhide__ = True  # the user's assertion line, not ours, is where the failure is
        errors = self.errors(model, payload, side)
        if errors:
            lines = "\n".join(f"  {e.path}: {e.message} [rule {e.rule}, limit {e.limit!r}]" for e in errors)
            variant = next((e.variant for e in errors if e.variant), None)
            against = f"{model} {side} ({errors[0].schema_file}{', variant ' + variant if variant else ''})"
            raise AssertionError(f"{len(errors)} contract error(s) against {against}:\n{lines}")

    def answer(self, model: str, body: Any) -> None:
        __tracebackhide__ = True
        self(model, unwrap(body), "output")


@pytest.fixture(scope="session")
def cfai_server(pytestconfig: pytest.Config) -> Iterator[str]:
    """The contract mock on a free port of 127.0.0.1 for the whole session; its API base URL."""
    from .serve import ServeConfig, serving

    seed = pytestconfig.getoption("--cfai-seed")
    config = ServeConfig(
        schemas=_path(pytestconfig, "schemas"),
        recordings=_path(pytestconfig, "recordings"),
        seed=int(seed if seed is not None else pytestconfig.getini("cfai_seed") or 0),
        faults=pytestconfig.getoption("--cfai-fault") or "",
    )
    with serving(config) as url:
        yield url


@pytest.fixture(scope="session")
def cfai_contract(pytestconfig: pytest.Config) -> Contract:
    """`cfai_contract(model, payload)` / `cfai_contract.answer(model, body)`."""
    root = _path(pytestconfig, "schemas")
    return Contract(Registry(root) if root else default_registry())
