"""The shipped Alibaba briefing read the way a screen reader gets it: through its structure tree.

The one tagging test on data/: the facts list is test_shipped_data's, which checks the same
facts in the page text. Here they must also be in ``pdfinfo -struct-text``: text that is drawn
but left out of the tree (or marked as an artifact) would fail it.
"""

from __future__ import annotations

import pytest
from conftest import normalise
from tagcheck import tree_words
from test_shipped_data import FACTS


@pytest.mark.slow
def test_structure_tree_of_alibaba_carries_every_fact(shipped):
    words = tree_words(shipped / "alibaba.pdf")
    assert [fact for fact in FACTS if normalise(fact) not in words] == []
