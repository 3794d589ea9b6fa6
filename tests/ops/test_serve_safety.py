"""`briefing serve` is a local tool and behaves like one (issue 25, items 1-9).

Real HTTP clients (http.client, raw sockets) against a real `briefing serve` subprocess on
127.0.0.1, over a throw-away copy of the fictional project; every loop is bounded in count
and time. The tests share one server and run in file order: each leaves it serving. The ones
that take seconds (floods of sockets, a second build, a second server) are marked slow.
"""

from __future__ import annotations

import http.client
import re
import signal
import socket
import struct
import subprocess
import time
from pathlib import Path

import pikepdf
import pytest
from conftest import BRIEFING, FICTION, make_project

# a real server over a real build for every test: all of them run in .ci/run, none in the
# two-minute default run
pytestmark = pytest.mark.slow

A4_HEIGHT_900 = round(900 * 297 / 210)  # a 900 px wide A4 page


def _get(port: int, path: str, *, method: str = "GET", host: str | None = None,
         headers: dict[str, str] | None = None, address: str = "127.0.0.1") -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(address, port, timeout=20)
    try:
        conn.putrequest(method, path, skip_host=True)
        conn.putheader("Host", host if host is not None else f"127.0.0.1:{port}")
        for key, value in (headers or {}).items():
            conn.putheader(key, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def _png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG"), png[:40]
    return struct.unpack(">II", png[16:24])


def _page(port: int, predicate, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while True:
        body = _get(port, "/")[2].decode()
        if predicate(body) or time.monotonic() > deadline:
            return body
        time.sleep(0.3)


def _threads(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^Threads:\s+(\d+)", status, re.M).group(1))


def _start(root: Path, *args: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([str(BRIEFING), "serve", "--port", "0", "--jobs", "1", *args], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = proc.stdout.readline() if proc.stdout else ""
    match = re.search(r"http://(\S+):(\d+)/", line)
    if not match:
        proc.kill()
        pytest.fail(f"serve did not start: {line}{proc.communicate(timeout=10)[0]}")
    return proc, match.group(2)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("serve-safety"), FICTION / "data")
    proc, port = _start(root)
    body = _page(int(port), lambda b: 'class="cards"' in b)
    assert 'class="cards"' in body, body[:2000]
    yield int(port), root, proc
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0


def _thumbs(port: int, body: str | None = None) -> list[str]:
    return re.findall(r'<img src="(/img/[^"]+)"', body or _get(port, "/")[2].decode())


def _closed(sock: socket.socket, wait: float) -> bool:
    """True when the server closes ``sock`` within ``wait`` seconds (what it sent first is read)."""
    sock.settimeout(wait)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionError:
        return True
    return True


# 1: the Host header --------------------------------------------------------------------

def test_answers_only_the_hosts_it_serves(served):
    port, _, _ = served
    thumb = _thumbs(port)[0]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"[::1]:{port}"):
        assert _get(port, thumb, host=host)[0] == 200, host
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1", f"127.0.0.1:{port + 1}", ""):
        status, _, body = _get(port, thumb, host=host)
        assert status == 421 and b"PNG" not in body, host
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:  # no Host at all
        raw.sendall(b"GET / HTTP/1.0\r\n\r\n")
        assert raw.recv(100).startswith(b"HTTP/1.0 421")


# 2: malformed paths --------------------------------------------------------------------

def test_every_malformed_path_is_a_404(served):
    port, _, _ = served
    for path in ("/img/acme-anvils.pdf/%C2%B2-180.png", "/img/acme-anvils.pdf/%EF%BC%91-180.png",
                 "/img/acme-anvils.pdf/1-180.png/x", "/img//1-180.png",
                 "/img/acme-anvils.pdf/-1-180.png", "/img/acme-anvils.pdf/0-180.png",
                 "/img/acme-anvils.pdf/99999999999999999999-180.png", "/img/acme-anvils.pdf/1-180",
                 "/img/%2E%2E%2Foutput%2Facme-anvils.pdf/1-180.png", "/view/..%2F..%2Fetc%2Fpasswd",
                 "/view/", "/%00", "/img/acme-anvils.pdf/1-180.png%00", "/" + "a" * 5000, "/events/x"):
        status, _, _ = _get(port, path)
        assert status == 404, path


# 3: HEAD -----------------------------------------------------------------------------------

def test_head_answers_like_get_without_a_body(served):
    port, _, _ = served
    for path in ("/", _thumbs(port)[0], "/live.js"):
        got, head = _get(port, path), _get(port, path, method="HEAD")
        assert head[0] == got[0] == 200 and head[2] == b""
        assert head[1]["Content-Length"] == got[1]["Content-Length"] == str(len(got[2]))
    assert _get(port, "/nothing", method="HEAD")[0] == 404


# 5: bounded connections, timeouts, live-update streams ----------------------------------------

def test_idle_sockets_are_bounded_and_others_still_served(served):
    port, _, proc = served
    before = _threads(proc.pid)
    idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(150)]
    try:
        time.sleep(1)
        assert _threads(proc.pid) <= before + 40  # a bounded pool, not one thread per socket
        status, _, png = _get(port, _thumbs(port)[0])  # a real request still gets through
        assert status == 200 and png.startswith(b"\x89PNG")
    finally:
        for sock in idle:
            sock.close()


def test_live_update_streams_are_capped_oldest_closed_and_origin_checked(served):
    port, _, proc = served
    streams = []
    try:
        for _ in range(12):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(f"GET /events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            assert b"text/event-stream" in sock.recv(4096)
            streams.append(sock)
            time.sleep(0.1)
        time.sleep(1)
        closed = [_closed(sock, 0.3) for sock in streams]
        assert closed == [True] * 4 + [False] * 8  # the four oldest closed; their pages reconnect
    finally:
        for sock in streams:
            sock.close()
    foreign = _get(port, "/events", headers={"Origin": "http://evil.example"})
    assert foreign[0] == 403
    assert _get(port, "/events", method="HEAD", headers={"Origin": f"http://127.0.0.1:{port}"})[0] == 200


def test_slow_and_idle_clients_are_cut_after_their_timeouts(served):
    port, _, _ = served
    idle = socket.create_connection(("127.0.0.1", port), timeout=30)
    slow = socket.create_connection(("127.0.0.1", port), timeout=30)
    started = time.monotonic()
    try:
        slow.sendall(b"GET / HTTP/1.1\r\n")
        for _ in range(7):  # a header byte every 2 s: never idle, never done
            try:
                slow.sendall(b"X")
            except OSError:
                break
            time.sleep(2)
        assert _closed(idle, 5)  # after its idle time
        assert _closed(slow, 5)  # at its read deadline, though it kept sending
    finally:
        idle.close()
        slow.close()
    assert time.monotonic() - started < 25


# 6: a PDF rewritten while a page is requested ----------------------------------------------

def test_pages_come_from_the_builds_snapshot_not_a_file_being_written(served):
    port, root, _ = served
    pdf = root / "output" / "initech-pretend.pdf"
    whole = pdf.read_bytes()
    with pdf.open("r+b") as handle:  # a writer half-way through, in place
        handle.truncate(len(whole) // 2)
    try:
        sizes = set()
        for page in (1, 2, 3, 4):
            status, _, png = _get(port, f"/img/initech-pretend.pdf/{page}-900.png")
            assert status == 200
            sizes.add(_png_size(png))
        assert sizes == {(900, A4_HEIGHT_900)}
    finally:
        pdf.write_bytes(whole)


# 7: a CLI build into the same output while serve is idle ------------------------------------

def test_a_cli_build_elsewhere_does_not_mix_into_the_preview(served):
    port, root, _ = served
    done = subprocess.run([str(BRIEFING), "build", "--page-size", "Letter", "--no-book"], cwd=root,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    sizes = {_png_size(_get(port, thumb)[2]) for thumb in _thumbs(port)}
    assert sizes == {(180, round(180 * 297 / 210))}  # every thumbnail A4, as serve's own build printed


# 9: a symbolic link placed in the output ---------------------------------------------------

def test_a_symlink_in_the_output_is_never_followed(served, tmp_path):
    port, root, _ = served
    square = tmp_path / "square.pdf"
    with pikepdf.new() as doc:
        doc.add_blank_page(page_size=(500, 500))
        doc.save(square)
    target = root / "output" / "globex-imaginary.pdf"
    target.unlink()
    target.symlink_to(square)
    status, _, png = _get(port, "/img/globex-imaginary.pdf/1-900.png")
    assert status == 200 and _png_size(png) == (900, A4_HEIGHT_900)  # the build's page, not the link's


# 8: a template error ---------------------------------------------------------------------

def test_a_template_error_is_a_located_message_without_trace_or_paths(served):
    port, root, _ = served
    partial = root / "templates" / "partials" / "cover.html"
    original = partial.read_text()
    partial.write_text("{{ (1/0) }}\n" + original)
    try:
        body = _page(port, lambda b: "division by zero" in b and "building…" not in b)
        assert "division by zero" in body, body[:3000]
        assert "Traceback" not in body and 'File "' not in body
        assert str(root) not in body and str(Path(root).resolve()) not in body
        assert not re.search(r"(?<![\w.])/(tmp|home|root|usr|work)/", body), body
        assert re.search(r"partials/cover\.html:1\b", body), body
    finally:
        partial.write_text(original)
    back = _page(port, lambda b: 'class="cards"' in b and "division by zero" not in b and "building…" not in b)
    assert 'class="cards"' in back and "division by zero" not in back  # fixed: the pages are back


# 4: IPv6 loopback -----------------------------------------------------------------------------

def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="this machine has no IPv6 loopback")
def test_binds_the_ipv6_loopback(tmp_path):
    root = make_project(tmp_path / "p6", FICTION / "data")
    proc, port = _start(root, "--host", "::1")
    try:
        status, _, body = _get(int(port), "/", host=f"[::1]:{port}", address="::1")
        assert status == 200 and b"Briefing preview" in body
        assert _get(int(port), "/", host="evil.example", address="::1")[0] == 421
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0


def test_error_text_is_located_and_plain_unless_debug(tmp_path):
    from briefing.ops.serve import plain_message

    root = tmp_path / "project"
    raw = (f"ZeroDivisionError: division by zero\nTraceback (most recent call last):\n"
           f'  File "{root}/src/x.py", line 3, in f\n'
           f'  File "{root}/templates/partials/cover.html", line 7, in top-level template code\n'
           f"ZeroDivisionError: division by zero")
    assert plain_message(raw, root) == "templates/partials/cover.html:7: ZeroDivisionError: division by zero"
    assert plain_message(f"cannot write {root}/output/a.pdf (print): disk full", root) == \
        "cannot write output/a.pdf (print): disk full"
    assert plain_message("cannot write /var/tmp/x/b.pdf (print)", root) == "cannot write b.pdf (print)"
    assert plain_message(raw, root, debug=True) == raw  # `briefing serve --debug`
