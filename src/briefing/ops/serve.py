"""`briefing serve`: a local preview page that follows every save.

The page lists the sponsors and the book with page thumbnails; a click shows one PDF's pages
large. Every save under data/, templates/ or assets/ runs the ordinary incremental build (only
what changed is printed again); the open page hears about it through server-sent events and
swaps its content in place. When the data is invalid the page shows the located errors instead
of pages that no longer match the files, and the pages come back as soon as the files are fixed.

The HTML as served is complete without JavaScript; the small script only adds live updates.

It is a local tool for one editor and behaves like one (README, "serve"):

- The standard library's HTTP server (``http.server``), on a bounded pool of threads
  (``concurrent.futures``): at most ``Limits.connections`` connections at once, each with
  ``Limits.read`` seconds to send its request and ``Limits.idle`` seconds between bytes; when
  all are taken, the connection that has waited longest for its request is closed. At most
  ``Limits.streams`` live-update streams: a new one closes the oldest (its page reconnects).
- Only the Host values it serves are answered (127.0.0.1, localhost, [::1] and the bound name,
  with the port); any other gets 421, so a web page cannot read it through DNS rebinding. A
  request that carries a foreign Origin gets 403.
- It shows only what its own builds wrote: after each build, while the run's lock is still
  held, every listed PDF is read (never through a symbolic link), checked against the hash the
  build recorded in the manifest, and kept as a snapshot named by that hash under
  OUT/.cache/preview/; page images are rendered from the snapshot and keyed by the hash. A
  file rewritten later, by a CLI build or anyone else, is not shown until the next build.
- Errors are located messages (FILE:LINE: what), without stack traces or absolute paths;
  ``--debug`` shows the full text.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import os
import re
import socket
import stat
import threading
import time
import traceback
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from briefing.build.manifest import Manifest
from briefing.build.options import Options
from briefing.build.pipeline import build
from briefing.data.audience import project_view
from briefing.data.load import load_project, shown
from briefing.documents.outputs import book_output, sponsor_output
from briefing.errors import BriefingError, DataError, Problem
from briefing.files import write_atomic
from briefing.ops.lock import run_lock
from briefing.ops.watch import follow
from briefing.pdf.pages import page_count
from briefing.processes import ask_stop
from briefing.render.variants import FULL

THUMB_WIDTH, LARGE_WIDTH = 180, 900
THUMBS_SHOWN = 6  # per PDF on the overview; the full set is one click away
KEEPALIVE_SECONDS = 15.0
SNAPSHOTS = Path(".cache") / "preview"  # under the output folder
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


@dataclass(frozen=True)
class Limits:
    """What one preview holds at most (a browser tab needs a handful of connections)."""

    connections: int = 32  # open at once, each on a thread of the pool
    streams: int = 8  # live-update streams; a new one closes the oldest
    read: float = 10.0  # seconds for a request's line and headers to arrive
    idle: float = 10.0  # seconds without a byte either way


@dataclass(frozen=True)
class Entry:
    """One PDF on the page."""

    name: str  # file name in the output folder, e.g. acme.pdf
    title: str
    pages: int
    stamp: str  # the snapshot's content hash, so image URLs change when the PDF does
    error: str = ""


@dataclass(frozen=True)
class State:
    version: int = 0
    building: bool = True
    entries: tuple[Entry, ...] = ()
    errors: tuple[Problem, ...] = ()
    warnings: tuple[str, ...] = ()
    finished: str = ""  # time of the last build, for the status line
    seconds: float = 0.0


_FRAME = re.compile(r'File "([^"]+)", line (\d+)')
_ABSOLUTE = re.compile(r"(?<![\w.:/])/(?:[^\s/:\"'(),]+/)+([^\s/:\"'(),]+)")


def plain_message(message: str, root: Path, *, debug: bool = False) -> str:
    """An error as the page shows it: the message, located at the template line that raised it
    when a traceback says so, with paths relative to the project and no stack trace. ``debug``
    keeps the whole text."""
    if debug:
        return message
    head, _, trace = message.partition("Traceback (most recent call last):")
    head = head.strip() or "the build failed"
    frames = [(name, line) for name, line in _FRAME.findall(trace) if not name.endswith(".py")]
    if frames:  # Jinja reports a template's frames under the template's own file name
        name, line = frames[-1]
        head = f"{name}:{line}: {head}"
    for base in sorted({str(root.resolve()), str(root.absolute())}, key=len, reverse=True):
        head = head.replace(base + os.sep, "")
    return _ABSOLUTE.sub(lambda m: m.group(1), head)  # anything else: its file name only


def _read_regular(path: Path) -> bytes:
    """The bytes of a regular file; never through a symbolic link (OSError then)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path.name} is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(fd)


