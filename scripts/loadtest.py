"""Load test: simulated people browse, search, open lessons and post, over Streamlit's own websocket protocol.

    .venv/bin/python scripts/loadtest.py --url http://127.0.0.1:8501 --people 25 --seconds 300 [--pid 1234 ...]
    .venv/bin/python scripts/loadtest.py --serve /tmp/copy.duckdb --people 10 --seconds 120   # starts one server itself
    .venv/bin/python scripts/loadtest.py --cluster 2 --people 50 --seconds 120 [--data national.duckdb] [--kill-one-after 60]

Each simulated person is what a browser tab is to the server: one websocket to /_stcore/stream that sends
`rerun_script` BackMsgs (the page, its query string, the widget values) and reads ForwardMsgs until the
script run finishes. An interaction's time is from sending the rerun to the run's `script_finished`:
the server's whole work for a click (script, services, garbage collection, queueing behind other
sessions), without the browser's rendering. Between interactions a person thinks for 5-10 s
(`--think`). The mix (weights in MIX): browse a filtered list, search, open a lesson, and, for people
signed in as a demo member, save a new draft lesson ("post"; a write, counted acknowledged when the
page confirms it).

Prints throughput, p50/p95 per interaction kind, errors, and each server process's CPU (share of one
core) and resident memory, read from /proc for the `--pid`s given (or the server `--serve` started).
`--json` adds one JSON object of the figures. `--serve DB` starts `streamlit run server.py` on a free
loopback port against DB (pass a copy: posting writes to it) and also reports its cold start: from
process start to the first page served. Point `--url` at nginx to load a cluster.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlparse

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
MIX = {"browse": 35, "search": 30, "lesson": 25, "post": 10}
WORDS = ["eviction", "participatory budgeting", "backlash", "tenant union", "hospital community benefit",
         "paid sick leave", "community organizers", "housing authority", "data dashboard", "trust", "heat",
         "school district", "transportation", "health equity", "training staff", "racism", "language access"]
FILTERS = [{"practice": "14"}, {"risk": "4"}, {"kind": "challenge"}, {"region": "5", "practice": "2"},
           {"state": "CA"}, {"jurisdiction": "county", "size": "small"}, {"year": "2021"}, {"page": "3"}, {}]
MEMBERS = [("member@demo.example.org", "member-demo-2026"), ("member2@demo.example.org", "member2-demo-2026")]
DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
        ForwardMsg.FINISHED_WITH_COMPILE_ERROR}
WIDGETS = ("text_input", "text_area", "button", "multiselect", "selectbox", "checkbox", "toggle")
DRAFT_PREFIX = "Load test draft "
SAVED = re.compile(r"Draft saved \(lesson #(\d+)\)")  # the page's confirmation: what counts as acknowledged
RUN = f"{os.getpid()}.{int(time.time())}"  # in every title this run posts: stored posts are counted by it


class InteractionFailed(Exception):
    """The server closed the connection, timed out, or the page did not show what the interaction needs."""


@dataclass
class Page:
    """What one script run drew: texts (markdown, headings, alerts), widgets by label, links to pages."""

    texts: list = field(default_factory=list)
    widgets: dict = field(default_factory=dict)   # label -> (kind, widget id)
    links: list = field(default_factory=list)     # page_link targets ("lesson?id=5" style)
    exception: bool = False
    first_drawn: float | None = None  # monotonic time the first element arrived (a "warming up" note counts)

    def widget(self, starts_with: str) -> tuple[str, str]:
        """The first widget whose label starts with this text."""
        for label, found in self.widgets.items():
            if label.startswith(starts_with):
                return found
        raise InteractionFailed(f"no widget labelled {starts_with!r} on the page")

    def says(self, text: str) -> bool:
        """True when some text on the page contains `text`."""
        return any(text in t for t in self.texts)


class Tab:
    """One browser tab's websocket to a Streamlit server."""

    def __init__(self, base: str, timeout: float = 60.0):
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.pages: dict[str, str] = {}   # url path -> page_script_hash (from the navigation message)
        self.ws = None

    async def connect(self) -> None:
        """Open the websocket as the browser does (subprotocol "streamlit", an Origin of this site)."""
        parsed = urlparse(self.base)
        scheme = "wss" if parsed.scheme == "https" else "ws"
        self.ws = await websockets.connect(f"{scheme}://{parsed.netloc}{parsed.path}/_stcore/stream",
                                           subprotocols=["streamlit"], origin=self.base, max_size=64 * 2**20,
                                           open_timeout=self.timeout)

    async def close(self) -> None:
        """Close the websocket."""
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()

    async def run(self, page: str = "", query: dict | None = None, widgets: list | None = None) -> Page:
        """Rerun the script for `page` (a url path, "" for the default) with this query and widget states."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = urlencode(query or {})
        state.page_name = page
        if page in self.pages:
            state.page_script_hash = self.pages[page]
        for widget_id, kind, value in widgets or []:
            ws = state.widget_states.widgets.add()
            ws.id = widget_id
            if kind == "trigger":
                ws.trigger_value = True
            elif kind == "string":
                ws.string_value = value
        await self.ws.send(msg.SerializeToString())
        return await self._until_finished()

    async def _until_finished(self) -> Page:
        drawn = Page()
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise InteractionFailed("timed out waiting for the page")
            try:
                raw = await asyncio.wait_for(self.ws.recv(), left)
            except (asyncio.TimeoutError, websockets.ConnectionClosed) as exc:
                raise InteractionFailed(f"{type(exc).__name__} waiting for the page") from exc
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "navigation":
                for p in fwd.navigation.app_pages:
                    self.pages[p.url_pathname] = p.page_script_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                if drawn.first_drawn is None:
                    drawn.first_drawn = time.monotonic()
                _collect(fwd.delta.new_element, drawn)
            elif kind == "script_finished" and fwd.script_finished in DONE:
                return drawn


def _collect(element, drawn: Page) -> None:
    kind = element.WhichOneof("type")
    if kind in ("markdown", "heading", "alert"):
        drawn.texts.append(getattr(element, kind).body)
    elif kind == "page_link":
        link = element.page_link
        drawn.links.append(f"{link.page}?{link.query_string}" if link.query_string else link.page)
    elif kind == "exception":
        drawn.exception = True
    elif kind in WIDGETS:
        widget = getattr(element, kind)
        drawn.widgets.setdefault(widget.label, (kind, widget.id))


# ---------------------------------------------------------------- people


@dataclass
class Stats:
    """Timings per interaction kind, errors, and posts the page acknowledged."""

    times: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    posts_acknowledged: int = 0
    saved: dict = field(default_factory=dict)  # lesson id -> the title its last acknowledged save stored

    def add(self, kind: str, seconds: float) -> None:
        """One interaction of this kind took this long."""
        self.times.setdefault(kind, []).append(seconds)

    def fail(self, kind: str, why: str) -> None:
        """One interaction of this kind failed."""
        self.errors.setdefault(kind, []).append(why)


class Person:
    """A simulated person: a tab that browses, searches, opens lessons and (if a member) posts drafts."""

    def __init__(self, number: int, base: str, stats: Stats, think: tuple, rng: random.Random, posting: bool):
        self.number, self.base, self.stats, self.think, self.rng = number, base, stats, think, rng
        self.account = MEMBERS[number % len(MEMBERS)] if posting else None
        self.lesson_ids: list[str] = []
        self.tab = Tab(base)

    async def timed(self, kind: str, page: str = "", query: dict | None = None, widgets: list | None = None) -> Page:
        """Run one interaction and record its time (or its failure)."""
        started = time.perf_counter()
        try:
            drawn = await self.tab.run(page, query, widgets)
        except InteractionFailed as exc:
            self.stats.fail(kind, str(exc))
            raise
        self.stats.add(kind, time.perf_counter() - started)
        if drawn.exception or drawn.says("Something went wrong on our side"):
            self.stats.fail(kind, "the page showed an error")
        self._remember_lessons(drawn)
        return drawn

    def _remember_lessons(self, drawn: Page) -> None:
        found = [link.split("id=")[1].split("&")[0] for link in drawn.links if "lesson" in link and "id=" in link]
        if found:
            self.lesson_ids = found

    async def start(self) -> None:
        """Open the tab and the home page; a posting person also signs in."""
        await self.tab.connect()
        await self.timed("first page")
        if self.account:
            await self.sign_in()

    async def sign_in(self) -> None:
        """Sign in through the account page's form (the tab stays signed in: no cookie needed)."""
        form = await self.tab.run("account")
        email, password = self.account
        drawn = await self.timed("sign in", "account", widgets=[
            (form.widget("Email")[1], "string", email), (form.widget("Password")[1], "string", password),
            (form.widget("Sign in")[1], "trigger", None)])
        if not drawn.says("You are signed in"):
            raise InteractionFailed("sign-in did not take")

    async def browse(self) -> None:
        """A filtered list of lessons (what a filter click or a shared link runs)."""
        await self.timed("browse", "home", self.rng.choice(FILTERS))

    async def search(self) -> None:
        """A search from the box (the page reads it from the address, as the box's callback sets it)."""
        await self.timed("search", "home", {"q": self.rng.choice(WORDS)})

    async def lesson(self) -> None:
        """Open one of the lessons the last list showed."""
        if not self.lesson_ids:
            await self.browse()
            return
        await self.timed("lesson", "lesson", {"id": self.rng.choice(self.lesson_ids)})

    async def post(self) -> None:
        """Start a new lesson, type a title and summary, save the draft; count it when the page confirms it."""
        if not self.account:
            await self.search()
            return
        form = await self.tab.run("post")
        with contextlib.suppress(InteractionFailed):  # after a first save the form keeps that draft open
            form = await self.tab.run("post", widgets=[(form.widget("Start another lesson")[1], "trigger", None)])
        title = f"{DRAFT_PREFIX}{RUN} {self.number}-{time.time():.3f}"
        drawn = await self.timed("post", "post", widgets=[
            (form.widget("Title")[1], "string", title),
            (form.widget("Summary")[1], "string", "What we tried, what happened and what we would change. " * 2),
            (form.widget("Save draft")[1], "trigger", None)])
        confirmed = [m for t in drawn.texts if (m := SAVED.search(t))]
        if confirmed:
            self.stats.posts_acknowledged += 1
            self.stats.saved[int(confirmed[0].group(1))] = title
        else:
            # The limit on new lessons per person and hour (kept in the database, so shared by every replica) says so.
            limited = drawn.says("lessons in the last hour")
            self.stats.fail("post", "refused: the hourly limit on new lessons" if limited else "no confirmation on the page")

    async def live(self, until: float) -> None:
        """Think, act, repeat until the deadline; reconnect after a dropped connection."""
        actions = [getattr(self, kind) for kind in MIX]
        weights = list(MIX.values())
        await asyncio.sleep(self.rng.uniform(0, self.think[1]))  # people arrive spread out
        while time.monotonic() < until:
            try:
                if self.tab.ws is None:
                    await self.start()
                await self.rng.choices(actions, weights)[0]()
            except (InteractionFailed, websockets.WebSocketException, OSError) as exc:
                self.stats.fail("connection", str(exc)[:120])
                await self.tab.close()
                self.tab = Tab(self.base)
                await asyncio.sleep(1)
                continue
            await asyncio.sleep(self.rng.uniform(*self.think))
        await self.tab.close()


