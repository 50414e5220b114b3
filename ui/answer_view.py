"""One answer in the chat: its text with [n] badges, its sources with the cited sentence
highlighted, the whole article on request, and feedback. Every untrusted string is escaped."""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from rag.errors import RagError
from ui.feedback import QUESTIONS_FILE, question_record, record_feedback, save_question
from ui.render import (
    Highlight,
    answer_html,
    article_html,
    box_id,
    claims_html,
    escape_markdown,
    meta_line,
    one_line,
    passage_highlights,
    passage_html,
    safe_url,
    scroll_script,
)

if TYPE_CHECKING:
    from rag.answer import Answer, Citation
    from rag.retrieve import Passage
    from rag.store import Store

Message = MutableMapping[str, Any]
LEADS = 3


FLAGGED = (
    "This article holds text addressed to AI assistants: it is never quoted or used as support."
)


def render_answer(message: Message, store: Store, data_dir: Path) -> None:
    """The answer text, then its sources (or leads), then feedback controls."""
    answer: Answer = message["answer"]
    st.html(answer_body_html(answer))
    render_details(message, store, data_dir)


def answer_body_html(answer: Answer) -> str:
    """The checked answer: claim by claim (unsupported ones marked) when it has claims."""
    if answer.claims and not answer.abstained:
        return claims_html(answer.claims)
    return answer_html(answer.text)


def render_details(message: Message, store: Store, data_dir: Path) -> None:
    """Everything under an answer's text."""
    answer: Answer = message["answer"]
    if answer.abstained:
        _render_rejected(answer)
        _render_leads(message["id"], answer.passages, store)
    else:
        _render_warnings(answer)
        _render_sources(message["id"], answer, store)
    _render_feedback(message, data_dir)


def _render_warnings(answer: Answer) -> None:
    rejected = [c for c in getattr(answer, "claims", []) or [] if not c.supported]
    if answer.unsupported_only:
        st.error("No passage backs this answer: it is shown unchecked.", icon=":material/error:")
    if rejected:
        lines = "\n".join(
            f"- {escape_markdown(' '.join(c.text.split()))} — *{escape_markdown(c.reason)}*"
            for c in rejected
        )
        st.warning(f"Not supported by the passages:\n{lines}", icon=":material/warning:")
    elif answer.unsupported:
        lines = "\n".join(f"- {escape_markdown(' '.join(s.split()))}" for s in answer.unsupported)
        st.warning(f"Not supported by the passages:\n{lines}", icon=":material/warning:")
    for note in getattr(answer, "notes", []) or []:
        st.caption(escape_markdown(note))


def _render_rejected(answer: Answer) -> None:
    """An abstention that replaced a model's answer: what it said, and why none of it held."""
    rejected = [c for c in getattr(answer, "claims", []) or [] if not c.supported]
    if rejected:
        with st.expander("The model's answer, not backed by the passages", icon=":material/block:"):
            for claim in rejected:
                st.markdown(
                    f"- {escape_markdown(' '.join(claim.text.split()))} — "
                    f"*{escape_markdown(claim.reason)}*"
                )


def _passage_start(passages: Sequence[Passage], chunk_id: str) -> int | None:
    return next((p.start for p in passages if p.chunk_id == chunk_id), None)


def _render_sources(message_id: str, answer: Answer, store: Store) -> None:
    st.caption(f"Sources · {len(answer.citations)} cited")
    for citation in answer.citations:
        label = escape_markdown(f"[{citation.n}] {citation.title}")
        with st.expander(label, expanded=citation.n == 1, icon=":material/format_quote:"):
            _source_header(citation.source, citation.published_at, citation.url)
            start = _passage_start(answer.passages, citation.chunk_id)
            same_chunk = [(citation.start, citation.end, citation.quote, citation.n)] + [
                (c.start, c.end, c.quote, c.n)
                for c in answer.citations
                if c.chunk_id == citation.chunk_id and not _overlap(c, citation)
            ]
            offset = start if start is not None else -(10**9)
            spans = passage_highlights(citation.passage, offset, same_chunk)
            st.html(passage_html(citation.passage, spans))
            if not citation.supported:
                st.caption("This quote only weakly supports the sentence citing it.")
            if getattr(citation, "flagged", False):
                st.warning(FLAGGED, icon=":material/gpp_maybe:")
            cited = [c for c in answer.citations if c.article_id == citation.article_id]
            _open_button(message_id, citation.n, store, citation.article_id, cited)