class Preview:
    """The build state the page shows, rebuilt on demand; thread-safe."""

    def __init__(self, data_dir: Path, out_dir: Path, jobs: int = 0, *, debug: bool = False):
        self.data_dir, self.out_dir, self.jobs, self.debug = Path(data_dir), Path(out_dir), jobs, debug
        self.root = self.data_dir.absolute().parent
        self.snapshots = self.out_dir / SNAPSHOTS
        self.state = State()
        self._changed = threading.Condition()
        self._pdf_lock = threading.Lock()  # PDFium is not thread-safe
        self._images: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()

    # --- state ------------------------------------------------------------------------

    def _publish(self, **changes: object) -> None:
        with self._changed:
            self.state = replace(self.state, version=self.state.version + 1, **changes)  # type: ignore[arg-type]
            self._changed.notify_all()

    def wake(self) -> None:
        """Wake every waiting stream (one is to close, or the server stops)."""
        with self._changed:
            self._changed.notify_all()

    def wait(self, seen: int, timeout: float, until: Callable[[], bool] = lambda: False) -> int:
        """Block until the state is newer than ``seen``, ``until()`` holds or ``timeout``; return the version."""
        with self._changed:
            self._changed.wait_for(lambda: self.state.version != seen or until(), timeout)
            return self.state.version

    def _failed(self, started: float, problems: tuple[Problem, ...]) -> None:
        self._publish(building=False, errors=problems, entries=(), warnings=(),
                      finished=time.strftime("%H:%M:%S"), seconds=time.monotonic() - started)

    def rebuild(self) -> None:
        """Run the incremental build and publish pages, or the located errors."""
        self._publish(building=True)
        started = time.monotonic()
        try:
            project = load_project(self.data_dir, cache=self.out_dir / ".cache" / "data")
            visible = project_view(project, project.levels.base)  # what the default build prints
            titles = [(sponsor_output(slug, FULL), sponsor.name) for slug, sponsor in visible.sponsors.items()]
            titles.append((book_output(FULL), project.book.title))
            with run_lock(self.out_dir, wait=True):
                report = build(Options(data_dir=self.data_dir, out_dir=self.out_dir, jobs=self.jobs),
                               progress=partial(self._printed, dict(titles)), project=project)
                failed = {name: self._plain(error) for name, error in report.failed}
                manifest = Manifest.load(self.out_dir)
                # snapshots taken while this run still holds the folder: exactly what it wrote
                entries = tuple(self._snapshot(manifest, name, title, report.pages.get(name, 0), failed.get(name, ""))
                                for name, title in titles)
        except DataError as err:
            self._failed(started, tuple(replace(p, message=self._plain(p.message)) for p in err.problems))
            return
        except Exception as err:  # noqa: BLE001 - a render error, a folder that went away: shown, watched on
            text = f"{type(err).__name__}: {err}\n{traceback.format_exc()}" if self.debug else str(err)
            self._failed(started, (Problem(shown(self.data_dir), self._plain(text)),))
            return
        self._publish(building=False, errors=(), entries=entries,
                      warnings=tuple(self._plain(w) for w in report.warnings),
                      finished=time.strftime("%H:%M:%S"), seconds=report.seconds)
        self._prune({e.stamp for e in entries})

    def _printed(self, titles: dict[str, str], event: str, name: str, seconds: float | None = None) -> None:
        """A sponsor PDF is written: show its new pages now, while the book is still being bound
        (the editor saved that sponsor's file and waits for its pages, not for the book's)."""
        listed = [e.name for e in self.state.entries]
        if event != "done" or name not in titles or name not in listed or name == book_output(FULL):
            return  # the first build, a new sponsor and the book are shown when the build ends
        try:
            data = _read_regular(self.out_dir / name)
            entry = self._keep(name, titles[name], page_count(data), data)
        except (OSError, BriefingError):
            return  # the build's own end publishes it, or says what went wrong
        self._publish(entries=tuple(entry if e.name == name else e for e in self.state.entries))

    def _plain(self, message: str) -> str:
        return plain_message(message, self.root, debug=self.debug)

    def _snapshot(self, manifest: Manifest, name: str, title: str, pages: int, error: str) -> Entry:
        if error:
            return Entry(name, title, pages, "", error)
        recorded = manifest.outputs.get(name, {}).get("sha256")
        if recorded and (self.snapshots / f"{recorded}.pdf").is_file():
            # kept already (an unchanged output, or a sponsor shown as soon as it was written):
            # not read and hashed again on every save
            return Entry(name, title, pages, recorded, "")
        try:
            data = _read_regular(self.out_dir / name)
        except OSError:
            return Entry(name, title, pages, "", "not found in the output folder as a file this build wrote")
        if recorded and recorded != hashlib.sha256(data).hexdigest():
            return Entry(name, title, pages, "", "the file differs from what the build recorded; save a file to "
                                                 "build again")
        return self._keep(name, title, pages, data)

    def _keep(self, name: str, title: str, pages: int, data: bytes) -> Entry:
        """The snapshot of a PDF this preview's build wrote, named by its content hash."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.snapshots / f"{digest}.pdf"
        if not target.is_file():
            write_atomic(target, data, stage="preview snapshot")
        return Entry(name, title, pages, digest, "")

    def _prune(self, keep: set[str]) -> None:
        with contextlib.suppress(OSError):
            for old in self.snapshots.glob("*.pdf"):
                if old.stem not in keep:
                    old.unlink()

    # --- page images ----------------------------------------------------------------------

    def image(self, name: str, page: int, width: int) -> bytes | None:
        """PNG of one page of a PDF the page lists (never any other file), from its snapshot, cached."""
        entry = next((e for e in self.state.entries if e.name == name and not e.error), None)
        if entry is None or not 0 <= page < entry.pages or width not in (THUMB_WIDTH, LARGE_WIDTH):
            return None
        key = (entry.stamp, page, width)
        with self._pdf_lock:
            if key not in self._images:
                try:
                    self._images[key] = _render_png(_read_regular(self.snapshots / f"{entry.stamp}.pdf"), page, width)
                except Exception:  # noqa: BLE001 - a snapshot replaced by a newer build meanwhile
                    return None
                while len(self._images) > 400:  # a few MB at most
                    self._images.popitem(last=False)
            return self._images[key]


def _render_png(pdf_bytes: bytes, page: int, width: int) -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        sheet = pdf[page]
        bitmap = sheet.render(scale=width / sheet.get_width())
        buffer = io.BytesIO()
        bitmap.to_pil().save(buffer, "PNG", optimize=False)
        return buffer.getvalue()
    finally:
        pdf.close()


# --- HTML -------------------------------------------------------------------------------

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f4f5f7}
header{background:#17324d;color:#fff;padding:.8rem 1.5rem;display:flex;gap:1.5rem;align-items:baseline}
header a{color:#fff}main{padding:1rem 1.5rem}h1{font-size:1.2rem;margin:0}
.status{opacity:.85;font-size:.9rem}.cards{display:flex;flex-direction:column;gap:1rem}
.card{background:#fff;border:1px solid #d8dce1;border-radius:6px;padding:.8rem 1rem}
.card h2{font-size:1.05rem;margin:0 0 .5rem}.thumbs{display:flex;flex-wrap:wrap;gap:.5rem}
.thumbs img{width:180px;border:1px solid #c8cdd3;background:#fff}
.pages img{display:block;width:900px;max-width:100%;margin:0 auto 1rem;border:1px solid #c8cdd3;background:#fff}
.errors{background:#fff4f4;border:2px solid #b3261e;border-radius:6px;padding:1rem 1.2rem}
.errors h2{color:#b3261e;margin-top:0;font-size:1.1rem}.errors li{margin:.35rem 0}
code{font-family:ui-monospace,monospace;font-size:.92em}.where{font-weight:600}
.warnings{color:#6b4e00;font-size:.9rem}.failed{color:#b3261e}
"""

