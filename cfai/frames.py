"""The type of one Workers AI stream frame (`data: {"response": "Hel", "p": "…"}`).

Its own module so that `import cfai.client` does not define a pydantic model before any stream is
read (`cfai.stream.WorkersAIChunk` imports it on first use).
"""

from __future__ import annotations

from typing import Any

import pydantic

__all__ = ["WorkersAIChunk"]


class WorkersAIChunk(pydantic.BaseModel):
    """One Workers AI stream frame. Keys beyond these are kept (`model_extra`, and in `Stream.chunks`)."""

    model_config = pydantic.ConfigDict(extra="allow")

    response: str | dict[str, Any] | None = None  # a piece of the text ("" on the usage frame)
    p: str | None = None  # padding: meaningless, never part of the text
    usage: dict[str, Any] | None = None
    tool_calls: list[Any] | None = None
