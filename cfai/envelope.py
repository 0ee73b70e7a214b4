"""The Cloudflare API envelope: `{"result": …, "success": …, "errors": […], "messages": […]}`.

`/ai/run/{model}` wraps the model's output in it (the Workers binding answers `{"result", "state"}`);
the OpenAI-compatible endpoints answer plain. Contracts are written against the plain output.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["is_envelope", "unwrap"]

_MARKERS = {"success", "state", "errors", "messages"}


def is_envelope(body: Any) -> bool:
    """A mapping with `result` and at least one of the envelope's other keys."""
    return isinstance(body, Mapping) and "result" in body and bool(_MARKERS & body.keys())


def unwrap(body: Any) -> Any:
    """The model output inside an envelope, or `body` itself when it is not enveloped."""
    return body["result"] if is_envelope(body) else body
