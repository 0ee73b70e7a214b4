"""`cfai serve`: a contract mock of Cloudflare's AI API, for testing applications offline.

`serving(ServeConfig(...))` runs it on 127.0.0.1 in a thread (the pytest plugin's `cfai_server`);
`cfai serve` runs it in the foreground. Starlette and uvicorn are imported only here, so importing
`cfai` never loads them.
"""

from __future__ import annotations

from .running import ServeConfig, serve_forever, serving

__all__ = ["ServeConfig", "serve_forever", "serving"]