# ---------------------------------------------------------------- the server's side


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(db: Path, log_path: Path, extra_env: dict | None = None, port: int | None = None):
    """`streamlit run server.py` on a free loopback port against `db`; yields (base URL, process)."""
    port = port or free_port()
    env = {**os.environ, "EXCHANGE_DB": str(db), "EXCHANGE_BACKUP_TIME": "off", **(extra_env or {})}
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "server.py"), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield f"http://127.0.0.1:{port}", proc
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


async def first_page(base: str, started: float, limit: float = 300.0) -> tuple[float, float]:
    """Seconds from `started` (a monotonic time) until the home page first showed something (its content, or a
    "warming up" note), and until its run finished (the whole page drawn)."""
    while True:
        tab = Tab(base, timeout=limit)
        try:
            await tab.connect()
            drawn = await tab.run()
            return (drawn.first_drawn or time.monotonic()) - started, time.monotonic() - started
        except (OSError, websockets.WebSocketException, InteractionFailed):
            if time.monotonic() - started > limit:
                raise
            await asyncio.sleep(0.05)
        finally:
            await tab.close()


# ---------------------------------------------------------------- the run


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def load(base: str, people: int, seconds: float, think: tuple, pids: list[int], posting_share: float,
               seed: int, kill_after: float | None = None) -> dict:
    """Run `people` simulated people for `seconds`; return the figures. With `kill_after`, kill -9 the first of
    `pids` that many seconds in (a replica of a cluster: its people reconnect through nginx to another)."""
    stats = Stats()
    rng = random.Random(seed)
    posting = max(1, round(people * posting_share)) if posting_share > 0 else 0
    crowd = [Person(i, base, stats, think, random.Random(rng.random()), posting=i < posting) for i in range(people)]
    cpu_before = {pid: cpu_seconds(pid) for pid in pids}
    started = time.monotonic()
    memory: dict[int, list[float]] = {pid: [] for pid in pids}

    async def sample_memory():  # resident memory over the run (a leak shows as a climb, not only at the end)
        while True:
            for pid in pids:
                with contextlib.suppress(OSError):
                    memory[pid].append(round(rss_mb(pid), 1))
            await asyncio.sleep(15)

    async def kill_one():
        await asyncio.sleep(kill_after)
        os.kill(pids[0], signal.SIGKILL)

    sampler = asyncio.ensure_future(sample_memory())
    killer = asyncio.ensure_future(kill_one()) if kill_after is not None and pids else None
    await asyncio.gather(*(p.live(started + seconds) for p in crowd))
    sampler.cancel()
    if killer is not None:
        killer.cancel()
    wall = time.monotonic() - started
    kinds = {kind: {"n": len(v), "p50_ms": round(statistics.median(v) * 1000, 1),
                    "p95_ms": round(percentile(v, 0.95) * 1000, 1)} for kind, v in sorted(stats.times.items())}
    counted = [t for kind, v in stats.times.items() if kind in MIX for t in v]
    figures = {
        "people": people, "seconds": round(wall, 1), "think_s": list(think),
        "interactions": len(counted),
        "throughput_per_s": round(len(counted) / wall, 2) if wall else 0.0,
        "p50_ms": round(statistics.median(counted) * 1000, 1) if counted else None,
        "p95_ms": round(percentile(counted, 0.95) * 1000, 1) if counted else None,
        "kinds": kinds,
        "errors": {kind: len(v) for kind, v in stats.errors.items()},
        "error_examples": {kind: v[0] for kind, v in stats.errors.items()},
        "posts_acknowledged": stats.posts_acknowledged,
        "drafts_acknowledged": {str(k): v for k, v in stats.saved.items()},  # a person's later save may update one
        "servers": {str(pid): {"cpu_percent": round(100 * (cpu_seconds(pid) - cpu_before[pid]) / wall, 1),
                               "rss_mb": round(rss_mb(pid), 1), "rss_mb_every_15s": memory[pid]}
                    for pid in pids if Path(f"/proc/{pid}").exists()},
        # Server CPU per interaction: what one click costs, whatever else the machine is doing meanwhile.
        "cpu_ms_per_interaction": round(1000 * sum(cpu_seconds(pid) - cpu_before[pid] for pid in pids
                                                   if Path(f"/proc/{pid}").exists()) / len(counted), 1)
        if pids and counted else None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "run": RUN,
    }
    if kill_after is not None and pids:
        figures["killed_pid_after_s"] = {str(pids[0]): kill_after}
    return figures


