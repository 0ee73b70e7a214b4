"""Model references: a model's name with its payload, reply and stream-chunk types attached.

`cfai_models.llama_3_1_8b_instruct.messages` is a `ModelRef[[MessagesInput], Output, Chunk]`, so
`cf.run(llama.messages, {...})` is checked by the type checker against that one TypedDict, without
overload resolution: a misspelt key or a wrong value type is reported at the key, by mypy and by
pyright alike ("Extra key "temprature" for TypedDict "MessagesInput""). The payload's type travels
in a `ParamSpec` rather than a plain type variable because mypy cannot infer a type variable shared
by the reference and a dict literal ("Cannot infer value of type parameter"); with a `ParamSpec` the
reference fixes the signature and the literal is checked against it.

A reference costs the type checker only its own model: each model's module imports its one types
module, never the catalog. At run time it is a name and an optional variant, nothing more.
"""

from __future__ import annotations

from typing import Any, Generic, ParamSpec, TypeVar

__all__ = ["ModelRef"]

P = ParamSpec("P")
O_co = TypeVar("O_co", covariant=True)
C_co = TypeVar("C_co", covariant=True)


class ModelRef(Generic[P, O_co, C_co]):
    """A model (`name`) and, optionally, the input variant a payload is meant for (`variant`, such
    as `ChatCompletionsInput`): `P` is the payload's parameter list, `O_co` the reply's type and
    `C_co` a streamed chunk's. Given to `cfai.Client.run`, `stream`, `chat_completions`, `responses`."""

    __slots__ = ("name", "variant")

    def __init__(self, name: str, variant: str | None = None) -> None:
        self.name = name
        self.variant = variant

    def __repr__(self) -> str:
        return f"ModelRef({self.name!r}" + (f", {self.variant!r})" if self.variant else ")")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ModelRef) and (self.name, self.variant) == (other.name, other.variant)

    def __hash__(self) -> int:
        return hash((self.name, self.variant))


def model_name(model: ModelRef[..., Any, Any] | str) -> str:
    """The model's name, from a reference or a name."""
    return model.name if isinstance(model, ModelRef) else model