def _overlap(first: Citation, second: Citation) -> bool:
    return first.start < second.end and second.start < first.end


def _render_leads(message_id: str, passages: Sequence[Passage], store: Store) -> None:
    if not passages:
        st.caption("Nothing in the archive comes close. Try other words or wider filters.")
        return
    st.caption("No passage answers this confidently. The closest passages, as leads:")
    for i, passage in enumerate(passages[:LEADS], start=1):
        with st.expander(escape_markdown(f"Lead {i}: {passage.title}"), icon=":material/search:"):
            _source_header(passage.source, passage.published_at, passage.url)
            if passage.flagged:
                st.warning(FLAGGED, icon=":material/gpp_maybe:")
            st.html(passage_html(passage.text))
            _open_button(message_id, -i, store, passage.article_id, [])


def _source_header(source: str | None, published_at: str | None, url: str | None) -> None:
    link = safe_url(url)
    if link:
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.caption(escape_markdown(meta_line(source, published_at)))
        right.link_button("Original", link, icon=":material/open_in_new:")
    else:
        st.caption(escape_markdown(meta_line(source, published_at)))


def _open_button(
    message_id: str, n: int, store: Store, article_id: str, cited: Sequence[Citation]
) -> None:
    if st.button("Open article", key=f"open-{message_id}-{n}", icon=":material/article:"):
        spans = [Highlight(c.start, c.end, c.n) for c in cited]
        show_article(store, article_id, spans)


@st.dialog("Article", width="large")
def show_article(store: Store, article_id: str, spans: Sequence[Highlight]) -> None:
    """The whole stored article, every cited span highlighted and the first scrolled into view."""
    try:
        article = store.article(article_id)
    except RagError as exc:
        st.error(one_line(exc))
        return
    render_article(article, spans)


def render_article(article: dict[str, Any], spans: Sequence[Highlight] = ()) -> None:
    """Title, outlet, date, link and the article's text in a scrollable box."""
    st.subheader(escape_markdown(article["title"]), anchor=False)
    _source_header(article.get("source"), article.get("published_at"), article.get("url"))
    flagged = article.get("flagged_sentences") or []
    if flagged:
        quoted = "\n".join(f"- {escape_markdown(' '.join(s.split()))}" for s in flagged)
        st.warning(f"{FLAGGED}\n{quoted}", icon=":material/gpp_maybe:")
    if spans:
        st.caption(f"{len(spans)} cited passage(s) highlighted.")
    element_id = box_id(article["id"], *(f"{s.start}-{s.end}" for s in spans))
    st.html(article_html(article["text"], spans, element_id))
    if spans:
        st.html(scroll_script(element_id), unsafe_allow_javascript=True)


# -- feedback -----------------------------------------------------------------------------------
def _render_feedback(message: Message, data_dir: Path) -> None:
    key = f"rate-{message['id']}"
    left, right = st.columns([1, 3], vertical_alignment="center")
    with left:
        st.feedback("thumbs", key=key, on_change=_rated, args=(message, data_dir, key))
    with right:
        st.button(
            "Save as test question",
            key=f"save-{message['id']}",
            icon=":material/playlist_add:",
            on_click=_save,
            args=(message, data_dir),
            type="tertiary",
        )
    if message.get("notice"):
        st.caption(message["notice"])


def _rated(message: Message, data_dir: Path, key: str) -> None:
    value = st.session_state.get(key)
    rating = {1: "up", 0: "down"}.get(value) if isinstance(value, int) else None
    message["rating"] = rating
    if rating is None:
        return
    context = {"backend": message.get("backend"), "filters": message.get("filters")}
    try:
        record_feedback(data_dir, message["answer"], rating, context)
    except OSError as exc:
        message["notice"] = f"Could not save the feedback: {exc.strerror or exc}"
        return
    message["notice"] = "Thanks, your feedback was saved."


def _save(message: Message, data_dir: Path) -> None:
    answer: Answer = message["answer"]
    liked = message.get("rating") == "up"
    record = question_record(answer, liked, message.get("as_of"), message.get("history"))
    try:
        save_question(data_dir, record)
    except OSError as exc:
        message["notice"] = f"Could not save the question: {exc.strerror or exc}"
        return
    gold = " with this answer as gold" if "answer" in record else ""
    if liked and answer.abstained:
        gold = " as a question the archive cannot answer"
    message["notice"] = f"Saved to {QUESTIONS_FILE} as {record['id']}{gold}."
