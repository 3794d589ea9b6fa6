"""Checks of tagged PDFs that the pdfua package does not make, shared by the tagging tests.

Each returns a list of human-readable problems, so a failing test says what is wrong where.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pikepdf
from conftest import normalise
from pikepdf import Array, Dictionary

TEXT_OR_PAINT = {"Tj", "TJ", "'", '"', "Do", "BI", "sh"}


def kids(node: pikepdf.Object) -> Iterator[pikepdf.Object]:
    value = node.get("/K") if isinstance(node, Dictionary) else None
    if isinstance(value, Array):
        yield from value
    elif value is not None:
        yield value


def elements(pdf: pikepdf.Pdf) -> Iterator[Dictionary]:
    """Structure elements reachable from the root, in document (reading) order."""
    stack = list(reversed(list(kids(pdf.Root.StructTreeRoot))))
    while stack:
        node = stack.pop()
        if isinstance(node, Dictionary) and "/S" in node:
            yield node
            stack.extend(reversed(list(kids(node))))


def parent_tree(pdf: pikepdf.Pdf) -> dict[int, pikepdf.Object]:
    def walk(node: pikepdf.Object) -> Iterator[tuple[int, pikepdf.Object]]:
        nums = node.get("/Nums", Array())
        for i in range(0, len(nums) - 1, 2):
            yield int(nums[i]), nums[i + 1]
        for kid in node.get("/Kids", Array()):
            yield from walk(kid)
    return dict(walk(pdf.Root.StructTreeRoot.ParentTree))


def page_of(elem: Dictionary) -> tuple[int, int] | None:
    """The objgen of the page an element's content is on (its own /Pg or an ancestor's)."""
    node = elem
    while isinstance(node, Dictionary) and "/S" in node:
        if "/Pg" in node:
            return node.Pg.objgen
        node = node.get("/P")
    return None


def unmarked_content(pdf: pikepdf.Pdf) -> list[str]:
    """Text and painted objects that are neither in an artifact nor in tree-reachable marked content."""
    reachable = {e.objgen for e in elements(pdf)}
    tree = parent_tree(pdf)
    problems = []
    for number, page in enumerate(pdf.pages, start=1):
        key = page.obj.get("/StructParents")
        mcids = tree.get(int(key), Array()) if key is not None else Array()
        stack: list[str] = []  # "artifact", "tagged", or "other" for each open sequence
        for instruction in pikepdf.parse_content_stream(page):
            if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                op = "BI"
            else:
                op = str(instruction.operator)
            if op in ("BDC", "BMC"):
                stack.append(_sequence_kind(instruction.operands, mcids, reachable, number, problems))
            elif op == "EMC" and stack:
                stack.pop()
            elif op in TEXT_OR_PAINT and not ({"artifact", "tagged"} & set(stack)):
                problems.append(f"page {number}: {op} outside tagged content and artifacts")
    return problems


def _sequence_kind(operands: list, mcids: Array, reachable: set, number: int, problems: list[str]) -> str:
    if str(operands[0]) == "/Artifact":
        return "artifact"
    props = operands[1] if len(operands) > 1 else None
    mcid = props.get("/MCID") if isinstance(props, Dictionary) else None
    if mcid is None:
        return "other"
    if int(mcid) >= len(mcids) or not isinstance(mcids[int(mcid)], Dictionary):
        problems.append(f"page {number}: MCID {mcid} has no ParentTree entry")
    elif mcids[int(mcid)].objgen not in reachable:
        problems.append(f"page {number}: MCID {mcid} belongs to an element outside the tree")
    return "tagged"


def parent_tree_problems(pdf: pikepdf.Pdf) -> list[str]:
    """Every page's and annotation's ParentTree entry resolves to an element on that page."""
    tree = parent_tree(pdf)
    problems = []
    keys = []
    for number, page in enumerate(pdf.pages, start=1):
        key = page.obj.get("/StructParents")
        if key is None:
            problems.append(f"page {number}: no /StructParents")
            continue
        keys.append(int(key))
        for mcid, elem in enumerate(tree.get(int(key), Array())):
            if isinstance(elem, Dictionary) and page_of(elem) != page.obj.objgen:
                problems.append(f"page {number}: MCID {mcid} maps to an element on another page")
        for annot in page.obj.get("/Annots", Array()):
            keys.append(int(annot.get("/StructParent", -1)))
            elem = tree.get(int(annot.get("/StructParent", -1)))
            if not isinstance(elem, Dictionary) or not any(
                    isinstance(k, Dictionary) and k.get("/Obj") is not None and k.Obj.objgen == annot.objgen
                    for k in kids(elem)):
                problems.append(f"page {number}: annotation not linked to its element by an OBJR")
    if len(set(keys)) != len(keys):
        problems.append("ParentTree keys are reused")
    if keys and int(pdf.Root.StructTreeRoot.get("/ParentTreeNextKey", 0)) <= max(keys):
        problems.append("ParentTreeNextKey is not above every key")
    return problems


def heading_levels(pdf: pikepdf.Pdf) -> list[int]:
    return [int(str(e.S)[2:]) for e in elements(pdf) if re.fullmatch(r"/H[1-6]", str(e.S))]


def heading_gaps(levels: list[int]) -> list[str]:
    """Headings may go up any number of levels but down only one at a time, starting at H1."""
    problems = []
    previous = 0
    for i, level in enumerate(levels):
        if level > previous + 1:
            problems.append(f"heading {i + 1}: H{level} after H{previous}")
        previous = level
    return problems


def struct_text(path: Path) -> str:
    """The text of the structure tree in its order, as poppler's pdfinfo prints it."""
    result = subprocess.run(["pdfinfo", "-struct-text", str(path)], capture_output=True, check=True, timeout=600)
    # poppler prints an element's /T as raw bytes: a UTF-16 title (a name in Chinese) is not UTF-8
    return result.stdout.decode("utf-8", "replace")


def pdfinfo(path: Path) -> dict[str, str]:
    result = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True, timeout=60)
    pairs = (line.split(":", 1) for line in result.stdout.splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def tree_words(path: Path) -> str:
    """The structure tree's text (quoted strings of ``pdfinfo -struct-text``), normalised for matching."""
    return normalise(" ".join(re.findall(r'^\s*"(.*)"\s*$', struct_text(path), flags=re.M)))
