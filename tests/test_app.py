"""The Streamlit pages, headless (AppTest), against a real store in tmp_path."""

from __future__ import annotations

import datetime as dt
import functools
import html
import http.server
import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from rag.assistant import Assistant
from rag.conversations import Message, open_conversations
from rag.ingest import read_sources
from rag.question_sets import load_questions
from ui.corpus import table_key

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TIMEOUT = 240

HARBOUR = """---
title: Ferry service to Manora resumes after dredging
source: Harbour Gazette
date: 2024-03-02
---
The Manora ferry service resumed on Saturday after three weeks of dredging in the channel, the
port authority said. Officials said the ferries would run every twenty minutes from Keamari.

Boat operators welcomed the decision and said passenger numbers had fallen sharply.
"""

VALLEY = """---
title: Apricot harvest in Hunza hit by late frost
source: Valley Courier
date: 2024-06-15
---
Farmers in Hunza said a late frost in April destroyed nearly half of the apricot blossoms this
year. The agriculture department promised seed subsidies to growers who lost their crop.

Traders expect dried apricot prices to rise in the autumn markets of Gilgit.
"""


@pytest.fixture(scope="module")
def archive(embedder, tmp_path_factory, backend) -> Path:
    """The shipped corpus plus two dated articles from two outlets."""
    sources = tmp_path_factory.mktemp("app-sources")
    (sources / "harbour.md").write_text(HARBOUR, encoding="utf-8")
    (sources / "valley.md").write_text(VALLEY, encoding="utf-8")
    data_dir = tmp_path_factory.mktemp("app-archive")
    store = backend.store(data_dir, embedder)
    report = store.add(read_sources([str(ROOT / "corpus"), str(sources)], 10**7))
    store.close()
    assert len(report.added) == 3
    return data_dir


def _start(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path, backend: Any = None, **env: str
) -> AppTest:
    _point_at(monkeypatch, data_dir, backend)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.run()
    assert not app.exception, app.exception
    return app


def _point_at(monkeypatch: pytest.MonkeyPatch, data_dir: Path, backend: Any) -> None:
    """The app's environment for the archive in `data_dir` (on the backend, if given)."""
    monkeypatch.delenv("RAG_DATABASE_URL", raising=False)
    monkeypatch.delenv("RAG_CHROMA_URL", raising=False)
    env = backend.env(data_dir) if backend is not None else {"RAG_DATA_DIR": str(data_dir)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def app(archive: Path, monkeypatch: pytest.MonkeyPatch, backend) -> AppTest:
    return _start(monkeypatch, archive, backend)


def _book() -> Any:
    """The conversations of the archive the app runs on."""
    return _conversations(os.environ["RAG_DATA_DIR"], os.environ.get("RAG_DATABASE_URL", ""))


@functools.cache
def _conversations(data_dir: str, database_url: str) -> Any:
    return open_conversations(Path(data_dir), database_url)


def _messages(app: AppTest) -> list[Message]:
    """The open conversation's messages, as kept where the archive keeps them."""
    conversation = app.session_state["conversation"]
    if conversation is None:
        return []
    return _book().messages(conversation)


def _ask(app: AppTest, question: str) -> Message:
    app.chat_input[0].set_value(question).run()
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]
    return _messages(app)[-1]


def _plain(text: str) -> str:
    return text.replace("\\", "")


def _marked(app: AppTest) -> list[str]:
    """Texts inside <mark> in every st.html element."""
    bodies = [h.value for h in app.html]
    return [m for body in bodies for m in re.findall(r"<mark[^>]*>(.*?)</mark>", body, re.S)]


