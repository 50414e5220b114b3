"""The Corpus page: add articles (uploads or URLs) with progress and the CLI's summary; browse,
open and remove stored articles."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any

import streamlit as st

from rag.errors import RagError
from rag.terminal import near_copy_line
from ui.answer_view import render_article
from ui.render import escape_markdown, one_line, plural
from ui.resources import open_archive
from ui.story_table import render_stories
from ui.tables import fresh_key, selected_rows
from ui.uploads import UPLOAD_TYPES, Upload, read_uploads, read_urls, split_urls

if TYPE_CHECKING:
    from rag.config import Settings
    from rag.ingest import Article, Failure
    from rag.plan import AddReport
    from rag.store import Store

SHOWN_TITLES = 10


def render_corpus_page() -> None:
    """The whole page; called by the app's navigation."""
    settings, store, stats = open_archive()
    st.title("Corpus", anchor=False)
    st.caption(corpus_header(stats, str(settings.data_dir)))
    add_tab, browse_tab = st.tabs([":material/upload_file: Add articles", ":material/list: Browse"])
    with add_tab:
        _render_add(store, settings)
    with browse_tab:
        _render_browse(store)


def corpus_header(stats: dict[str, Any], data_dir: str) -> str:
    """'3 articles · 12 passages · 2 outlets (1 article with an unknown outlet) · stored in …'."""
    outlets = plural(len(stats["sources"]), "outlet")
    if stats.get("no_source"):
        outlets += f" ({plural(stats['no_source'], 'article')} with an unknown outlet)"
    return escape_markdown(
        f"{plural(stats['articles'], 'article')} · {plural(stats['chunks'], 'passage')} · "
        f"{outlets} · stored in {data_dir}"
    )


# -- adding -------------------------------------------------------------------------------------
def _render_add(store: Store, settings: Settings) -> None:
    with st.form("add-articles", clear_on_submit=True):
        files = st.file_uploader(
            "Files",
            type=UPLOAD_TYPES,
            accept_multiple_files=True,
            max_upload_size=max(1, math.ceil(settings.max_file_mb)),
            help=f"{', '.join(UPLOAD_TYPES)}; up to {settings.max_file_mb:g} MB each.",
        )
        urls = st.text_area("Web pages", placeholder="https://… (one URL per line)", height=90)
        submitted = st.form_submit_button("Add to archive", type="primary", icon=":material/add:")
    if submitted:
        _add(store, settings, list(files or []), urls or "")
    summary = st.session_state.get("add_summary")
    if summary:
        _render_summary(summary)


def _add(store: Store, settings: Settings, files: list[Any], urls_text: str) -> None:
    uploads = [Upload(f.name, f.getvalue()) for f in files]
    urls, bad_urls = split_urls(urls_text)
    if not uploads and not urls and not bad_urls:
        st.warning("Choose files or paste URLs first.")
        return
    max_bytes = int(settings.max_file_mb * 1e6)
    items: Iterator[Article | Failure] = chain(
        read_uploads(uploads, max_bytes),
        read_urls(urls, settings),
        iter(bad_urls),
    )
    bar = st.progress(0.0, text="Reading…")
    try:
        report = store.add(items, _progress_bar(bar))
    except RagError as exc:
        st.error(f"Nothing was added: {one_line(exc)}")
        return
    except Exception as exc:  # noqa: BLE001 - the edge: one line, never a traceback
        st.error(
            f"Adding stopped: unexpected {type(exc).__name__}: {one_line(exc)}. "
            "Batches already committed are kept: add the same files again to finish."
        )
        return
    finally:
        bar.empty()
    st.session_state["add_summary"] = _summary(store, report)
    st.rerun()  # the counts at the top of the page change too


def _progress_bar(bar: Any) -> Callable[[str, int, int], None]:
    """Progress of `Store.add` as one bar: reading, splitting, queueing, embedding."""

    def progress(phase: str, done: int, total: int) -> None:
        share = min(1.0, done / total) if total else 0.0
        if phase == "reading":
            bar.progress(0.0, text=f"Reading sources: {done} read…")
        elif phase == "splitting":
            bar.progress(share, text=f"Splitting into passages: {share:.0%}")
        elif phase == "waiting":
            bar.progress(share, text=f"Waiting for another writer to finish… {done} s of {total}")
        else:
            bar.progress(share if total else 1.0, text=f"Embedding passages: {done} of {total}")

    return progress


def _summary(store: Store, report: AddReport) -> dict[str, Any]:
    titles = []
    changed = [("added", a) for a in report.added] + [("updated", a) for a in report.updated]
    for status, article_id in changed[:SHOWN_TITLES]:
        try:
            titles.append((status, store.article(article_id)["title"]))
        except RagError:
            continue
    return {
        "counts": {
            "added": len(report.added),
            "updated": len(report.updated),
            "unchanged": len(report.unchanged),
            "duplicate": len(report.duplicate),
            "failed": len(report.failed),
        },
        "chunks": report.chunks,
        "titles": titles,
        "more": max(0, len(changed) - SHOWN_TITLES),
        "duplicates": list(report.duplicate),
        "near": [near_copy_line(n) for n in report.near_duplicate],
        "reused": report.reused,
        "failures": [(f.origin, f.reason) for f in report.failed],
    }


