"""File hashes remembered by size, times and inode: never stale, never required."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from briefing import hashing


@pytest.fixture()
def memo(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(hashing, "_memo", None)
    monkeypatch.setattr(hashing, "_memo_dirty", False)
    return tmp_path / "cache" / "briefing" / "file-hashes.json"


def test_hash_is_remembered_and_read_back(tmp_path, memo):
    font = tmp_path / "font.ttf"
    font.write_bytes(b"glyphs " * 1000)
    assert hashing.file_digest(font) == hashlib.sha256(font.read_bytes()).digest()
    hashing.save_file_digests()
    assert str(font.resolve()) in json.loads(memo.read_text())
    hashing._memo = None  # a later process
    stored = json.loads(memo.read_text())
    stored[str(font.resolve())][1] = "ab" * 32  # what a remembered (not recomputed) hash would give
    memo.write_text(json.dumps(stored))
    assert hashing.file_digest(font) == bytes.fromhex("ab" * 32)


def test_an_edit_that_keeps_size_and_mtime_is_hashed_again(tmp_path, memo):
    """`touch -r` can put the modification time back; the change time moves on regardless."""
    path = tmp_path / "base.html"
    path.write_text("<p>one</p>")
    first = hashing.file_digest(path)
    info = path.stat()
    path.write_text("<p>two</p>")  # same size
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size and path.stat().st_mtime_ns == info.st_mtime_ns
    assert hashing.file_digest(path) == hashlib.sha256(b"<p>two</p>").digest() != first


def test_a_damaged_memo_or_unwritable_cache_only_costs_hashing(tmp_path, memo, monkeypatch):
    path = tmp_path / "x.css"
    path.write_text("p { color: red }")
    memo.parent.mkdir(parents=True)
    memo.write_text("{not json")
    assert hashing.file_digest(path) == hashlib.sha256(path.read_bytes()).digest()
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    hashing.save_file_digests()  # no error
    assert hashing._memo_dirty