def print_report(figures: dict) -> None:
    """The figures as a short table."""
    print(f"{figures['people']} people, {figures['seconds']} s, think {figures['think_s'][0]}-{figures['think_s'][1]} s: "
          f"{figures['interactions']} interactions, {figures['throughput_per_s']}/s, "
          f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms")
    if "cold_start_s" in figures:
        print(f"cold start: first page shown {figures['cold_start_s']} s after the process started, "
              f"drawn in full after {figures['cold_start_whole_page_s']} s")
    for kind, row in figures["kinds"].items():
        print(f"  {kind:<12} n={row['n']:<6} p50 {row['p50_ms']:8.1f} ms   p95 {row['p95_ms']:8.1f} ms")
    for pid, row in figures["servers"].items():
        series = row.get("rss_mb_every_15s") or [row["rss_mb"]]
        print(f"  server {pid}: CPU {row['cpu_percent']}% of a core, RSS {series[0]} -> {row['rss_mb']} MB "
              f"(peak {max(series + [row['rss_mb']])} MB)")
    if figures["errors"]:
        print(f"  errors: {figures['errors']}  e.g. {figures['error_examples']}")
    if figures["cpu_ms_per_interaction"] is not None:
        print(f"  server CPU per interaction: {figures['cpu_ms_per_interaction']} ms")
    stored = (f" (saves of {len(figures['drafts_acknowledged'])} drafts), drafts stored as acknowledged: "
              f"{figures['posts_stored']}, lost: {len(figures['acknowledged_drafts_lost'])}"
              if "posts_stored" in figures else "")
    print(f"  posts acknowledged: {figures['posts_acknowledged']}{stored}; load average {figures['load_average']}")
    if "replicas" in figures:
        print(f"  cluster: {figures['replicas']} replica(s) behind nginx on PostgreSQL"
              + (f"; killed {list(figures['killed_pid_after_s'])[0]} after {list(figures['killed_pid_after_s'].values())[0]} s"
                 if "killed_pid_after_s" in figures else ""))


def _cluster_module():
    if str(ROOT / "scripts") not in sys.path:  # run as a script, scripts/ is already first; loaded by a test, not
        sys.path.insert(0, str(ROOT / "scripts"))
    import cluster

    return cluster


def run_cluster(args, run) -> dict:
    """--cluster N: a local PostgreSQL (seeded once), N replicas and nginx; the load through nginx; posts stored."""
    import psycopg

    cl = _cluster_module()
    local = cl.LocalPostgres(args.folder / "postgres")
    url = local.start()
    cluster = None
    try:
        cl.seed(url, args.seed_file, args.folder, dict(os.environ))
        env = {**os.environ, "EXCHANGE_BACKUP_TIME": "off", **dict(item.split("=", 1) for item in args.env)}
        cluster = cl.Cluster(url, replicas=args.cluster, listen=free_port(), first_port=free_port(),
                             folder=args.folder, env=env)
        cluster.start()
        ready_by = time.monotonic() + 600  # every replica's index built (the warm-up), as after a quiet start
        while any(cl.http_status(f"{r.url}/readyz", timeout=5) != 200 for r in cluster.members):
            if time.monotonic() > ready_by:
                raise SystemExit("the replicas did not become ready within 10 minutes; see " + str(args.folder))
            time.sleep(1)
        figures = run(cluster.base, [r.proc.pid for r in cluster.members], {"replicas": args.cluster})
        with psycopg.connect(url) as con:  # each acknowledged draft holds what its last acknowledged save said
            acknowledged = {int(k): v for k, v in figures["drafts_acknowledged"].items()}
            stored = dict(con.execute("SELECT id, title FROM lessons WHERE id = ANY(%s)", [list(acknowledged)]).fetchall())
        figures["posts_stored"] = sum(stored.get(k) == v for k, v in acknowledged.items())
        figures["acknowledged_drafts_lost"] = sorted(k for k, v in acknowledged.items() if stored.get(k) != v)
        return figures
    finally:
        if cluster is not None:
            cluster.stop(say=lambda *_: None)
        local.stop()


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run the load, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="a running server (or nginx in front of several)")
    target.add_argument("--serve", type=Path, metavar="DB", help="start one server on this database (a copy!)")
    target.add_argument("--cluster", type=int, metavar="N", help="start PostgreSQL, N replicas and nginx "
                        "(scripts/cluster.py) and load them through nginx")
    parser.add_argument("--data", dest="seed_file", type=Path, metavar="FILE.duckdb",
                        help="for --cluster: the data to copy into its PostgreSQL on first use (default: demo data)")
    parser.add_argument("--folder", type=Path, default=ROOT / "var" / "loadtest-cluster",
                        help="for --cluster: its PostgreSQL (kept between runs: copied once), logs, secret")
    parser.add_argument("--kill-one-after", type=float, metavar="SECONDS",
                        help="kill -9 one server this many seconds into the run (with --cluster: one replica)")
    parser.add_argument("--pid", type=int, action="append", default=[], help="a server process to measure (repeat)")
    parser.add_argument("--people", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--think", type=float, nargs=2, default=(5.0, 10.0), metavar=("MIN", "MAX"))
    parser.add_argument("--posting-share", type=float, default=0.2, help="share of people signed in who post")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="for --serve")
    parser.add_argument("--log", type=Path, default=Path("/tmp/loadtest-server.log"), help="for --serve")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    think = (min(args.think), max(args.think))

    def run(base: str, pids: list[int], extra: dict) -> dict:
        figures = asyncio.run(load(base, args.people, args.seconds, think, pids, args.posting_share, args.seed,
                                   args.kill_one_after))
        return {**extra, **figures}

    if args.url:
        figures = run(args.url, args.pid, {})
    elif args.cluster:
        figures = run_cluster(args, run)
    else:
        env = dict(item.split("=", 1) for item in args.env)
        started = time.monotonic()
        with serve(args.serve, args.log, env) as (base, proc):
            shown, whole = asyncio.run(first_page(base, started))
            figures = run(base, [proc.pid, *args.pid], {"cold_start_s": round(shown, 2),
                                                         "cold_start_whole_page_s": round(whole, 2)})
    print_report(figures)
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
