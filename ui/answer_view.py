"""One answer in the chat: the short answer in bold, the text with `[n]` links to its sources,
one compact card per cited article (collapsed to a line), the whole article on request, and
copy, feedback and save buttons. Every untrusted string is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from rag.errors import RagError
from ui.feedback import question_record, record_feedback, save_question
from ui.provenance import provenance_html
from ui.render import (
    Highlight,
    answer_html,
    article_html,
    box_id,
    claims_html,
    escape_markdown,
    meta_line,
    one_line,
    passage_html,
    plural,
    safe_url,
    scroll_script,
    short_answer_html,
)
from ui.sources import (
    by_article,
    card_label,
    copy_button_html,
    one_per_article,
    plain_text,
    snippet,
    snippet_html,
)

if TYPE_CHECKING:
    from rag.answer import Answer, Citation
    from rag.conversations import Conversations, Message
    from rag.retrieve import Passage
    from rag.store import Store

LEADS = 3
FLAGGED = (
    "This article holds text addressed to AI assistants: it is never quoted or used as support."
)
NOTICES = "answer_notices"


def source_anchor(message_id: str, n: int) -> str:
    """The DOM id of quote [n] of an answer (message ids are hex)."""
    return f"nd-src-{message_id}-{int(n)}"


def render_answer(message: Message, store: Store, data_dir: Path, book: Conversations) -> None:
    """The answer, then its sources (or leads), then its buttons."""
    render_text(message)
    render_details(message, store, data_dir, book)


def render_text(message: Message, where: Any = None) -> None:
    """The short answer in bold (when the reader found one) above the answer's text."""
    answer: Answer = message.answer  # type: ignore[assignment]
    short = getattr(answer, "short_answer", None)
    if answer.claims and not answer.abstained:  # an LLM's answer, checked claim by claim
        body = claims_html(answer.claims)
    else:
        body = answer_html(answer.text, f"nd-src-{message.id}")
    if short is not None and not answer.abstained:
        body = short_answer_html(short.text) + body
    (where or st).html(body)


def render_details(message: Message, store: Store, data_dir: Path, book: Conversations) -> None:
    """Everything under an answer's text."""
    answer: Answer = message.answer  # type: ignore[assignment]
    if answer.abstained:
        _render_rejected(answer)
        _render_leads(message.id, answer.passages, store)
    else:
        _render_warnings(answer)
        _render_sources(message.id, answer, store)
    _render_actions(message, data_dir, book)


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


def _render_sources(message_id: str, answer: Answer, store: Store) -> None:
    articles = by_article(answer.citations)
    cited = plural(len(answer.citations), "quote")
    st.caption(f"Sources · {plural(len(articles), 'article')}, {cited}")
    starts = {p.chunk_id: p.start for p in answer.passages}
    short = getattr(answer, "short_answer", None)
    for citations in articles:
        first = citations[0]
        with st.expander(escape_markdown(card_label(citations)), icon=":material/format_quote:"):
            if any(getattr(c, "flagged", False) for c in citations):
                st.warning(FLAGGED, icon=":material/gpp_maybe:")
            quotes = [
                snippet_html(
                    source_anchor(message_id, c.n),
                    c.n,
                    snippet(c, starts.get(c.chunk_id), short),
                    c.quote,
                )
                for c in citations
            ]
            st.html("".join(quotes))
            also = tuple(getattr(first, "also_in", ()) or ())
            if also:
                st.html(provenance_html(first, also))
            if not all(c.supported for c in citations):
                st.caption("A quote marked here only weakly supports the sentence citing it.")
            _card_buttons(message_id, first.n, store, first.article_id, first.url, citations, short)


def _render_leads(message_id: str, passages: Sequence[Passage], store: Store) -> None:
    if not passages:
        st.caption("Nothing in the archive comes close. Try other words or wider filters.")
        return
    st.caption("No passage answers this confidently. The closest articles, as leads:")
    for i, passage in enumerate(one_per_article(passages, LEADS), start=1):
        meta = meta_line(passage.source, passage.published_at)
        label = escape_markdown(f"Lead {i}: {passage.title} · {meta}")
        with st.expander(label, icon=":material/search:"):
            if passage.flagged:
                st.warning(FLAGGED, icon=":material/gpp_maybe:")
            st.html(passage_html(passage.text))
            _card_buttons(message_id, -i, store, passage.article_id, passage.url, [])