_SCRIPT = """// Live updates: the server says when the build state changed; swap <main> in place.
(function () {
  var seen = document.body.getAttribute("data-version");
  var source = new EventSource("/events");
  source.onmessage = function (event) {
    if (event.data === seen) { return; }
    fetch(location.href, {cache: "no-store"}).then(function (r) { return r.text(); }).then(function (text) {
      var page = new DOMParser().parseFromString(text, "text/html");
      seen = page.body.getAttribute("data-version");
      document.body.setAttribute("data-version", seen);
      document.querySelector("main").replaceWith(page.querySelector("main"));
      document.querySelector(".status").replaceWith(page.querySelector(".status"));
    });
  };
})();
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _img(entry: Entry, page: int, width: int) -> str:
    src = f"/img/{quote(entry.name)}/{page + 1}-{width}.png?v={entry.stamp}"
    return (f'<img src="{src}" width="{width}" alt="{_e(entry.title)}, page {page + 1} of {entry.pages}"'
            ' loading="lazy">')


def _errors_html(errors: tuple[Problem, ...]) -> str:
    items = []
    for p in errors:
        where = p.file + (f":{p.line}" if p.line else "") + (f":{p.column}" if p.line and p.column else "")
        field_ = f" <code>{_e(p.field)}</code>:" if p.field else ""
        items.append(f'<li><span class="where">{_e(where)}</span>:{field_} {_e(p.message)}</li>')
    count = len(errors)
    return (f'<section class="errors" role="alert"><h2>{count} problem{"s" * (count != 1)} in the data; '
            "the pages will come back as soon as the files are fixed</h2>"
            f'<ol>{"".join(items)}</ol></section>')


def _card(entry: Entry) -> str:
    link = f'<a href="/view/{quote(entry.name)}">{_e(entry.title)}</a>'
    if entry.error:
        body = f'<p class="failed">could not be printed: {_e(entry.error)}</p>'
    else:
        shown_pages = min(entry.pages, THUMBS_SHOWN)
        more = f"<p>{entry.pages} pages; click the title to see them all.</p>" if entry.pages > shown_pages else ""
        body = (f'<a class="thumbs" href="/view/{quote(entry.name)}">'
                f'{"".join(_img(entry, i, THUMB_WIDTH) for i in range(shown_pages))}</a>{more}')
    return f'<section class="card" data-pdf="{_e(entry.name)}"><h2>{link}</h2>{body}</section>'


def _status(state: State) -> str:
    if state.building:
        return '<span class="status">building…</span>'
    if not state.finished:
        return '<span class="status">starting…</span>'
    return f'<span class="status">built at {_e(state.finished)} ({state.seconds:.1f} s); watching for saves</span>'


def page(state: State, view: str | None = None) -> str:
    """The whole page, complete without JavaScript: the PDFs (or one PDF's pages) or the errors."""
    warnings = "".join(f"<li>{_e(w)}</li>" for w in state.warnings)
    if state.errors:
        content = _errors_html(state.errors)
    elif not state.entries:
        content = "<p>The first build is running; this page fills in when it is done.</p>"
    elif view is None:
        content = f'<div class="cards">{"".join(_card(e) for e in state.entries)}</div>'
    else:
        entry = next((e for e in state.entries if e.name == view), None)
        if entry is None:
            content = f"<p>No PDF called {_e(view)} in this build. <a href=\"/\">Back to the list</a></p>"
        elif entry.error:
            content = _card(entry)
        else:
            pages = "".join(_img(entry, i, LARGE_WIDTH) for i in range(entry.pages))
            content = (f'<p><a href="/">← all PDFs</a></p><h2>{_e(entry.title)}</h2>'
                       f'<div class="pages">{pages}</div>')
    if warnings and not state.errors:
        content += f'<ul class="warnings">{warnings}</ul>'
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Briefing preview</title><meta name=\"viewport\" content=\"width=device-width\">"
            f"<style>{_STYLE}</style></head><body data-version=\"{state.version}\">"
            f"<header><h1><a href=\"/\">Briefing preview</a></h1>{_status(state)}</header>"
            f"<main>{content}</main><script src=\"/live.js\"></script></body></html>")


