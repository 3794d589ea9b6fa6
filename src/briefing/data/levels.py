"""The audience levels of one book, lowest first, and who may read what."""

from __future__ import annotations

from dataclasses import dataclass

from briefing.data.model import Book, Recipient
from briefing.errors import UsageError


@dataclass(frozen=True)
class Levels:
    """The ordered levels of one book, lowest first, and the level of an unmarked item."""

    order: tuple[str, ...]
    base: str

    @classmethod
    def of(cls, book: Book) -> Levels:
        return cls(tuple(book.levels), book.base_level)

    @property
    def top(self) -> str:
        return self.order[-1]

    def rank(self, level: str) -> int:
        return self.order.index(level)

    def allows(self, clearance: str, *marks: str | None) -> bool:
        """May a reader of ``clearance`` read an item whose path carries ``marks`` (None: inherited)?"""
        return all(self.rank(m) <= self.rank(clearance) for m in marks if m is not None)

    def check(self, level: str) -> str:
        if level not in self.order:
            raise UsageError(f"unknown audience level '{level}' (levels: {', '.join(self.order)})")
        return level


def clearance(recipient: Recipient, levels: Levels) -> str:
    return recipient.clearance or levels.base
