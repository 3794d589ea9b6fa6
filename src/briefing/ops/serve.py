"""`briefing serve`: a local preview page that follows every save.

The page lists the sponsors and the book with page thumbnails; a click shows one PDF's pages
large. Every save under data/, templates/ or assets/ runs the ordinary incremental build (only
what changed is printed again); the open page hears about it through server-sent events and
swaps its content in place. When the data is invalid the page shows the located errors instead
of pages that no longer match the files, and the pages come back as soon as the files are fixed.

The HTML as served is complete without JavaScript; the small script only adds live updates.
Standard library HTTP server, loopback by default: this is a preview for one editor, not a site.
"""

from __future__ import annotations

import html
import io
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from briefing.build.options import Options
from briefing.build.pipeline import build
from briefing.data.audience import project_view
from briefing.data.load import load_project, shown
from briefing.documents.outputs import book_output, sponsor_output
from briefing.errors import BriefingError, DataError, Problem
from briefing.ops.lock import run_lock
from briefing.ops.watch import follow
from briefing.render.variants import FULL

THUMB_WIDTH, LARGE_WIDTH = 180, 900
THUMBS_SHOWN = 6  # per PDF on the overview; the full set is one click away
KEEPALIVE_SECONDS = 15.0


@dataclass(frozen=True)
class Entry:
    """One PDF on the page."""

    name: str  # file name in the output folder, e.g. acme.pdf
    title: str
    pages: int
    stamp: int  # the file's mtime, so image URLs change when the PDF does
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


class Preview:
    """The build state the page shows, rebuilt on demand; thread-safe."""

    def __init__(self, data_dir: Path, out_dir: Path, jobs: int = 0):
        self.data_dir, self.out_dir, self.jobs = Path(data_dir), Path(out_dir), jobs
        self.state = State()
        self._changed = threading.Condition()
        self._pdf_lock = threading.Lock()  # PDFium is not thread-safe
        self._images: OrderedDict[tuple[str, int, int, int], bytes] = OrderedDict()

    # --- state ------------------------------------------------------------------------

    def _publish(self, **changes: object) -> None:
        with self._changed:
            self.state = replace(self.state, version=self.state.version + 1, **changes)  # type: ignore[arg-type]
            self._changed.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        """Block until the state is newer than ``seen`` (or ``timeout``); return the version."""
        with self._changed:
            self._changed.wait_for(lambda: self.state.version != seen, timeout)
            return self.state.version

    def rebuild(self) -> None:
        """Run the incremental build and publish pages, or the located errors."""
        self._publish(building=True)
        started = time.monotonic()
        try:
            project = load_project(self.data_dir)
            with run_lock(self.out_dir, wait=True):
                report = build(Options(data_dir=self.data_dir, out_dir=self.out_dir, jobs=self.jobs))
        except DataError as err:
            self._publish(building=False, errors=tuple(err.problems), entries=(), warnings=(),
                          finished=time.strftime("%H:%M:%S"), seconds=time.monotonic() - started)
            return
        except (BriefingError, OSError) as err:  # e.g. a render error, or a folder that went away
            problem = Problem(shown(self.data_dir), str(err), 1, 1)
            self._publish(building=False, errors=(problem,), entries=(), warnings=(),
                          finished=time.strftime("%H:%M:%S"), seconds=time.monotonic() - started)
            return
        failed = dict(report.failed)
        visible = project_view(project, project.levels.base)  # what the default build printed
        titles = [(sponsor_output(slug, FULL), sponsor.name) for slug, sponsor in visible.sponsors.items()]
        titles.append((book_output(FULL), project.book.title))
        entries = tuple(self._entry(name, title, report.pages.get(name, 0), failed.get(name, ""))
                        for name, title in titles)
        self._publish(building=False, errors=(), entries=entries, warnings=tuple(report.warnings),
                      finished=time.strftime("%H:%M:%S"), seconds=report.seconds)

    def _entry(self, name: str, title: str, pages: int, error: str) -> Entry:
        path = self.out_dir / name
        stamp = path.stat().st_mtime_ns if path.is_file() else 0
        return Entry(name, title, pages, stamp, error)

    # --- page images ----------------------------------------------------------------------

    def image(self, name: str, page: int, width: int) -> bytes | None:
        """PNG of one page of a PDF the page lists (never any other file), cached."""
        entry = next((e for e in self.state.entries if e.name == name and not e.error), None)
        if entry is None or not 0 <= page < entry.pages or width not in (THUMB_WIDTH, LARGE_WIDTH):
            return None
        key = (name, entry.stamp, page, width)
        with self._pdf_lock:
            if key not in self._images:
                self._images[key] = _render_png(self.out_dir / name, page, width)
                while len(self._images) > 400:  # a few MB at most
                    self._images.popitem(last=False)
            return self._images[key]


