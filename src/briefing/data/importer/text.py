"""Small text rules the importer shares: Markdown escaping, labels, sentences, slugs, dates."""

from __future__ import annotations

import re

from briefing.data.model import MONTHS, SLUG_PATTERN

_INLINE = re.compile(r"([\\`*_\[\]<&])")
_LINE_START = re.compile(r"^(#|>|[-+=]|\d+[.)])")


def escape(text: str) -> str:
    """Plain text as Markdown that prints the same characters: nothing becomes emphasis, a link,
    an entity or a list (the data's Markdown fields would otherwise reinterpret ``*``, ``_``, ``&``)."""
    text = _INLINE.sub(r"\\\1", text)
    match = _LINE_START.match(text)
    if match:
        head = match.group(1)
        text = head[:-1] + "\\" + head[-1] + text[len(head):]
    return text


def unmark(text: str) -> str:
    """A Markdown heading or label as the plain line the model's title fields print."""
    return re.sub(r"\*\*|__|`", "", text).strip()


_LABEL = re.compile(r"^(?P<label>[^:]{1,80}?):\s+(?P<value>\S.*)$")
_MD_LABEL = re.compile(r"^\*\*(?P<label>[^*]{1,80}?):?\*\*:?\s+(?P<value>\S.*)$")


def split_label(text: str) -> tuple[str, str] | None:
    """``Label: value`` (or Markdown ``**Label:** value``), when the part before the colon reads as a
    label: short, starting with a capital or digit, not itself a sentence."""
    match = _MD_LABEL.match(text) or _LABEL.match(text)
    if not match:
        return None
    label = match.group("label").strip()
    if not (label[0].isupper() or label[0].isdigit() or label[0] in "\"'“"):
        return None
    if re.search(r"(?<!\b[A-Z])[.!?]\s", label):  # a sentence, not a label ("E. Example" is an initial)
        return None
    return label, match.group("value").strip()


def title_words(label: str) -> bool:
    """Every word capitalised (or a number), as a note's label is: "LA28 Venue Context"."""
    words = label.split()
    return 0 < len(words) <= 6 and all(w[0].isupper() or w[0].isdigit() or w in ("&", "/", "-", "and", "of")
                                       for w in words)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")


def first_sentence(text: str) -> tuple[str, str]:
    """The first sentence and the rest ("" when there is none)."""
    parts = _SENTENCE_END.split(text, maxsplit=1)
    return parts[0], parts[1] if len(parts) > 1 else ""


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63].strip("-")
    return slug if re.fullmatch(SLUG_PATTERN, slug) else ""


_MONTH = "|".join(MONTHS)
_DATES = re.compile(rf"\b(?P<month>{_MONTH})\s+(?:(?P<day>\d{{1,2}}),?\s+)?(?P<year>(?:19|20)\d\d)\b"
                    r"|\b(?P<iso>(?:19|20)\d\d-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)\b")


def month_dates(text: str) -> list[tuple[str, str]]:
    """Dates named to the month or the day in ``text``: (as written, YYYY-MM)."""
    found = []
    for match in _DATES.finditer(text):
        if match.group("iso"):
            found.append((match.group(0), match.group("iso")[:7]))
        else:
            month = MONTHS.index(match.group("month")) + 1
            found.append((match.group(0), f"{match.group('year')}-{month:02d}"))
    return found
