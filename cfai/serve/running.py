"""Running the mock: in a background thread on a port of its own (tests), or in the foreground (CLI)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .app import ServeConfig, create_app

__all__ = ["ServeConfig", "serve_forever", "serving"]

BASE_PATH = "/client/v4"  # the API base URL path: CLOUDFLARE_BASE_URL is the server's URL plus this


@contextmanager
def serving(config: ServeConfig | None = None, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """The mock started in a thread; yields its API base URL (`http://127.0.0.1:PORT/client/v4`).

    The socket is bound here, before uvicorn starts, so the port is known and never raced for.
    """
    import uvicorn

    app = create_app(config)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"cfai-serve-{bound}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError(f"cfai serve did not start on {host}:{bound}")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{bound}{BASE_PATH}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def serve_forever(config: ServeConfig, *, host: str, port: int, access_log: bool = False) -> None:
    """Serve in the foreground until interrupted (`cfai serve`)."""
    import uvicorn

    uvicorn.run(create_app(config), host=host, port=port, log_level="info", access_log=access_log, lifespan="off")
