"""The source card's provenance lines and HTML: pure functions, untrusted text escaped."""

from __future__ import annotations

from rag.stories import Copy
from ui.provenance import also_line, first_line, provenance_html
from ui.story_table import member_lines, story_matches, story_rows


def _copy(source: str | None, date: str | None, url: str | None = None) -> Copy:
    return Copy(f"id-{source}", source, f"{source} headline", date, url)


def test_also_line_names_two_outlets_and_counts_the_rest() -> None:
    copies = [_copy(name, None) for name in ("The Verge", "Reuters", "AP", "AFP", "BBC")]
    assert also_line(copies) == "Also reported by The Verge, Reuters (+3)"
    assert also_line(copies[:1]) == "Also reported by The Verge"
    assert also_line([]) == ""


def test_first_reported_is_the_earliest_dated_copy_the_cited_one_included() -> None:
    cited = _copy("Coastal Wire", "2024-03-06")
    copies = [_copy("Reuters", None), _copy("AP", "2024-03-05T09:00:00")]
    assert first_line(cited, copies) == "First reported by AP on 2024-03-05"
    assert first_line(_copy("A", None), [_copy("B", None)]) == ""
    assert first_line(cited, []) == ""


def test_provenance_html_escapes_and_links_only_http() -> None:
    cited = _copy("Coastal Wire", "2024-03-05")
    copies = [
        _copy('<img src=x onerror="alert(1)">', "2024-03-06", "javascript:alert(1)"),
        _copy("Reuters", "2024-03-07", "https://reuters.example/d"),
    ]
    shown = provenance_html(cited, copies)
    assert "<img" not in shown and "&lt;img" in shown
    assert "javascript:" not in shown
    assert 'href="https://reuters.example/d"' in shown
    assert "First reported by Coastal Wire on 2024-03-05" in shown
    assert provenance_html(cited, []) == ""


def test_story_rows_and_members_for_the_corpus_page() -> None:
    members = [
        {
            "id": "a1",
            "title": "Plant *approved*",
            "source": "Wire",
            "published_at": "2024-03-05",
            "url": None,
            "copy_of": None,
            "similarity": None,
        },
        {
            "id": "a2",
            "title": "Coast gets plant",
            "source": None,
            "published_at": None,
            "url": None,
            "copy_of": "a1",
            "similarity": 0.9,
        },
    ]
    story = {"story_id": "s-1", "first": members[0], "copies": 2, "members": members}
    rows = story_rows([story])
    assert rows["Outlets"] == ["Wire, unknown"] and rows["Copies"] == [2]
    lines = member_lines(story)
    assert "first reported" in lines and "0\\.90 like a1" in lines and "\\*approved\\*" in lines
    assert story_matches(story, "coast wire") and not story_matches(story, "ferry")
