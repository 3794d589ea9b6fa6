"""Defaults are written once (build/options.py, pdf/paper.py) and the command line reads them."""

from __future__ import annotations

from briefing.build.options import DATA_DIR, MAX_SEND_MB, OUT_DIR, TIMEOUT, Options
from briefing.cli import build, send
from briefing.data.model import Book
from briefing.delivery.distribute import SendOptions
from briefing.delivery.mail import MAX_BYTES_DEFAULT
from briefing.pdf.paper import PAGE_SIZES


def _param(command, name):
    return next(p for p in command.params if p.name == name)


def test_the_command_line_reads_the_library_defaults():
    assert (_param(build, "data_dir").default, _param(build, "out_dir").default) == (DATA_DIR, OUT_DIR)
    assert _param(build, "timeout").default == Options().timeout == TIMEOUT
    assert _param(send, "max_size").default == MAX_SEND_MB
    assert MAX_BYTES_DEFAULT == SendOptions().max_bytes == int(MAX_SEND_MB * 1024 * 1024)
    assert (SendOptions().data_dir, SendOptions().out_dir) == (Options().data_dir, Options().out_dir)


def test_one_list_of_page_sizes_for_book_yaml_and_the_flag():
    assert list(_param(build, "page_size").type.choices) == list(PAGE_SIZES) == ["A4", "Letter"]
    assert Book.model_json_schema()["properties"]["page_size"]["enum"] == list(PAGE_SIZES)
