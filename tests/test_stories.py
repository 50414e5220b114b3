"""Stories: near copies found at ingestion (real model, real Chroma and SQLite), stored as
their own publications, folded into one passage at retrieval, kept consistent on remove and
update, found by a second `rag add` process; and the pure detection functions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from story_texts import BOILERPLATE, ORIGINAL, PARAGRAPHS, SAME_TOPIC, md, write_copies

from rag.catalog import Filters
from rag.ingest import read_sources
from rag.retrieve import Passage, Weights, search
from rag.store import Store
from rag.stories import Copy, StoryIndex, decide, jaccard, shingles


def _add(store: Store, *paths: Path):
    return store.add(read_sources([str(p) for p in paths], max_bytes=10**7))


def _ids(store: Store) -> dict[str, str]:
    """File name -> article id."""
    rows = store.catalog.query("SELECT article_id, origin FROM articles")
    return {Path(r["origin"]).stem: r["article_id"] for r in rows}


# -- pure detection -------------------------------------------------------------------------------
def test_shingles_ignore_case_and_punctuation() -> None:
    assert shingles("The Board, said: yes!") == {"the board said", "board said yes"}
    assert shingles("Two words") == {"two words"}
    assert shingles("...") == set()
    assert jaccard({"a"}, set()) == 0.0


@pytest.mark.parametrize(
    "changed",
    [
        "\n\n".join(PARAGRAPHS[:2] + PARAGRAPHS[3:]),  # a paragraph dropped
        ORIGINAL + "\n\n" + BOILERPLATE,  # boilerplate added
        ORIGINAL.replace("Tuesday", "Wednesday").replace("forty", "40"),  # words changed
    ],
    ids=["paragraph-dropped", "boilerplate-added", "words-changed"],
)
def test_a_near_copy_joins_the_story_of_the_article_it_copies(changed: str) -> None:
    index = StoryIndex(0.5, [], lambda _: None)
    first = decide("wire-1", "h1", ORIGINAL, index)
    copy = decide("verge-1", "h2", changed, index)
    assert copy.story_id == first.story_id and copy.copy_of == "wire-1"
    assert 0.5 <= (copy.similarity or 0) < 1.0


def test_a_different_story_on_the_same_topic_stays_separate() -> None:
    index = StoryIndex(0.5, [], lambda _: None)
    first = decide("wire-1", "h1", ORIGINAL, index)
    other = decide("wire-2", "h2", SAME_TOPIC, index)
    assert other.story_id != first.story_id and other.copy_of is None
    assert jaccard(shingles(ORIGINAL), shingles(SAME_TOPIC)) < 0.1


def test_passages_and_citations_read_also_in_back_from_json() -> None:
    copy = Copy("a2", "Reuters", "Title", "2024-03-06", "https://reuters.example/d")
    passage = Passage("c", "a1", "T", None, None, None, 0, 1, "x", 1.0, also_in=(copy,))
    again = Passage(**json.loads(json.dumps(passage.as_dict())))
    assert again == passage and isinstance(again.also_in[0], Copy)


# -- the store ----------------------------------------------------------------------------------
def test_copies_are_stored_grouped_and_folded(store: Store, tmp_path: Path) -> None:
    paths = write_copies(tmp_path / "in")
    report = _add(store, *paths.values())
    assert len(report.added) == 5 and not report.duplicate
    ids = _ids(store)
    near = {n["id"]: n for n in report.near_duplicate}
    assert set(near) == {ids["headline"], ids["dropped"], ids["boilerplate"]}
    assert {n["copy_of"] for n in near.values()} == {ids["original"]}
    assert report.reused > 0, "shared chunks were not embedded again"

    stories = store.list_stories()
    assert sorted(s["copies"] for s in stories) == [1, 4]
    story = next(s for s in stories if s["copies"] == 4)
    assert story["first"]["id"] == ids["original"], "the earliest dated copy comes first"

    for query in ("desalination plant brine seagrass", "Who chairs the water board?"):
        top = search(store, query, 5, Filters(), Weights())
        members = [p.article_id for p in top if p.story_id == story["story_id"]]
        assert len(set(members)) == 1, f"two copies of one story in the top 5: {members}"
    lead = next(p for p in top if p.story_id == story["story_id"])
    assert len(lead.also_in) == 3 and lead.article_id not in {c.article_id for c in lead.also_in}

    by_reuters = search(store, "desalination plant", 5, Filters(source="Reuters"), Weights())
    assert by_reuters and {p.article_id for p in by_reuters} == {ids["dropped"]}
    loose = search(store, "desalination plant", 10, Filters(), Weights(group_stories=False))
    assert len({p.article_id for p in loose if p.story_id == story["story_id"]}) > 1


def test_identical_text_from_the_same_outlet_is_still_a_duplicate(
    store: Store, tmp_path: Path
) -> None:
    first = md(tmp_path / "a", "one", "Plant approved", ORIGINAL, source="Coastal Wire")
    again = md(tmp_path / "a", "two", "Plant approved again", ORIGINAL, source="coastal wire")
    report = _add(store, first, again)
    assert len(report.added) == 1 and len(report.duplicate) == 1 and not report.near_duplicate


def test_removing_the_first_copy_promotes_the_next(store: Store, tmp_path: Path) -> None:
    paths = write_copies(tmp_path / "in")
    _add(store, *paths.values())
    ids = _ids(store)
    story_id = store.article(ids["original"])["story_id"]
    store.remove([ids["original"]])
    after = next(s for s in store.list_stories() if s["story_id"] == story_id)
    assert after["copies"] == 3
    assert after["first"]["id"] in (ids["headline"], ids["dropped"])  # dated 2024-03-06
    assert after["first"]["published_at"] == "2024-03-06"
    top = search(store, "desalination plant brine seagrass", 5, Filters(), Weights())
    assert all(p.article_id != ids["original"] for p in top)
    assert not {c.article_id for p in top for c in p.also_in} & {ids["original"]}
    # every copy kept its own vectors: the shared ones were copied, not pointed at
    chunk_ids = [r["chunk_id"] for r in store.catalog.query("SELECT chunk_id FROM chunks")]
    assert len(store.vectors.get(chunk_ids)) == len(chunk_ids)


def test_an_updated_copy_is_checked_again(store: Store, tmp_path: Path) -> None:
    paths = write_copies(tmp_path / "in")
    _add(store, *paths.values())
    ids = _ids(store)
    story_id = store.article(ids["dropped"])["story_id"]
    md(
        tmp_path / "in",
        "dropped",
        "Water bills rise",
        SAME_TOPIC + "\n\nMore soon.",
        source="Reuters",
        date="2024-03-06",
        url="https://reuters.example/d",
    )
    report = _add(store, paths["dropped"])
    assert report.updated == [ids["dropped"]]
    moved = store.article(ids["dropped"])["story_id"]
    assert moved != story_id and moved == store.article(ids["other"])["story_id"]
    assert report.near_duplicate[0]["copy_of"] == ids["other"]
    assert next(s for s in store.list_stories() if s["story_id"] == story_id)["copies"] == 3


def test_an_updated_first_copy_that_no_longer_matches_leaves_the_others_their_story(
    store: Store, tmp_path: Path
) -> None:
    paths = write_copies(tmp_path / "in")
    _add(store, *paths.values())
    ids = _ids(store)
    story_id = store.article(ids["original"])["story_id"]
    md(
        tmp_path / "in",
        "original",
        "Harbour festival moves inland",
        "The harbour festival will move to the town park this summer, organisers said, "
        "after the quay was closed for repairs to its sea wall.",
        source="Coastal Wire",
        date="2024-03-05",
        url="https://wire.example/desal",
    )
    report = _add(store, paths["original"])
    assert report.updated == [ids["original"]] and not report.near_duplicate
    alone = store.article(ids["original"])["story_id"]
    assert alone != story_id and [m["id"] for m in store.article(ids["original"])["story"]] == [
        ids["original"]
    ]
    kept = next(s for s in store.list_stories() if s["story_id"] == story_id)
    assert kept["copies"] == 3 and kept["first"]["published_at"] == "2024-03-06"


def test_an_archive_made_before_stories_gets_them_on_its_next_write(
    store: Store, tmp_path: Path, backend
) -> None:
    paths = write_copies(tmp_path / "in")
    _add(store, paths["original"], paths["headline"])
    with store.catalog.transaction() as db:  # as an archive of the previous schema version
        db.execute("DROP TABLE story_members")
        db.execute("DROP TABLE chunk_texts")
        if backend.shared:
            db.execute("DELETE FROM schema_migrations WHERE version >= 4")
        else:
            db.execute("PRAGMA user_version = 3")
    store.close()
    reopened = Store(
        store.data_dir, store.embedder, store.chroma_url, database_url=store.database_url
    )
    assert reopened.list_stories() == []
    report = _add(reopened, paths["boilerplate"])
    stories = reopened.list_stories()
    assert [s["copies"] for s in stories] == [3]
    assert report.near_duplicate and report.reused > 0
    reopened.close()


def test_reindex_keeps_stories_and_every_vector(store: Store, tmp_path: Path) -> None:
    _add(store, *write_copies(tmp_path / "in").values())
    before = {s["story_id"]: s["copies"] for s in store.list_stories()}
    result = store.reindex()
    assert {s["story_id"]: s["copies"] for s in store.list_stories()} == before
    chunk_ids = [r["chunk_id"] for r in store.catalog.query("SELECT chunk_id FROM chunks")]
    assert result["chunks"] == len(chunk_ids) == len(store.vectors.get(chunk_ids))
    hashed = store.catalog.query("SELECT count(*) AS n FROM chunk_texts")[0]["n"]
    assert hashed == len(chunk_ids)


# -- a second process, and the CLI --------------------------------------------------------------
def _rag(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_DATA_DIR=str(data_dir), HF_HUB_OFFLINE="1")
    return subprocess.run(
        [sys.executable, "-m", "rag", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_copy_added_by_a_second_rag_add_joins_the_story(tmp_path: Path) -> None:
    paths = write_copies(tmp_path / "in")
    data = tmp_path / "data"
    first = _rag(data, "add", str(paths["original"]), str(paths["other"]))
    assert first.returncode == 0, first.stderr
    second = _rag(data, "add", "--json", str(paths["boilerplate"]))
    assert second.returncode == 0, second.stderr
    (near,) = json.loads(second.stdout)["near_duplicate"]
    assert near["copy_of"] and 0.9 < near["similarity"] < 1.0

    third = _rag(data, "add", str(paths["headline"]))
    assert third.returncode == 0, third.stderr
    assert f"is a near copy of {near['copy_of']} (1.00)" in third.stdout
    assert "reused" in third.stdout.splitlines()[0]

    listed = _rag(data, "list", "--stories")
    assert listed.returncode == 0, listed.stderr
    assert "  3  Coastal Wire, The Verge, Dail" in listed.stdout, "in publication order"
    shown = _rag(data, "show", near["id"])
    assert shown.returncode == 0, shown.stderr
    assert "story: s-" in shown.stdout and "(3 copies, first published first)" in shown.stdout
    assert "(first reported)" in shown.stdout and "Coastal Wire, 2024-03-05" in shown.stdout
    asked = _rag(data, "ask", "--json", "What will the desalination plant cost?")
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    cited = answer["citations"][0]
    assert cited["story_id"] and len(cited["also_in"]) == 2
    assert {"article_id", "source", "title", "published_at", "url"} == set(cited["also_in"][0])
