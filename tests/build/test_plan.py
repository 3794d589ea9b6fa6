"""The plan's input keys: an option that changes what a page says must change the key of its chapter."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import pytest
from conftest import FICTION, make_project

from briefing.build.options import Options
from briefing.build.pipeline import make_edition
from briefing.build.plan import chapter_key
from briefing.data.load import load_project
from briefing.pdf.variants import PDF_A
from briefing.render.edition import Edition
from briefing.render.variants import ONE_PAGER

SLUG = "acme-anvils"
# Edition fields that do not enter the key as such, and why
NOT_IN_KEY = {"book": "book.yaml's bytes are in the key", "paths": "where files go, not what a page says"}
# a value unlike the default edition's for every other field: a new field needs one here, and a
# place in plan.chapter_key (or a reason in NOT_IN_KEY)
OTHER = {"page_size": "Letter", "document": ONE_PAGER, "pdf_variant": PDF_A, "since": "1 January 2020",
         "changes": MappingProxyType({SLUG: ("Headline: old → new",)}), "audience": "partner",
         "audience_label": "Partner edition"}


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("plan"), FICTION / "data")
    project = load_project(root / "data")
    return project, make_edition(project, Options(data_dir=root / "data", out_dir=root / "output"))


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(Edition) if f.name not in NOT_IN_KEY])
def test_every_edition_field_enters_the_chapter_key(planned, name):
    project, edition = planned
    assert name in OTHER, f"Edition.{name} is new: add it to plan.chapter_key and a differing value to OTHER"
    assert getattr(edition, name) != OTHER[name]
    changed = dataclasses.replace(edition, **{name: OTHER[name]})
    assert chapter_key(project, changed, SLUG, "theme") != chapter_key(project, edition, SLUG, "theme")


def test_an_edition_crosses_to_a_worker_whole(planned):
    """The `build` command's held worker gets its chapter pickled (processes.Held)."""
    import pickle
    from types import MappingProxyType

    _, edition = planned
    edition = dataclasses.replace(edition, changes=MappingProxyType({SLUG: ("Headline changed",)}))
    again = pickle.loads(pickle.dumps(edition))
    assert again == edition and isinstance(again.changes, MappingProxyType)


def test_a_held_workers_project_holds_only_its_sponsor(planned):
    """What the `build` command pickles for its held worker: one sponsor, not the whole project."""
    import pickle

    project, _ = planned
    alone = project.only(SLUG)
    assert list(alone.sponsors) == [SLUG] and list(alone.files) == [SLUG]
    assert alone.book == project.book and alone.root == project.root and len(project.sponsors) > 1
    assert len(pickle.dumps(alone)) < len(pickle.dumps(project))
