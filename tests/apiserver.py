"""The API's routes served by uvicorn on a free loopback port, for tests that speak real HTTP."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import uvicorn
from starlette.applications import Starlette

from exchange.api import routes


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(db, *, per_minute: int = 100_000):
    """Serve the API over `db`; yields the base URL ("http://127.0.0.1:PORT")."""
    port = free_port()
    app = Starlette(routes=routes.build(lambda: db, per_minute=per_minute))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