def test_chat_turn_shows_a_cited_answer_with_the_sentence_highlighted(app: AppTest) -> None:
    message = _ask(app, "What did Sattar demand?")
    answer = message.answer
    assert answer is not None and not answer.abstained
    assert "restored as the party chief" in answer.citations[0].quote
    assert "restored as the party chief" in app.chat_message[1].html[0].value
    assert any("restored as the party chief" in m for m in _marked(app))
    labels = [e.label for e in app.expander]
    assert any(label.startswith("\\[1\\] Tessori") for label in labels)
    assert any("The News" in label for label in labels), "the card's line names the outlet"
    assert [b.label for b in app.button if b.label == "Open article"]
    app.run()
    rerendered = app.chat_message[1].html[0].value
    assert "party chief." in rerendered and ">1</a>" in rerendered, "[n] is a link to its source"
    assert f'href="#nd-src-{message.id}-1"' in rerendered


def test_follow_up_passes_the_conversation(app: AppTest) -> None:
    _ask(app, "What did Sattar demand?")
    follow = _ask(app, "Did the MQM-P accept it?")
    assert follow.context["history"][0] == {"role": "user", "content": "What did Sattar demand?"}
    assert follow.answer is not None and not follow.answer.abstained
    assert "not acceptable" in follow.answer.text
    assert len(app.chat_message) == 4


def test_abstention_says_so_and_shows_leads(app: AppTest) -> None:
    message = _ask(app, "Who won the football world cup in 2022?")
    assert message.answer is not None and message.answer.abstained
    assert "could not find" in app.chat_message[1].html[0].value
    assert any("closest articles" in c.value for c in app.caption)
    leads = [e.label for e in app.expander if e.label.startswith("Lead ")]
    assert leads and len(leads) == len({p.article_id for p in message.answer.passages[:20]})
    assert not _marked(app), "leads are shown without highlights"


def test_outlet_filter_keeps_other_outlets_out(app: AppTest) -> None:
    outlets = app.selectbox(key="chat-source").options
    assert {"Harbour Gazette", "Valley Courier", "The News"} <= set(outlets)
    app.selectbox(key="chat-source").select("Valley Courier").run()
    answer = _ask(app, "When did the Manora ferry service resume?").answer
    assert answer.passages and {p.source for p in answer.passages} == {"Valley Courier"}
    assert all(c.source == "Valley Courier" for c in answer.citations)


def test_date_filters_and_as_of(app: AppTest) -> None:
    app.date_input(key="chat-since").set_value(dt.date(2024, 5, 1)).run()
    answer = _ask(app, "What happened to the ferry and the apricot harvest?").answer
    assert answer.passages and all(p.published_at >= "2024-05-01" for p in answer.passages)
    app.date_input(key="chat-since").set_value(None)
    app.date_input(key="chat-as_of").set_value(dt.date(2024, 4, 1)).run()
    answer = _ask(app, "What happened to the apricot harvest in Hunza?").answer
    dated = [p.published_at for p in answer.passages if p.published_at]
    assert dated and all(d <= "2024-04-01" for d in dated)
    assert "Valley Courier" not in {p.source for p in answer.passages}


def test_passages_slider_limits_what_is_read(app: AppTest) -> None:
    app.slider(key="chat-k").set_value(2).run()
    answer = _ask(app, "What did Sattar demand?").answer
    assert len(answer.passages) <= 2


def test_timings_and_new_chat(app: AppTest) -> None:
    _ask(app, "Who is the convener of the MQM-P?")
    app.toggle(key="chat-show_timings").set_value(True).run()
    steps = app.sidebar.dataframe[0].value["step"].tolist()
    assert steps == ["retrieve", "read", "answer", "total"]
    app.sidebar.button[0].click().run()
    assert app.session_state["conversation"] is None and "c" not in app.query_params
    assert len(app.chat_message) == 0


