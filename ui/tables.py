"""The Corpus page's selectable tables (articles, stories): one row per item, a wide title, a
narrow count column, and a fresh selection per search and after each removal."""

from __future__ import annotations

import hashlib
from typing import Any

import streamlit as st


def fresh_key(kind: str, version: int, query: str) -> str:
    """A widget key that changes with the search and after each removal."""
    digest = hashlib.sha1(query.encode("utf-8")).hexdigest()[:8]
    return f"{kind}-table-{version}-{digest}"


def selected_rows(frame: Any, key: str, count_column: str) -> list[int]:
    """Show `frame` as a multi-row selectable table; the selected row numbers, in range."""
    event = st.dataframe(
        frame,
        key=key,
        on_select="rerun",
        selection_mode="multi-row",
        hide_index=True,
        width="stretch",
        column_config={
            "Title": st.column_config.TextColumn(width="large"),
            count_column: st.column_config.NumberColumn(width="small"),
        },
    )
    rows = getattr(getattr(event, "selection", None), "rows", []) or []
    return [i for i in rows if 0 <= i < len(frame)]
