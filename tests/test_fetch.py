"""Downloads against a real hostile server on 127.0.0.1: deadlines, byte limits, redirects and
refused addresses."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from hostile import DRIP_SECONDS, Site, serve

from rag.errors import IngestError
from rag.fetch import FetchLimits, describe_size, fetch, refusal

LIMIT = 1_000_000


@pytest.fixture(scope="module")
def others() -> Iterator[Site]:
    """A second server, on 127.0.0.2: the target of a redirect that must be refused."""
    with serve("127.0.0.2") as site:
        yield site


@pytest.fixture(scope="module")
def site(others: Site) -> Iterator[Site]:
    with serve("127.0.0.1", other=others.base) as served:
        yield served


def _only_this_host(allowed: str):
    """An address policy for tests: 127.0.0.1 (the site) is fine, every other address is not."""
    return lambda address: None if address == allowed else refusal(address) or "not allowed"


def _fetch(url: str, **limits: object):
    options = {"max_bytes": LIMIT, "timeout": 5.0, "deadline": 10.0, "allow_private": True}
    return fetch(url, FetchLimits(**{**options, **limits}))  # type: ignore[arg-type]


def _reason(url: str, **limits: object) -> str:
    with pytest.raises(IngestError) as caught:
        _fetch(url, **limits)
    return str(caught.value)


def test_a_page_is_fetched_with_its_final_address(site: Site) -> None:
    page = _fetch(site.url("/chain/3"))
    assert page.url == site.url("/page") and page.content_type == "text/html"
    assert b"island ferry" in page.data


def test_a_slow_drip_fails_at_the_deadline(site: Site) -> None:
    start = time.monotonic()
    reason = _reason(site.url("/slow"), deadline=2.0, timeout=5.0)
    took = time.monotonic() - start
    assert reason.startswith("too slow: not complete within 2 s (received ")
    assert 1.9 <= took < 2.0 + DRIP_SECONDS, took  # the deadline, not the per-read timeout


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/huge-announced", "too large: 50.0 MB > 1.0 MB limit"),
        ("/huge-streamed", "too large: over the 1.0 MB limit"),
        ("/gzip-bomb", "too large: over the 1.0 MB limit"),
    ],
    ids=["content-length", "streamed", "gzip-bomb"],
)
def test_huge_bodies_are_cut_off_while_streaming(site: Site, path: str, expected: str) -> None:
    start = time.monotonic()
    assert _reason(site.url(path)) == expected
    assert time.monotonic() - start < 5


@pytest.mark.parametrize(
    ("path", "start"),
    [
        ("/loop-a", "redirect loop: "),
        ("/chain/30", "too many redirects (more than 10)"),
        ("/to-ftp", "redirected to ftp://127.0.0.1/file.txt: unsupported URL scheme ftp"),
        ("/to-file", "redirected to file:///etc/passwd: unsupported URL scheme file"),
        ("/missing", "unreachable: HTTP 404"),
    ],
    ids=["loop", "chain", "ftp", "file", "404"],
)
def test_bad_redirects_and_statuses(site: Site, path: str, start: str) -> None:
    assert _reason(site.url(path)).startswith(start)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://localhost:9/",
        "http://[::1]:9/",
        "http://[::ffff:127.0.0.1]:9/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "http://[fd00::1]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
    ],
)
def test_private_addresses_are_refused_before_connecting(url: str) -> None:
    reason = _reason(url, allow_private=False)
    assert reason.startswith("refused: ") and "RAG_ALLOW_PRIVATE_URLS=1" in reason


def test_every_redirect_is_checked(site: Site, others: Site) -> None:
    before = list(others.hits)
    policy = _only_this_host("127.0.0.1")
    reason = _reason(site.url("/to-other"), allow_private=False, refuse=policy)
    assert reason.startswith(f"redirected to {others.url('/page')}: refused: 127.0.0.2")
    assert others.hits == before, "the refused address was never contacted"
    assert _fetch(site.url("/to-other")).url == others.url("/page"), "allowed when the setting says"


def test_a_host_name_is_checked_after_resolution(site: Site) -> None:
    port = site.base.rsplit(":", 1)[1]
    reason = _reason(f"http://localhost:{port}/page", allow_private=False)
    assert reason.startswith("refused: localhost (127.0.0.1) is a loopback address")
    assert _fetch(f"http://localhost:{port}/page").data.startswith(b"<!doctype html>")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ftp://example.com/a.txt", "unsupported URL scheme ftp: only http and https are fetched"),
        ("file:///etc/passwd", "unsupported URL scheme file: only http and https are fetched"),
        ("http://", "not a valid URL: no host"),
        ("http://example.com:99999/", "not a valid URL: Port out of range 0-65535"),
        ("http://name.invalid/", "unreachable: cannot resolve host name.invalid"),
    ],
)
def test_unusable_urls(url: str, expected: str) -> None:
    assert _reason(url) == expected


@pytest.mark.parametrize(
    ("size", "shown"),
    [(0, "0 bytes"), (9_999, "9,999 bytes"), (12_345, "12.3 kB"), (20_000_000, "20.0 MB")],
)
def test_sizes_in_messages(size: int, shown: str) -> None:
    assert describe_size(size) == shown