def test_feedback_and_saving_a_test_question(app: AppTest, archive: Path, backend) -> None:
    message = _ask(app, "Who is the convener of the MQM-P?")
    app.feedback(key=f"rate-{message.id}").set_value(1).run()
    feedback = _book().feedback()
    if not backend.shared:  # the embedded archive's feedback log is a file in the data dir
        lines = (archive / "feedback.jsonl").read_text().splitlines()
        assert [json.loads(x) for x in lines] == feedback
    assert feedback[-1]["rating"] == "up"
    assert feedback[-1]["question"] == "Who is the convener of the MQM-P?"
    assert feedback[-1]["citations"][0]["quote"] == message.answer.citations[0].quote
    assert _messages(app)[-1].rating == "up", "the rating is kept with the conversation"
    assert any("You rated this answer helpful" in _plain(c.value) for c in app.caption)
    app.button(key=f"save-{message.id}").click().run()
    saved = {q.question: q for q in load_questions(archive / "questions.jsonl")}
    gold = saved["Who is the convener of the MQM-P?"]
    assert "Khalid Maqbool Siddiqui" in gold.answers[0]
    assert gold.evidence == tuple(c.quote for c in message.answer.citations)
    saved = f"Saved as test question {gold.id} with this answer as its gold in {archive}"
    assert any(_plain(c.value).startswith(saved) for c in app.caption), "says where"


def test_question_with_markup_is_shown_literally(app: AppTest) -> None:
    question = "What about ![x](http://127.0.0.1:9/p.png) and <b>Sattar</b>?"
    _ask(app, question)
    shown = app.chat_message[0].html[0].value
    assert "<b>" not in shown and html.escape(question) in shown


def test_unavailable_backend_falls_back_to_extractive(app: AppTest) -> None:
    names = app.selectbox(key="chat-backend").options
    assert names[0] == "extractive" and len(names) > 1
    app.selectbox(key="chat-backend").select("openai").run()
    errors = [e.value for e in app.error]
    assert len(errors) == 1 and "openai answerer is unavailable" in errors[0]
    assert "\n" not in errors[0]
    app.chat_input[0].set_value("What did Sattar demand?").run()
    assert not _messages(app)[-1].answer.abstained


def test_empty_corpus_explains_how_to_add_articles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend
) -> None:
    app = _start(monkeypatch, tmp_path / "empty", backend)
    assert "rag add" in app.info[0].value and "Corpus" in app.info[0].value
    assert app.chat_input[0].disabled
    assert not app.error


def test_bad_settings_and_unusable_data_dir_are_one_line_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _start(monkeypatch, tmp_path, RAG_K="many")
    assert "RAG_K" in app.error[0].value and "\n" not in app.error[0].value
    monkeypatch.delenv("RAG_K")
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    app = _start(monkeypatch, blocker)
    assert app.error[0].value.startswith("Configuration error: RAG_DATA_DIR=")
    assert "is not a directory" in app.error[0].value and "\n" not in app.error[0].value


# -- conversations ------------------------------------------------------------------------------
def _reopen(archive: Path, conversation_id: str) -> AppTest:
    """A new browser session (a reload) on the conversation's URL."""
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.query_params["c"] = conversation_id
    app.run()
    assert not app.exception, app.exception
    return app


def test_a_reload_brings_the_conversation_back(app: AppTest, archive: Path) -> None:
    app.slider(key="chat-k").set_value(3).run()
    first = _ask(app, "What did Sattar demand?")
    _ask(app, "Did the MQM-P accept it?")
    conversation = app.session_state["conversation"]
    assert app.query_params["c"] == [conversation] or app.query_params["c"] == conversation
    reloaded = _reopen(archive, conversation)
    assert len(reloaded.chat_message) == 4
    assert "restored as the party chief" in reloaded.chat_message[1].html[0].value
    assert reloaded.slider(key="chat-k").value == 3, "the conversation's settings come back"
    again = _messages(reloaded)
    assert again[1].answer.citations == first.answer.citations
    assert again[1].answer.passages == first.answer.passages
    follow = _ask(reloaded, "Who is the convener of the MQM-P?")
    assert follow.context["history"][:2] == [
        {"role": "user", "content": "What did Sattar demand?"},
        {"role": "assistant", "content": first.content},
    ]


