"""The Corpus page's stories: one row per story (first copy's title, copies, outlets, first
publication), and the copies of the stories selected. Untrusted text is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import streamlit as st

from ui.render import escape_markdown, plural
from ui.tables import fresh_key, selected_rows

if TYPE_CHECKING:
    from rag.store import Store


def story_matches(story: dict[str, Any], query: str) -> bool:
    """Every word of the search in some copy's title, outlet or id (or the story id)."""
    fields = [story["story_id"]] + [
        f"{m['title']} {m.get('source') or ''} {m['id']}" for m in story["members"]
    ]
    return all(any(w in f.lower() for f in fields) for w in query.lower().split())


def copies_label(count: int) -> str:
    return f"{count} {'copy' if count == 1 else 'copies'}"


def story_rows(stories: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """The table's columns."""
    return {
        "Title": [s["first"]["title"] for s in stories],
        "Copies": [int(s["copies"]) for s in stories],
        "Outlets": [
            ", ".join(dict.fromkeys(m.get("source") or "unknown" for m in s["members"]))
            for s in stories
        ],
        "First published": [(s["first"].get("published_at") or "")[:10] for s in stories],
        "Story": [s["story_id"] for s in stories],
    }


def member_lines(story: dict[str, Any]) -> str:
    """The copies of a story as a markdown list, first publication first."""
    lines = []
    for n, m in enumerate(story["members"]):
        when = (m.get("published_at") or "undated")[:10]
        first = " · first reported" if n == 0 else ""
        like = f" · {m['similarity']:.2f} like {m['copy_of']}" if m.get("copy_of") else ""
        lines.append(
            escape_markdown(f"{m.get('source') or 'Unknown outlet'} · {when} · ")
            + f"**{escape_markdown(m['title'])}**"
            + escape_markdown(f" (id {m['id']}{like}{first})")
        )
    return "\n".join(f"- {line}" for line in lines)


def render_stories(store: Store, query: str) -> None:
    """The stories table; selected rows show their copies."""
    import pandas as pd

    stories = [s for s in store.list_stories() if story_matches(s, query)]
    shared = sum(1 for s in stories if s["copies"] > 1)
    st.caption(
        f"{plural(len(stories), 'story')} · {shared} with more than one copy · "
        "select rows to see their copies"
    )
    key = fresh_key("story", st.session_state.get("table_version", 0), query)
    for i in selected_rows(pd.DataFrame(story_rows(stories)), key, "Copies"):
        with st.container(border=True):
            story = stories[i]
            st.markdown(
                f"**{escape_markdown(story['first']['title'])}** · "
                + escape_markdown(copies_label(story["copies"]))
            )
            st.markdown(member_lines(story))