# --- HTTP -------------------------------------------------------------------------------

_IMAGE = re.compile(r"/img/([^/]+)/([0-9]{1,5})-([0-9]{1,4})\.png", re.ASCII)
_VIEW = re.compile(r"/view/([^/]+)", re.ASCII)


class PreviewServer(HTTPServer):
    """``http.server`` on a bounded pool: at most ``limits.connections`` open connections, each
    with a deadline for its request; ``limits.streams`` live-update streams, the oldest closed."""

    request_queue_size = 128  # the listen backlog: a burst of connections waits to be accepted, not dropped

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], *, family: int,
                 limits: Limits, preview: Preview, stopping: threading.Event):
        self.address_family = family
        self.limits, self.preview, self.stopping = limits, preview, stopping
        self.hosts: frozenset[str] = frozenset()
        self._pool = ThreadPoolExecutor(max_workers=limits.connections, thread_name_prefix="http")
        self._guard = threading.Lock()
        self._open: dict[socket.socket, float] = {}  # connection -> when its request is due (inf: read)
        self._streams: deque[threading.Event] = deque()
        super().__init__(address, handler)

    def server_bind(self) -> None:  # no reverse DNS lookup (HTTPServer's getfqdn) at start
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()[:2]
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def allow(self, bound: str) -> None:
        """The Host values answered: the loopback names and ``bound``, with the port."""
        port = self.server_port
        names = {*LOOPBACK_NAMES, f"[{bound}]" if ":" in bound else bound}
        self.hosts = frozenset({f"{n.lower()}:{port}" for n in names} | ({n.lower() for n in names} if port == 80
                                                                          else set()))

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._guard:
            if len(self._open) >= self.limits.connections:
                waiting = [(due, conn) for conn, due in self._open.items() if due != float("inf")]
                if not waiting:  # every connection is being answered: this one waits for none
                    self.shutdown_request(request)
                    return
                _, oldest = min(waiting, key=lambda pair: pair[0])
                self._cut(oldest)
            request.settimeout(self.limits.idle)
            self._open[request] = time.monotonic() + self.limits.read
        try:
            self._pool.submit(self._work, request, client_address)
        except RuntimeError:  # stopping: the pool takes no more
            self.shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away is not news (the default prints a traceback)

    def _work(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:  # noqa: BLE001 - a client that went away, timed out or was cut: nothing to say
            pass
        finally:
            with self._guard:
                self._open.pop(request, None)
            self.shutdown_request(request)

    def _cut(self, conn: socket.socket) -> None:
        self._open[conn] = float("inf")  # cut once
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_RDWR)  # its thread's read returns at once

    def service_actions(self) -> None:
        """Close connections whose request did not arrive in time (serve_forever calls this twice a second)."""
        now = time.monotonic()
        with self._guard:
            for conn, due in list(self._open.items()):
                if due < now:
                    self._cut(conn)

    def request_read(self, conn: socket.socket) -> None:
        with self._guard:
            if conn in self._open:
                self._open[conn] = float("inf")

    def stream_opened(self) -> threading.Event:
        """A new live-update stream: the event its loop watches; the oldest streams over the cap are closed."""
        closing = threading.Event()
        with self._guard:
            self._streams.append(closing)
            while len(self._streams) > self.limits.streams:
                self._streams.popleft().set()
        self.preview.wake()
        return closing

    def stream_closed(self, closing: threading.Event) -> None:
        with self._guard, contextlib.suppress(ValueError):
            self._streams.remove(closing)

    def close_all(self) -> None:
        with self._guard:
            for closing in self._streams:
                closing.set()
            for conn in list(self._open):
                self._cut(conn)
        self.preview.wake()
        self._pool.shutdown(wait=False, cancel_futures=True)


