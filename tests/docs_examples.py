"""The YAML examples of docs/data-format.md, for the tests that hold the docs to what the code does."""

from __future__ import annotations

import re

from conftest import REPO

DOCS = REPO / "docs" / "data-format.md"


def docs_yaml() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOCS.read_text(), re.S)


def blocks_example() -> str:
    """The Blocks section's example: one block of every kind, as a YAML list."""
    return next(b for b in docs_yaml() if b.startswith("- text:"))


def sponsor_from_docs() -> str:
    """The docs' complete sponsor example, with its `blocks: [...]` filled from the Blocks example."""
    blocks = blocks_example()
    sponsor = next(b for b in docs_yaml() if b.startswith("name:"))

    def indent(spaces: int) -> str:
        return "\n".join(" " * spaces + line for line in blocks.splitlines())

    sponsor = re.sub(r"^    blocks: \[\.\.\.\].*$", lambda m: "    blocks:\n" + indent(6), sponsor, count=1, flags=re.M)
    sponsor = re.sub(r"^        blocks: \[\.\.\.\].*$", lambda m: "        blocks:\n" + indent(10), sponsor,
                     count=1, flags=re.M)
    return sponsor.replace("assets/logos/acme.svg", "assets/logos/acme-fictional.svg")