def test_sessions_keep_separate_conversations(archive: Path, monkeypatch, backend) -> None:
    one, two = _start(monkeypatch, archive, backend), _start(monkeypatch, archive, backend)
    _ask(one, "What did Sattar demand?")
    _ask(two, "Who is the convener of the MQM-P?")
    first, second = one.session_state["conversation"], two.session_state["conversation"]
    assert first != second
    assert [m.content for m in _messages(one)][0] == "What did Sattar demand?"
    assert [m.content for m in _messages(two)][0] == "Who is the convener of the MQM-P?"
    one.run()
    two.run()
    listed_one = [b.label for b in one.sidebar.button if b.key and b.key.startswith("conv-")]
    listed_two = [b.label for b in two.sidebar.button if b.key and b.key.startswith("conv-")]
    assert [_plain(t) for t in listed_one] == ["What did Sattar demand?"]
    assert [_plain(t) for t in listed_two] == ["Who is the convener of the MQM-P?"]


def test_conversations_are_listed_newest_first_renamed_and_deleted(app: AppTest) -> None:
    _ask(app, "What did Sattar demand?")
    first = app.session_state["conversation"]
    app.sidebar.button[0].click().run()  # New chat
    _ask(app, "Who is the convener of the MQM-P?")
    second = app.session_state["conversation"]
    app.run()
    keys = [b.key for b in app.sidebar.button if b.key and b.key.startswith("conv-")]
    assert keys == [f"conv-{second}", f"conv-{first}"], "newest first"
    app.button(key=f"conv-{first}").click().run()
    assert app.session_state["conversation"] == first
    assert "restored as the party chief" in app.chat_message[1].html[0].value
    app.button(key=f"menu-{first}").click().run()
    app.text_input(key=f"title-{first}").set_value("Sattar's demand")
    app.button(key=f"rename-{first}").click().run()
    assert _plain(app.button(key=f"conv-{first}").label) == "Sattar's demand"
    app.button(key=f"menu-{first}").click().run()
    app.button(key=f"delete-{first}").click().run()
    assert any("cannot be undone" in w.value for w in app.sidebar.warning)
    app.button(key=f"confirm-delete-{first}").click().run()
    assert app.session_state["conversation"] is None and len(app.chat_message) == 0
    book = _book()
    assert book.get(first) is None and book.messages(first) == []
    assert book.get(second) is not None


def test_an_unknown_conversation_link_starts_a_new_chat(
    archive: Path, monkeypatch, backend
) -> None:
    _point_at(monkeypatch, archive, backend)
    app = _reopen(archive, "0123456789abcdef")
    assert any("no longer exists" in i.value for i in app.info)
    assert len(app.chat_message) == 0 and "c" not in app.query_params


def test_conversations_that_cannot_be_kept_are_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "conversations.db").mkdir(parents=True)  # not a database file
    app = _start(monkeypatch, tmp_path)
    assert [e.value.split(":")[0] for e in app.error] == ["The conversation cannot be kept"]
    assert "\n" not in app.error[0].value


def test_a_blank_question_is_not_sent(app: AppTest) -> None:
    app.chat_input[0].set_value("   \n ").run()
    assert not app.exception and not app.error
    assert len(app.chat_message) == 0 and app.session_state["conversation"] is None
    assert [t.value for t in app.toast] == ["Type a question first."]


def test_sources_are_one_compact_card_per_article(app: AppTest) -> None:
    message = _ask(app, "What did MQM-P sources say about Sattar and Kamal?")
    cited = {c.article_id for c in message.answer.citations}
    assert len(message.answer.citations) > len(cited), "two quotes of one article"
    cards = [e for e in app.chat_message[1].expander if not e.label.startswith("Lead")]
    assert len(cards) == len(cited), "one card per article, however many quotes"
    assert all(not e.proto.expanded for e in cards), "collapsed to one line by default"
    quotes = [h.value for h in app.chat_message[1].html if 'class="nd-quote"' in h.value]
    for citation in message.answer.citations:
        assert any(f'id="nd-src-{message.id}-{citation.n}"' in q for q in quotes)


