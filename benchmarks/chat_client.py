"""A chat user without a browser: speaks Streamlit's own websocket protocol (`/_stcore/stream`,
the protobuf messages the browser sends and receives) to a running Newsdesk server, so that a
load test asks through the app's real code path (session, page, answer chain, conversation
saved) the way a browser does, at a fraction of a browser's cost."""

from __future__ import annotations

import contextlib
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs


@dataclass
class Page:
    """What one run of the page drew: its elements' texts, widget ids, the URL's query."""

    texts: list[str] = field(default_factory=list)
    chat_input: str = ""
    query: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def conversation(self) -> str | None:
        found = parse_qs(self.query).get("c")
        return found[0] if found else None

    def caption(self, pattern: str) -> re.Match[str] | None:
        """The first text matching `pattern` (e.g. the sidebar's article count)."""
        for text in self.texts:
            found = re.search(pattern, text)
            if found:
                return found
        return None


class ChatClient:
    """One browser session on a Newsdesk server at 127.0.0.1:`port`."""

    def __init__(self, port: int, timeout: float = 120.0) -> None:
        from websockets.sync.client import connect

        self.timeout = timeout
        self._held = contextlib.ExitStack()
        self.socket = self._held.enter_context(
            connect(
                f"ws://127.0.0.1:{port}/_stcore/stream",
                subprotocols=["streamlit"],  # type: ignore[list-item]
                max_size=None,
                open_timeout=timeout,
            )
        )
        self.page_hash = ""
        self.query = ""

    def close(self) -> None:
        self._held.close()

    def open(self) -> Page:
        """The first page (the root URL, which switches to the chat)."""
        return self._run([])

    def ask(self, question: str, page: Page) -> tuple[Page, float]:
        """Type `question` into the chat box of `page`; the next page and the seconds taken."""
        from streamlit.proto.Common_pb2 import ChatInputValue
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        typed = WidgetState(id=page.chat_input, chat_input_value=ChatInputValue(data=question))
        started = time.perf_counter()
        after = self._run([typed])
        return after, time.perf_counter() - started

    def _run(self, widgets: list[Any]) -> Page:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ClientState_pb2 import ClientState
        from streamlit.proto.WidgetStates_pb2 import WidgetStates

        message = BackMsg()
        message.rerun_script.CopyFrom(
            ClientState(
                query_string=self.query,
                page_script_hash=self.page_hash,
                widget_states=WidgetStates(widgets=widgets),
            )
        )
        self.socket.send(message.SerializeToString())
        return self._collect()

    def _collect(self) -> Page:
        """Messages up to the end of the run (runs that switch page or rerun are followed)."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        page = Page()
        deadline = time.monotonic() + self.timeout
        while True:
            received = ForwardMsg()
            received.ParseFromString(
                self.socket.recv(timeout=max(0.1, deadline - time.monotonic()))
            )
            kind = received.WhichOneof("type")
            if kind == "delta" and received.delta.WhichOneof("type") == "new_element":
                _read(received.delta.new_element, page)
            elif kind == "navigation" and received.navigation.page_script_hash:
                self.page_hash = received.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query = page.query = received.page_info_changed.query_string
            elif kind == "script_finished":
                if received.script_finished in (0, 3):  # finished (or a fragment finished)
                    page.query = page.query or self.query
                    return page
                page = Page()  # finished early for a rerun: the next run redraws the page


def _read(element: Any, page: Page) -> None:
    kind = element.WhichOneof("type")
    if kind == "chat_input":
        page.chat_input = element.chat_input.id
    elif kind == "markdown":
        page.texts.append(element.markdown.body)
    elif kind == "html":
        page.texts.append(element.html.body)
    elif kind in ("alert",):
        page.texts.append(element.alert.body)
        if element.alert.format == 1:  # ERROR
            page.errors.append(element.alert.body)
    elif kind == "exception":
        page.errors.append(f"{element.exception.type}: {element.exception.message}")
