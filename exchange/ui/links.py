"""Page links without Streamlit's per-link path resolution: the st.Page a script path is registered as, kept.

`st.page_link("pages/lesson.py")` resolves the path on every call (getcwd, normpath, realpath, each a
system call that lets go of the GIL and waits to get it back behind other sessions) and compares it
with every registered page: a third of the Find-lessons page's server time for its cards at national
scale. An `st.Page` skips all that. The path is resolved once and the Page kept, per main script,
path and the URL path navigation registered it under (so a link never points anywhere else).
"""

from __future__ import annotations

import functools
import os
import threading

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

_pages: dict[tuple[str, str, str], st.Page] = {}
_lock = threading.Lock()


@functools.lru_cache(maxsize=256)
def _script_path(main_script: str, page: str) -> str:
    return os.path.realpath(os.path.join(os.path.dirname(os.path.join(os.getcwd(), main_script)), page))


def page(target):
    """The registered st.Page for a script path like "pages/lesson.py"; anything else (a Page, a URL, a path
    no navigation registered) is returned as given, for st.page_link to handle as it always does."""
    ctx = get_script_run_ctx()
    if not isinstance(target, str) or "://" in target or ctx is None:
        return target
    wanted = _script_path(ctx.main_script_path, target)
    for registered in ctx.pages_manager.get_pages().values():
        # The default page is registered with an empty URL path, which st.Page refuses: its links stay paths.
        if registered.get("script_path") == wanted and registered.get("url_pathname"):
            key = (ctx.main_script_path, target, registered["url_pathname"])
            with _lock:
                found = _pages.get(key)
                if found is None:
                    found = _pages[key] = st.Page(target, url_path=registered["url_pathname"])
            return found
    return target