class Handler(BaseHTTPRequestHandler):
    """Routes: / and /view/NAME (HTML), /img/NAME/PAGE-WIDTH.png, /events (SSE), /live.js; GET and HEAD."""

    server_version = "briefing-preview"
    server: PreviewServer
    head = False

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # the terminal shows builds, not every thumbnail request

    def parse_request(self) -> bool:
        ok = super().parse_request()
        self.server.request_read(self.connection)
        return ok

    def _send(self, status: int, body: bytes, kind: str = "text/plain; charset=utf-8", cache: str = "no-store") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'")
        self.end_headers()
        if not self.head:
            self.wfile.write(body)

    def _html(self, view: str | None) -> None:
        self._send(200, page(self.server.preview.state, view).encode(), "text/html; charset=utf-8")

    def _refused(self) -> bool:
        """421 for a Host this server does not serve (DNS rebinding), 403 for a foreign Origin."""
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in self.server.hosts:
            self._send(421, b"misdirected request: this preview answers only at the address it printed")
            return True
        origin = self.headers.get("Origin")
        if origin is not None and origin.strip().lower() not in {f"http://{h}" for h in self.server.hosts}:
            self._send(403, b"forbidden: a page from another origin")
            return True
        return False

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's name)
        self.head = True
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self._refused():
            return
        try:
            self._route(urlsplit(self.path).path)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception:  # noqa: BLE001 - never a traceback, never a dropped connection
            self._send(500, b"internal error")

    def _route(self, path: str) -> None:
        view = _VIEW.fullmatch(path)
        image = _IMAGE.fullmatch(path)
        if path == "/":
            self._html(None)
        elif view and "/" not in unquote(view.group(1)):
            self._html(unquote(view.group(1)))
        elif path == "/live.js":
            self._send(200, _SCRIPT.encode(), "text/javascript; charset=utf-8")
        elif path == "/events":
            self._events()
        elif image:
            name, number, width = unquote(image.group(1)), int(image.group(2)), int(image.group(3))
            png = self.server.preview.image(name, number - 1, width)
            if png is None:
                self._send(404, b"no such page")
            else:  # the URL carries the PDF's content hash, so a cached image is never stale
                self._send(200, png, "image/png", "max-age=3600")
        else:
            self._send(404, b"not found")

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.head:
            return
        preview, stopping = self.server.preview, self.server.stopping
        closing = self.server.stream_opened()
        seen = -1
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while not stopping.is_set() and not closing.is_set():
                version = preview.wait(seen, KEEPALIVE_SECONDS, lambda: stopping.is_set() or closing.is_set())
                if stopping.is_set() or closing.is_set():
                    break
                self.wfile.write(f"data: {version}\n\n".encode() if version != seen else b": idle\n\n")
                self.wfile.flush()
                seen = version
        except OSError:
            pass  # the tab was closed, or it stopped reading
        finally:
            self.server.stream_closed(closing)
            self.close_connection = True