def _render_constructed_answer(with_short: bool) -> None:
    from pathlib import Path as _Path

    from rag.answer import Answer, Citation, ShortAnswer
    from rag.conversations import Message
    from rag.retrieve import Passage
    from ui.answer_view import render_answer

    text = "Karachi was calm. Kamran Tessori was named governor on Sunday. Talks go on."
    quote = "Kamran Tessori was named governor on Sunday."
    passage = Passage(
        "a:0", "a", "Governor named", "The News", "2024-05-01", None, 0, len(text), text, 1.0
    )
    start = text.index(quote)
    citation = Citation.of(1, passage, quote, start, start + len(quote))
    short = ShortAnswer("Kamran Tessori", "a", start, start + 14, 0.9) if with_short else None
    answer = Answer(
        "Who was named governor?", f"{quote} [1]", False, [citation], [passage], short_answer=short
    )
    message = Message(role="assistant", content=answer.text, answer=answer, id="abc")
    render_answer(message, None, _Path("/nonexistent"), None)  # type: ignore[arg-type]


@pytest.mark.parametrize("with_short", [True, False], ids=["short-answer", "none"])
def test_the_short_answer_is_shown_in_bold_above_the_quote(with_short: bool) -> None:
    page = AppTest.from_function(_render_constructed_answer, args=(with_short,)).run()
    assert not page.exception, page.exception
    top = page.html[0].value
    quote_at = top.index("Kamran Tessori was named governor")
    if with_short:
        assert 'class="nd-short-answer"' in top and top.index("nd-short-answer") < quote_at
        card = next(h.value for h in page.html if 'class="nd-quote"' in h.value)
        assert "<strong" in card and ">Kamran Tessori</strong>" in card
    else:
        assert "nd-short-answer" not in top
        assert all("<strong" not in h.value for h in page.html)


# -- the Corpus page ----------------------------------------------------------------------------
def _corpus_page() -> None:
    from ui.corpus import render_corpus_page

    render_corpus_page()


PAGE = """<html><head><title>Tram line to Saddar opens</title></head><body>
<nav>Home | World | Sport</nav>
<article><h1>Tram line to Saddar opens</h1>
<p>The first tram line between Tower and Saddar opened on Monday, carrying four thousand
passengers on its first day, the city transport department said.</p>
<p>Officials said trams would run every eight minutes and that a second line to Clifton was
planned for next year if funds were approved by the provincial assembly.</p>
<p>Shopkeepers along the route said the works had disrupted trade for more than a year.</p>
</article><footer>Copyright</footer></body></html>"""


@pytest.fixture
def news_site() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving one news page."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            body = PAGE.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/news/tram.html"
    server.shutdown()