def _render_png(path: Path, page: int, width: int) -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
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

class Handler(BaseHTTPRequestHandler):
    """Routes: / and /view/NAME (HTML), /img/NAME/PAGE-WIDTH.png, /events (SSE), /live.js."""

    server_version = "briefing-preview"
    preview: Preview  # set on the subclass that start() makes
    stopping: threading.Event

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # the terminal shows builds, not every thumbnail request

    def _send(self, status: int, body: bytes, kind: str, cache: str = "no-store") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'")
        self.end_headers()
        self.wfile.write(body)

    def _html(self, view: str | None) -> None:
        self._send(200, page(self.preview.state, view).encode(), "text/html; charset=utf-8")

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = unquote(urlsplit(self.path).path)
        if path == "/":
            self._html(None)
        elif path.startswith("/view/"):
            self._html(path.removeprefix("/view/"))
        elif path == "/live.js":
            self._send(200, _SCRIPT.encode(), "text/javascript; charset=utf-8")
        elif path == "/events":
            self._events()
        elif path.startswith("/img/"):
            self._image(path.removeprefix("/img/"))
        else:
            self._send(404, b"not found", "text/plain; charset=utf-8")

    def _image(self, rest: str) -> None:
        name, _, leaf = rest.rpartition("/")
        number, _, width = leaf.removesuffix(".png").partition("-")
        png = None
        if number.isdigit() and width.isdigit():
            png = self.preview.image(name, int(number) - 1, int(width))
        if png is None:
            self._send(404, b"no such page", "text/plain; charset=utf-8")
        else:  # the URL carries the PDF's mtime, so a cached image is never stale
            self._send(200, png, "image/png", "max-age=3600")

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = -1
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while not self.stopping.is_set():
                version = self.preview.wait(seen, KEEPALIVE_SECONDS)
                self.wfile.write(f"data: {version}\n\n".encode() if version != seen else b": idle\n\n")
                self.wfile.flush()
                seen = version
        except (BrokenPipeError, ConnectionResetError):
            return  # the tab was closed


@dataclass
class Server:
    """A running preview: its address, and how to stop it."""

    url: str
    httpd: ThreadingHTTPServer
    stopping: threading.Event
    threads: list[threading.Thread] = field(default_factory=list)

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def _watch(preview: Preview, stopping: threading.Event) -> None:
    # quicker to react than `briefing watch`: someone is looking at the page
    follow(preview.data_dir, preview.out_dir, preview.rebuild, stop=stopping, debounce=200, step=50)


def start(data_dir: Path, out_dir: Path, *, host: str = "127.0.0.1", port: int = 8000,
          jobs: int = 0) -> Server:
    """Listen at once (the page says "building" until the first build ends), build, then watch."""
    preview = Preview(data_dir, out_dir, jobs)
    stopping = threading.Event()
    bound = type("BoundHandler", (Handler,), {"preview": preview, "stopping": stopping})
    httpd = ThreadingHTTPServer((host, port), bound)
    httpd.daemon_threads = True  # open event streams never keep the process alive
    shown_host = f"[{host}]" if ":" in host else host
    server = Server(f"http://{shown_host}:{httpd.server_address[1]}/", httpd, stopping)
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