@dataclass
class Server:
    """A running preview: its address, and how to stop it."""

    url: str
    httpd: PreviewServer
    stopping: threading.Event
    threads: list[threading.Thread] = field(default_factory=list)

    def stop(self) -> None:
        """Stop listening, and stop a build in progress: its workers are killed, its lock released."""
        self.stopping.set()
        ask_stop()
        self.httpd.shutdown()
        self.httpd.close_all()
        self.httpd.server_close()
        for thread in self.threads:
            thread.join(timeout=15)  # a build in its binding step ends with the process instead


def _watch(preview: Preview, stopping: threading.Event) -> None:
    # quicker to react than `briefing watch`: someone is looking at the page. A save (an editor's
    # write and rename, or a rewrite in place) is over within a few milliseconds, so 20 ms of quiet
    # ends the batch; the waiting is part of every save-to-page (docs/performance.md)
    try:
        follow(preview.data_dir, preview.out_dir, preview.rebuild, stop=stopping, debounce=200, step=20)
    except KeyboardInterrupt:
        return  # stopped (Server.stop) in the middle of a build


def start(preview: Preview, *, host: str = "127.0.0.1", port: int = 8000, limits: Limits | None = None) -> Server:
    """Listen at once (the page says "building" until the first build ends), build, then watch.

    ``host`` may be a name or an IPv4 or IPv6 address (``::1``)."""
    stopping = threading.Event()
    bare = host.strip("[]")
    family = socket.getaddrinfo(bare, port, type=socket.SOCK_STREAM)[0][0]
    httpd = PreviewServer((bare, port), Handler, family=family, limits=limits or Limits(), preview=preview,
                          stopping=stopping)
    httpd.allow(bare)
    shown_host = f"[{bare}]" if ":" in bare else bare
    server = Server(f"http://{shown_host}:{httpd.server_port}/", httpd, stopping)
    server.threads = [threading.Thread(target=httpd.serve_forever, daemon=True, name="http"),
                      threading.Thread(target=_watch, args=(preview, stopping), daemon=True, name="watch")]
    for thread in server.threads:
        thread.start()
    return server


def serve_forever(server: Server, wait: Callable[[], None]) -> None:
    """Run until ``wait`` returns (the CLI waits for Ctrl+C or SIGTERM), then stop cleanly."""
    try:
        wait()
    finally:
        server.stop()
