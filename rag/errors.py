"""Domain errors. The edges (CLI, app) turn them into one-line messages.

RagError
 ├── ConfigError          a setting is invalid or a backend name is unknown
 ├── InputError           a question, date or argument from the user is unusable
 ├── IngestError          one source could not be read (reported and skipped)
 ├── StoreError           the on-disk store cannot serve the request
 │    ├── EmptyStoreError       no articles yet
 │    ├── ModelMismatchError    index built with another embedding model
 │    └── NotFoundError         no article with that id
 └── BackendError         an answerer backend failed (missing extra, unreachable, timeout)
"""

from __future__ import annotations


class RagError(Exception):
    """Base of every error Newsdesk raises on purpose."""


class ConfigError(RagError):
    """A setting has a bad value, or a name is not in its registry."""


class InputError(RagError):
    """User input (question, date, option) cannot be used."""


class IngestError(RagError):
    """A single source could not be read; the rest of the batch goes on."""


class StoreError(RagError):
    """The store cannot serve the request."""


class EmptyStoreError(StoreError):
    """The store holds no articles."""


class ModelMismatchError(StoreError):
    """The index was built with a different embedding model."""


class NotFoundError(StoreError):
    """No article has that id."""


class BackendError(RagError):
    """An answerer backend is missing, unreachable or failed."""


def describe_json_error(exc: ValueError, with_line: bool = True) -> str:
    """A `json.JSONDecodeError` as "Unterminated string starting at line 1 column 9": its own
    message sometimes ends in "at" already, so the position is joined without a second one."""
    msg = str(getattr(exc, "msg", exc)).rstrip(": ")
    place = f"column {getattr(exc, 'colno', '?')}"
    if with_line:
        place = f"line {getattr(exc, 'lineno', '?')} {place}"
    return f"{msg} {place}" if msg.endswith(" at") else f"{msg} at {place}"