def _render_summary(summary: dict[str, Any]) -> None:
    counts = summary["counts"]
    line = ", ".join(f"{name} {n}" for name, n in counts.items())
    reused = summary.get("reused", 0)
    kept = f"{reused} chunks reused, " if reused else ""
    line += f" ({kept}{summary['chunks'] - reused} chunks embedded)"
    stored = counts["added"] + counts["updated"] + counts["unchanged"] + counts["duplicate"]
    (st.success if stored and not counts["failed"] else st.warning)(line)
    lines = [f"- {status}: {escape_markdown(title)}" for status, title in summary["titles"]]
    if summary["more"]:
        lines.append(f"- … and {summary['more']} more")
    lines += [f"- duplicate: {escape_markdown(d)}" for d in summary["duplicates"]]
    lines += [f"- {escape_markdown(n)}" for n in summary.get("near", [])]
    lines += [
        f"- failed: {escape_markdown(origin)}: {escape_markdown(reason)}"
        for origin, reason in summary["failures"]
    ]
    if lines:
        st.markdown("\n".join(lines))


# -- browsing -----------------------------------------------------------------------------------
def _matches(article: dict[str, Any], query: str) -> bool:
    fields = (article["title"], article.get("source") or "", article["id"])
    return all(any(word in f.lower() for f in fields) for word in query.lower().split())


def _render_browse(store: Store) -> None:
    notice = st.session_state.pop("corpus_notice", None)
    if notice:
        (st.error if notice[0] == "error" else st.success)(notice[1])
    articles = store.list_articles()
    if not articles:
        st.info("No articles yet: add some in the first tab, or run `rag add PATH|URL`.")
        return
    query = st.text_input("Search", placeholder="Title, outlet or id", key="corpus-search")
    if st.toggle("Group by story", key="corpus-by-story", help="Copies of one report together"):
        render_stories(store, query)
        return
    shown = [a for a in articles if _matches(a, query)]
    total = plural(len(articles), "article")
    st.caption(f"{len(shown)} of {total} · select rows to open or remove")
    flagged = sum(bool(a.get("flagged")) for a in articles)
    if flagged:
        st.warning(
            f"{plural(flagged, 'article')} hold text addressed to AI assistants (possible prompt "
            "injection): never quoted or used as support. See the Warning column.",
            icon=":material/gpp_maybe:",
        )
    version = st.session_state.setdefault("table_version", 0)
    rows = selected_rows(_table(shown), table_key(version, query), "Passages")
    selected = [shown[i]["id"] for i in rows]
    _render_actions(store, selected, {a["id"]: a["title"] for a in articles})


def table_key(version: int, query: str) -> str:
    """A fresh table (and so a fresh selection) per search and after each removal."""
    return fresh_key("corpus", version, query)


def _table(articles: Sequence[dict[str, Any]]) -> Any:
    import pandas as pd

    return pd.DataFrame(
        {
            "Title": [a["title"] for a in articles],
            "Outlet": [a.get("source") or "unknown" for a in articles],
            "Published": [(a.get("published_at") or "")[:10] for a in articles],
            "Passages": [int(a["chunks"]) for a in articles],
            "Warning": ["text addressed to AI" if a.get("flagged") else "" for a in articles],
            "Id": [a["id"] for a in articles],
        }
    )


def _render_actions(store: Store, selected: list[str], titles: dict[str, str]) -> None:
    pending = [i for i in st.session_state.get("confirm_remove", []) if i in titles]
    if pending:
        _confirm_removal(store, pending, titles)
        return
    buttons = st.container(horizontal=True)
    if buttons.button(
        "Open", icon=":material/article:", disabled=len(selected) != 1, key="open-selected"
    ):
        st.session_state["open_article"] = selected[0]
    buttons.button(
        f"Remove {len(selected)} selected" if selected else "Remove selected",
        icon=":material/delete:",
        disabled=not selected,
        key="remove-selected",
        on_click=lambda: st.session_state.update(confirm_remove=list(selected)),
    )
    opened = st.session_state.get("open_article")
    if opened in titles:
        _render_open(store, opened)


def _confirm_removal(store: Store, ids: list[str], titles: dict[str, str]) -> None:
    names = "\n".join(f"- {escape_markdown(titles[i])}" for i in ids)
    with st.container(border=True):
        st.warning(f"Remove {plural(len(ids), 'article')} from the archive? This cannot be undone.")
        st.markdown(names)
        buttons = st.container(horizontal=True)
        buttons.button(
            "Yes, remove",
            type="primary",
            key="confirm-remove",
            on_click=_remove,
            args=(store, ids),
        )
        buttons.button(
            "Cancel",
            key="cancel-remove",
            on_click=lambda: st.session_state.pop("confirm_remove", None),
        )


def _remove(store: Store, ids: list[str]) -> None:
    st.session_state.pop("confirm_remove", None)
    try:
        report = store.remove(ids)
    except RagError as exc:
        st.session_state["corpus_notice"] = ("error", f"Nothing was removed: {one_line(exc)}")
        return
    removed = report.removed
    gone = f" {plural(len(report.missing), 'article')} already gone." if report.missing else ""
    st.session_state["corpus_notice"] = (
        "success",
        f"Removed {plural(len(removed), 'article')}.{gone}",
    )
    st.session_state["table_version"] = st.session_state.get("table_version", 0) + 1
    if st.session_state.get("open_article") in removed:
        st.session_state.pop("open_article", None)


def _render_open(store: Store, article_id: str) -> None:
    try:
        article = store.article(article_id)
    except RagError as exc:
        st.error(one_line(exc))
        return
    with st.container(border=True):
        render_article(article)
        st.caption(f"Id: {escape_markdown(article_id)} · {plural(article['chunks'], 'passage')}")
        st.button(
            "Close",
            key="close-article",
            on_click=lambda: st.session_state.pop("open_article", None),
        )
