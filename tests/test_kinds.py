"""WordNet kinds: the real packaged WordNet, copied with plain line ends into a data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.kinds import FOLDER, is_kind


@pytest.mark.parametrize(
    ("phrase", "kind", "known"),
    [
        ("volleyball", "sport", True),
        ("sleep apnea", "condition", True),
        ("hijabs", "garment", True),
        ("cake", "baked good", True),
        ("uranium", "substance", True),
        ("highway", "road", True),
        ("university", "sport", False),
        ("time", "sport", False),
        ("decision", "baked good", False),
        ("no such wordnet noun", "sport", False),
    ],
)
def test_a_phrase_is_a_kind_of_the_type_phrase_in_wordnet(
    phrase: str, kind: str, known: bool, tmp_path: Path
) -> None:
    assert is_kind(phrase, kind, tmp_path) is known


def test_wordnet_is_read_from_a_plain_copy_in_the_data_folder(tmp_path: Path) -> None:
    from rag import kinds

    kinds._READER.clear()  # this process's reader is made again, from this folder
    assert is_kind("volleyball", "sport", tmp_path)
    data = (tmp_path / FOLDER / "data.noun").read_bytes()
    assert b"\r\n" not in data and len(data) > 10_000_000
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".wordnet-")]


def test_a_data_folder_wordnet_cannot_be_copied_into_leaves_typed_answers_to_likeness(
    tmp_path: Path,
) -> None:
    from rag import kinds

    blocked = tmp_path / "file-not-folder"
    blocked.write_text("a file where the data folder should be", encoding="utf-8")
    kinds._READER.clear()
    try:
        assert is_kind("volleyball", "sport", blocked) is False
    finally:
        kinds._READER.clear()  # the next test makes a working reader again
    assert is_kind("volleyball", "sport", tmp_path)
