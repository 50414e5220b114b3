"""Download one web page for ingestion, safely: an overall deadline, a byte limit enforced while
streaming, at most a few redirects (loops detected), and no requests to loopback, link-local or
private addresses unless allowed.

Every hop's host is resolved here and its addresses checked; the connection then goes to the
checked address (the Host header and TLS name stay the original host's), so a second DNS answer
cannot point the request elsewhere. Proxy variables are not used: pages are fetched directly.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from rag.errors import IngestError

if TYPE_CHECKING:
    import httpx

SCHEMES = ("http", "https")
MAX_REDIRECTS = 10
ALLOW_HINT = "set RAG_ALLOW_PRIVATE_URLS=1 to allow"


@dataclass(frozen=True)
class FetchLimits:
    """How much one download may take."""

    max_bytes: int
    timeout: float = 15.0  # to connect, and between two reads
    deadline: float = 60.0  # for the whole download, redirects included
    allow_private: bool = False
    max_redirects: int = MAX_REDIRECTS
    refuse: Callable[[str], str | None] | None = None  # why an address is refused; default
    # `refusal` (tests that serve on 127.0.0.1 narrow it to one address)


@dataclass(frozen=True)
class Fetched:
    """A downloaded body, with the address it finally came from and its media type."""

    url: str
    content_type: str
    data: bytes


@dataclass
class _Received:
    size: int = 0
    hops: list[str] = field(default_factory=list)


def describe_size(size: float) -> str:
    """A size for messages: bytes below 10 kB, kB below 1 MB, then MB."""
    if size < 10_000:
        return f"{int(size):,} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.1f} kB"
    return f"{size / 1e6:.1f} MB"


def check_scheme(url: str) -> None:
    """Refuse anything but an http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise IngestError(f"not a valid URL: {exc}") from None
    if parts.scheme.lower() not in SCHEMES:
        scheme = parts.scheme or "(none)"
        raise IngestError(f"unsupported URL scheme {scheme}: only http and https are fetched")
    if not parts.hostname:
        raise IngestError("not a valid URL: no host")


def refusal(address: str) -> str | None:
    """Why an IP address may not be fetched from (None when it is a public address)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind, flag in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("unspecified", ip.is_unspecified),
        ("private", ip.is_private),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
    ):
        if flag:
            return f"a {kind} address"
    return None if ip.is_global else "not a public address"


def fetch(url: str, limits: FetchLimits) -> Fetched:
    """Download `url` within the limits; any failure is an IngestError with a one-line reason."""
    check_scheme(url)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_within_deadline(url, limits))
    from concurrent.futures import ThreadPoolExecutor  # called from inside an event loop

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _within_deadline(url, limits)).result()


async def _within_deadline(url: str, limits: FetchLimits) -> Fetched:
    import httpx

    received = _Received()
    try:
        async with asyncio.timeout(limits.deadline):
            return await _follow(url, limits, received)
    except TimeoutError:
        got = f" (received {describe_size(received.size)})" if received.size else ""
        raise IngestError(f"too slow: not complete within {limits.deadline:g} s{got}") from None
    except httpx.TimeoutException:
        raise IngestError(f"unreachable: no answer within {limits.timeout:g} s") from None
    except httpx.HTTPError as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise IngestError(f"unreachable: {detail}") from None
    except OSError as exc:
        raise IngestError(f"unreachable: {exc.strerror or exc}") from None


async def _follow(url: str, limits: FetchLimits, received: _Received) -> Fetched:
    """GET `url`, following redirects by hand so that every hop is checked."""
    import httpx

    timeout = httpx.Timeout(limits.timeout)
    async with httpx.AsyncClient(timeout=timeout, trust_env=False) as client:
        while True:
            if url in received.hops:
                raise IngestError(f"redirect loop: {url} again after {len(received.hops)} hops")
            if len(received.hops) > limits.max_redirects:
                raise IngestError(f"too many redirects (more than {limits.max_redirects})")
            received.hops.append(url)
            try:
                request = await _pinned_request(client, url, limits)
            except IngestError as exc:
                if len(received.hops) == 1:
                    raise
                raise IngestError(f"redirected to {url[:200]}: {exc}") from None
            response = await client.send(request, stream=True)
            try:
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    _check_redirect(url)
                    continue
                if response.status_code >= 400:
                    raise IngestError(f"unreachable: HTTP {response.status_code}")
                data = await _body(response, limits.max_bytes, received)
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                return Fetched(url, kind, data)
            finally:
                await response.aclose()


def _check_redirect(url: str) -> None:
    try:
        check_scheme(url)
    except IngestError as exc:
        raise IngestError(f"redirected to {url[:200]}: {exc}") from None


async def _pinned_request(
    client: httpx.AsyncClient, url: str, limits: FetchLimits
) -> httpx.Request:
    """A request to the checked address of the URL's host, keeping its name for Host and TLS."""
    import httpx

    target = httpx.URL(url)
    host = target.host
    port = target.port or (443 if target.scheme == "https" else 80)
    address = await _resolve(host, port, limits)
    pinned = target.copy_with(host=address)
    name = f"[{host}]" if ":" in host else host
    netloc = name if target.port is None else f"{name}:{target.port}"
    headers = {"Host": netloc, "Accept": "text/html, text/plain, application/pdf, */*;q=0.5"}
    extensions = {"sni_hostname": host} if target.scheme == "https" else {}
    return client.build_request("GET", pinned, headers=headers, extensions=extensions)


async def _resolve(host: str, port: int, limits: FetchLimits) -> str:
    """One address of `host` after checking every address it resolves to."""
    loop = asyncio.get_running_loop()
    try:
        found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise IngestError(f"unreachable: cannot resolve host {host}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not addresses:
        raise IngestError(f"unreachable: cannot resolve host {host}")
    if not limits.allow_private:
        for address in addresses:
            why = (limits.refuse or refusal)(address)
            if why:
                shown = host if host == address else f"{host} ({address})"
                raise IngestError(f"refused: {shown} is {why}; {ALLOW_HINT}")
    return addresses[0]


async def _body(response: httpx.Response, max_bytes: int, received: _Received) -> bytes:
    """The body, refused as soon as it passes `max_bytes` (announced or received)."""
    announced = response.headers.get("content-length", "")
    limit = describe_size(max_bytes)
    if announced.isdigit() and int(announced) > max_bytes:
        raise IngestError(f"too large: {describe_size(int(announced))} > {limit} limit")
    parts: list[bytes] = []
    async for part in response.aiter_bytes():
        received.size += len(part)
        if received.size > max_bytes:
            raise IngestError(f"too large: over the {limit} limit")
        parts.append(part)
    return b"".join(parts)
