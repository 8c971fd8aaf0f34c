"""The server: Streamlit's app (app.py) plus the routes and headers of exchange/ui/web.py.

Run with `streamlit run server.py` (what `make run` does) or any ASGI server
(`uvicorn server:app`). Running `streamlit run app.py` still works, but without the
sign-in cookie: each tab then signs in by itself.
"""

import streamlit as st
from starlette.middleware import Middleware

from exchange import config

config.exit_on_error()  # a bad EXCHANGE_* value: one line naming it, before any import reads it
from exchange.ui import ops_web, web  # noqa: E402

ops_web.install_logging()  # JSON lines from the first message on (again at start-up: uvicorn sets up its own)
app = st.App("app.py", routes=web.ROUTES, middleware=[Middleware(ops_web.RequestLog), Middleware(web.SecurityHeaders)],
             lifespan=web.lifespan)