def test_corpus_upload_browse_and_remove(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, news_site: str, backend
) -> None:
    data_dir = tmp_path / "data"
    _point_at(monkeypatch, data_dir, backend)
    monkeypatch.setenv("RAG_MAX_FILE_MB", "0.01")
    monkeypatch.setenv("RAG_ALLOW_PRIVATE_URLS", "1")  # the news site runs on 127.0.0.1
    page = AppTest.from_function(_corpus_page, default_timeout=TIMEOUT).run()
    assert not page.exception
    page.file_uploader[0].set_value(
        [
            ("../../escape.md", HARBOUR.encode(), "text/markdown"),
            ("valley.md", VALLEY.encode(), "text/markdown"),
            ("big.txt", b"word " * 4000, "text/plain"),
        ]
    )
    page.text_area[0].set_value(f"{news_site}\n/etc/passwd")
    page.button[0].click().run()
    assert not page.exception
    summary = page.session_state["add_summary"]
    assert summary["counts"] == {
        "added": 3,
        "updated": 0,
        "unchanged": 0,
        "duplicate": 0,
        "failed": 2,
    }
    reasons = dict(summary["failures"])
    assert "too large" in reasons["upload:big.txt"]
    assert reasons["/etc/passwd"] == "not an http(s) URL"
    assert "added 3, updated 0, unchanged 0, duplicate 0, failed 2" in page.warning[0].value
    assert ("added", "Tram line to Saddar opens") in summary["titles"]
    assert not (tmp_path / "escape.md").exists() and not (data_dir / "escape.md").exists()
    stored = {p.name for p in data_dir.iterdir()} if data_dir.exists() else set()
    store_files = {"articles.db", "articles.db-wal", "articles.db-shm", "chroma", "models"}
    store_files.add("write.lock")  # the writer lock of rag.lock
    assert stored <= store_files, "uploads are never written as files"

    page.run()
    table = page.dataframe[0].value
    assert "Tram line to Saddar opens" in table["Title"].tolist()
    assert {"Harbour Gazette", "Valley Courier"} <= set(table["Outlet"])
    page.text_input(key="corpus-search").set_value("apricot").run()
    assert page.dataframe[0].value["Title"].tolist() == [
        "Apricot harvest in Hunza hit by late frost"
    ]
    key = table_key(page.session_state["table_version"], "apricot")
    page.session_state[key] = {"selection": {"rows": [0], "columns": []}}
    page.run()
    page.button(key="open-selected").click().run()
    assert "Apricot harvest" in page.subheader[0].value
    assert any("late frost in April" in h.value for h in page.html)
    page.button(key="remove-selected").click().run()
    assert "This cannot be undone" in page.warning[-1].value
    page.button(key="confirm-remove").click().run()
    assert not page.exception
    assert "Removed 1 article." in page.success[0].value
    page.text_input(key="corpus-search").set_value("").run()
    assert "Valley Courier" not in page.dataframe[0].value["Outlet"].tolist()
    assert len(page.dataframe[0].value) == 2


# -- shared objects under concurrent use ----------------------------------------------------------
def test_sessions_ask_while_another_adds(embedder, tmp_path: Path, backend) -> None:
    """Several threads ask through one Store while another adds and removes articles."""
    store = backend.store(tmp_path, embedder)
    store.add(read_sources([str(ROOT / "corpus")], 10**7))
    assistant = Assistant(store, backend.settings(tmp_path))
    sources = tmp_path.parent / f"{tmp_path.name}-sources"
    sources.mkdir()
    for n in range(6):
        text = VALLEY.replace("Apricot harvest", f"Harvest report {n}").replace("half", f"{n}0%")
        (sources / f"v{n}.md").write_text(text, encoding="utf-8")
    errors: list[BaseException] = []
    answers: list[str] = []

    def ask() -> None:
        try:
            for _ in range(3):
                answer = assistant.ask("What did Sattar demand?")
                answers.append(answer.citations[0].quote)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    def write() -> None:
        try:
            added = store.add(read_sources([str(sources)], 10**7))
            store.remove(added.added[:3])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(3)] + [threading.Thread(target=write)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not errors, errors
    assert len(answers) == 9 and all("restored as the party chief" in q for q in answers)
    assert store.count() == 4
    store.close()


def test_the_short_answer_is_bold_above_the_answer_and_in_the_article(app: AppTest) -> None:
    message = _ask(app, "Who is the governor of Sindh?")
    answer = message.answer
    assert answer is not None and answer.short_answer is not None
    assert answer.short_answer.text == "Kamran Tessori"
    assert "Kamran Tessori" in app.chat_message[1].html[0].value.split("party")[0]
    opened = [b for b in app.button if b.label == "Open article"]
    opened[0].click().run()
    assert not app.exception, app.exception
    bodies = [h.value for h in app.html]
    article = next(b for b in bodies if "nd-article" in b)
    marks = re.findall(r"<mark[^>]*>(.*?)</mark>", article, re.S)
    assert any(re.search(r"<strong[^>]*>Kamran Tessori</strong>", m) for m in marks)