def _card_buttons(
    message_id: str,
    n: int,
    store: Store,
    article_id: str,
    url: str | None,
    cited: Sequence[Citation],
    short: Any | None = None,
) -> None:
    row = st.container(horizontal=True)
    if row.button("Open article", key=f"open-{message_id}-{n}", icon=":material/article:"):
        spans = [Highlight(c.start, c.end, c.n) for c in cited]
        mine = short if short is not None and short.article_id == article_id else None
        show_article(store, article_id, spans, mine)
    link = safe_url(url)
    if link:
        row.link_button("Original", link, icon=":material/open_in_new:", type="tertiary")


@st.dialog("Article", width="large")
def show_article(
    store: Store, article_id: str, spans: Sequence[Highlight], short: Any | None = None
) -> None:
    """The whole stored article, every cited span highlighted and the first scrolled into view;
    the short answer, when it lies in this article, in bold inside its quote."""
    try:
        article = store.article(article_id)
    except RagError as exc:
        st.error(one_line(exc))
        return
    render_article(article, spans, short)


def render_article(
    article: dict[str, Any], spans: Sequence[Highlight] = (), short: Any | None = None
) -> None:
    """Title, outlet, date, link and the article's text in a scrollable box; the short answer
    (article offsets) set in bold where its text is found at them."""
    st.subheader(escape_markdown(article["title"]), anchor=False)
    line = meta_line(article.get("source"), article.get("published_at"))
    link = safe_url(article.get("url"))
    if link:
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.caption(escape_markdown(line))
        right.link_button("Original", link, icon=":material/open_in_new:")
    else:
        st.caption(escape_markdown(line))
    if spans:
        st.caption(f"{plural(len(spans), 'cited passage')} highlighted.")
    text = article["text"]
    inner = []
    if short is not None and text[short.start : short.end] == short.text:
        inner = [(short.start, short.end)]
        st.html(short_answer_html(short.text))
    flagged = article.get("flagged_sentences") or []
    if flagged:
        quoted = "\n".join(f"- {escape_markdown(' '.join(s.split()))}" for s in flagged)
        st.warning(f"{FLAGGED}\n{quoted}", icon=":material/gpp_maybe:")
    element_id = box_id(article["id"], *(f"{s.start}-{s.end}" for s in spans))
    st.html(article_html(text, spans, element_id, inner))
    if spans:
        st.html(scroll_script(element_id), unsafe_allow_javascript=True)


# -- copy, feedback, saving -----------------------------------------------------------------------
def _render_actions(message: Message, data_dir: Path, book: Conversations) -> None:
    key = f"rate-{message.id}"
    rated = {"up": 1, "down": 0}.get(message.rating or "")
    row = st.container(horizontal=True, vertical_alignment="center")
    with row:
        st.feedback(
            "thumbs", key=key, default=rated, on_change=_rated, args=(message, data_dir, key, book)
        )
        st.html(copy_button_html(plain_text(message.answer)))  # type: ignore[arg-type]
        st.button(
            "Save as test question",
            key=f"save-{message.id}",
            icon=":material/playlist_add:",
            on_click=_save,
            args=(message, data_dir),
            type="tertiary",
        )
    notice = st.session_state.get(NOTICES, {}).get(message.id)
    if notice:
        st.caption(escape_markdown(notice))


def _notice(message: Message, text: str) -> None:
    st.session_state.setdefault(NOTICES, {})[message.id] = text


def _rated(message: Message, data_dir: Path, key: str, book: Conversations) -> None:
    value = st.session_state.get(key)
    rating = {1: "up", 0: "down"}.get(value) if isinstance(value, int) else None
    message.rating = rating
    try:
        book.rate(message.id, rating)
        if rating is not None:
            context = {"backend": message.context.get("backend")}
            record_feedback(book, message.answer, rating, context | _filters(message))  # type: ignore[arg-type]
    except (OSError, RagError) as exc:
        _notice(message, f"Could not save the feedback: {one_line(exc)}")
        return
    words = {"up": "helpful", "down": "not helpful"}
    _notice(
        message,
        f"You rated this answer {words[rating]}; thank you." if rating else "Rating removed.",
    )


def _filters(message: Message) -> dict[str, Any]:
    return {"filters": message.context.get("filters")}


def _save(message: Message, data_dir: Path) -> None:
    answer: Answer = message.answer  # type: ignore[assignment]
    liked = message.rating == "up"
    record = question_record(
        answer, liked, message.context.get("as_of"), message.context.get("history")
    )
    try:
        path = save_question(data_dir, record)
    except OSError as exc:
        _notice(message, f"Could not save the question: {exc.strerror or exc}")
        return
    gold = " with this answer as its gold" if "answer" in record else " (rate it up to keep"
    gold += "" if "answer" in record else " this answer as its gold)"
    if liked and answer.abstained:
        gold = " as a question the archive cannot answer"
    _notice(message, f"Saved as test question {record['id']}{gold} in {path}.")
