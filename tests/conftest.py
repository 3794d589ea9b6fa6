"""Shared fixtures: each PDF the tests read is built once per session, for real."""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader

from briefing.build.pipeline import Options, build

REPO = Path(__file__).resolve().parents[1]
FICTION = REPO / "tests" / "fixtures" / "fiction"
BRIEFING = Path(sys.executable).parent / "briefing"  # the installed command, as cron runs it
KEYS = {"ts", "run_id", "level", "stage", "item", "duration_s", "outcome"}  # of every --log-json line


def normalise(text: str) -> str:
    """Text for fact matching: hyphenation and line breaks undone, quotes and spaces unified."""
    text = text.replace("\u00ad", "").replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = text.replace("–", "-").replace("—", "-").replace("\u2010", "-").replace("\u2011", "-")
    return re.sub(r"[\s\-]+", "", text).lower()


def pdf_text(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def make_project(root: Path, data: Path) -> Path:
    """A throw-away project: the real templates/ and assets/, with the given data/."""
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "assets", root / "assets")
    shutil.copytree(data, root / "data")
    logo = FICTION / "logo" / "acme-fictional.svg"
    (root / "assets" / "logos").mkdir(exist_ok=True)
    shutil.copy(logo, root / "assets" / "logos" / logo.name)
    return root


def print_both_variants(root: Path, data: Path, *, strict: bool = False) -> Path:
    """A throw-away project of ``data`` at ``root``, printed in full and as one-pagers (with
    ``strict``: no preflight finding either); its output folder."""
    make_project(root, data)
    out = root / "output"
    for variant in ("full", "one-pager"):
        report = build(Options(data_dir=root / "data", out_dir=out, variant=variant, strict=strict))
        assert report.ok and not (strict and report.findings), (report.failed, report.findings)
    return out


@pytest.fixture(scope="session")
def shipped(tmp_path_factory) -> Path:
    """The shipped data built as a user would: sponsor PDFs, book and every edition."""
    out = tmp_path_factory.mktemp("shipped")
    report = build(Options(data_dir=REPO / "data", out_dir=out, recipients="all"))
    assert report.ok, report.failed
    return out


@pytest.fixture(scope="session")
def fiction(tmp_path_factory) -> Path:
    """Three fictional sponsors (one hostile): PDFs, book, editions and one-pagers."""
    root = make_project(tmp_path_factory.mktemp("fiction"), FICTION / "data")
    out = root / "output"
    report = build(Options(data_dir=root / "data", out_dir=out, recipients="all"))
    assert report.ok, report.failed
    report = build(Options(data_dir=root / "data", out_dir=out, variant="one-pager"))
    assert report.ok, report.failed
    return root


@pytest.fixture()
def root(fiction, tmp_path) -> Path:
    """A private copy of the built fictional project: its own data, outputs and send log."""
    copy = tmp_path / "project"
    shutil.copytree(fiction, copy, symlinks=True)
    return copy


# --- a real SMTP server on loopback (aiosmtpd), shared by the mail, delivery and approval tests ---

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """An SMTP handler that keeps every message and can misbehave on purpose."""

    def __init__(self):
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.fail_data_times = 0  # answer 451 to DATA this many times
        self.reject = set()  # RCPT addresses answered with 550
        self.stall = 0.0  # seconds to wait before answering the end of DATA

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_data_times > 0:
            self.fail_data_times -= 1
            return "451 4.3.0 try again later"
        if self.stall:
            await asyncio.sleep(self.stall)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK queued"


@pytest.fixture()
def server():
    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller
    controller.stop()
