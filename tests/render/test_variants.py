"""The document variants are one record each, and everything that lists them reads that record."""

from __future__ import annotations

import re
from typing import get_args

import pytest
from conftest import REPO

from briefing.errors import UsageError
from briefing.render.variants import FULL, ONE_PAGER, VARIANTS, variant_named


def test_the_command_line_offers_exactly_the_variants():
    from briefing.cli import build

    variant = next(p for p in build.params if p.name == "variant")
    assert list(variant.type.choices) == list(VARIANTS) == ["full", "one-pager"]
    assert variant.default == FULL.name


def test_each_variant_can_be_received_and_is_named_apart():
    from briefing.data.model import Receives

    assert {v.receives_key for v in VARIANTS.values()} <= set(get_args(Receives))
    assert len({v.suffix for v in VARIANTS.values()}) == len({v.template for v in VARIANTS.values()}) == len(VARIANTS)


def test_every_one_page_block_has_its_anchors_in_the_template():
    """The overflow message names the first block whose end anchor fell on page 2."""
    template = (REPO / "templates" / ONE_PAGER.template).read_text()
    printed = re.findall(r'a\.op_start\("(\w+)"\)', template)
    assert printed == list(ONE_PAGER.one_page_blocks)
    assert all(f'a.op_end("{name}")' in template for name in printed)
    assert FULL.one_page_blocks == ()


def test_an_unknown_variant_is_a_usage_error():
    assert variant_named("one-pager") is ONE_PAGER
    with pytest.raises(UsageError, match="unknown document variant 'two-pager': choose full or one-pager"):
        variant_named("two-pager")
