"""How the `rag` command shows things in a terminal: progress bars, the article table, stats
in words and human units, and bylines that say when an outlet or date is unknown."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

UNKNOWN_OUTLET = "unknown outlet"


UNITS = {"reading": "items", "splitting": "characters", "embedding": "chunks", "waiting": "s"}


@contextmanager
def progress_bars(enabled: bool, unit: str = "chunks") -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar per phase (counts of `unit`, elapsed, ETA) on stderr, or nothing."""
    if not enabled:
        yield lambda *_: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TextColumn("{task.fields[count]}"),
        TextColumn("{task.fields[unit]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        tasks: dict[str, Any] = {}

        def update(phase: str, done: int, total: int) -> None:
            count = f"{_compact(done)}/{_compact(total)}" if total else _compact(done)
            if phase not in tasks:
                unit_name = UNITS.get(phase, unit)
                tasks[phase] = bar.add_task(phase, total=total or None, count="", unit=unit_name)
            bar.update(tasks[phase], completed=done, total=total or None, count=count)

        yield update


def _compact(n: int) -> str:
    """12,345 as 12.3k and 5,000,000 as 5.0M: long counts stay readable."""
    if n >= 1_000_000:
        return f"{n / 1e6:.1f}M"
    return f"{n / 1e3:.1f}k" if n >= 10_000 else str(n)


def one_per_article(passages: list[Any]) -> list[Any]:
    """The best passage of each article, in rank order."""
    seen: set[str] = set()
    return [p for p in passages if not (p.article_id in seen or seen.add(p.article_id))]


def console(stderr: bool = False) -> Any:
    """A rich console as wide as the terminal (80 columns when not a terminal)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def articles_table(rows: list[dict[str, Any]], width: int = 80) -> Any:
    """Id, date, outlet, passages and title of each article, in columns that fit `width`;
    long titles and outlets end in an ellipsis (rich would drop whole columns instead)."""
    from rich.table import Table
    from rich.text import Text

    outlets = [row["source"] or UNKNOWN_OUTLET for row in rows]
    widths = {
        "Id": max(2, *(len(row["id"]) for row in rows)),
        "Published": 10,
        "Outlet": min(20, max(6, *map(len, outlets))),
        "Passages": 8,
    }
    title_width = max(12, width - sum(widths.values()) - 2 * len(widths))
    table = Table(box=None, header_style="bold", pad_edge=False, padding=(0, 2, 0, 0))
    for name, size in widths.items():
        justify = "right" if name == "Passages" else "left"
        table.add_column(name, width=size, no_wrap=True, overflow="ellipsis", justify=justify)
    table.add_column("Title", width=title_width, no_wrap=True, overflow="ellipsis")
    for row, outlet in zip(rows, outlets, strict=True):
        date = (row["published_at"] or "")[:10]
        table.add_row(
            Text(row["id"]),
            Text(date) if date else Text("undated", style="dim"),
            Text(outlet, style="" if row["source"] else "dim"),
            str(row["chunks"]),
            Text(row["title"]),
        )
    return table


def stats_lines(data: dict[str, Any]) -> list[tuple[str, str]]:
    """`rag stats` in words: outlets by name, unknown outlets counted apart, human sizes."""
    outlets = ", ".join(f"{name} ({n})" for name, n in data["sources"].items()) or "none named"
    if data.get("no_source"):
        outlets += f"; {_plural(data['no_source'], 'article')} with an unknown outlet"
    first, last = data["first_published"], data["last_published"]
    dates = f"{first[:10]} to {last[:10]}" if first and last else "no dated articles"
    return [
        ("articles", str(data["articles"])),
        ("chunks", str(data["chunks"])),
        ("outlets", outlets),
        ("published", dates),
        ("embedding model", data["embed_model"] or "none yet (add articles first)"),
        ("size on disk", human_bytes(data["bytes"])),
    ]


def human_bytes(size: float) -> str:
    """91281230 -> '91.3 MB' (decimal units, like the download sizes people know)."""
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"  # pragma: no cover - the loop returns


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def byline(source: str | None, published_at: str | None) -> str:
    """'The News, 2024-02-01'; a missing outlet or date is said in words."""
    return f"{source or UNKNOWN_OUTLET}, {(published_at or '')[:10] or 'undated'}"


def migrate_lines(report: Any) -> list[str]:
    """`rag migrate`'s summary: what was copied, both archives' counts, whether they match."""
    lines = [
        f"copied {len(report.copied)} articles ({report.chunks} chunks and their vectors),"
        f" {len(report.unchanged)} already there"
    ]
    for name, counted in (("here", report.source), ("target", report.target)):
        lines.append(
            f"  {name:<7}{counted.articles} articles, {counted.chunks} chunks,"
            f" {counted.vectors} vectors"
        )
    lines.append("counts match" if report.matches else "counts DIFFER: run it again")
    return lines


def near_copy_line(near: dict[str, Any]) -> str:
    """'near copy: wire-17 is a near copy of bbc-004 (0.93)'."""
    return f"near copy: {near['id']} is a near copy of {near['copy_of']} ({near['similarity']:.2f})"


def story_lines(article: dict[str, Any]) -> list[str]:
    """`rag show`: the article's story and its members in publication order (none for an
    article that is its story's only copy)."""
    members = article.get("story") or []
    if len(members) < 2:
        return (
            [f"story: {article['story_id']} (no other copies)"] if article.get("story_id") else []
        )
    lines = [f"story: {article['story_id']} ({len(members)} copies, first published first)"]
    for n, m in enumerate(members):
        mark = "*" if m["id"] == article["id"] else "-"
        first = " (first reported)" if n == 0 else ""
        similar = f", {m['similarity']:.2f} like {m['copy_of']}" if m.get("copy_of") else ""
        lines.append(
            f"  {mark} {m['id']}: {m['title']} — {byline(m['source'], m['published_at'])}"
            f"{first}{similar}"
        )
    return lines


def stories_table(stories: list[dict[str, Any]], width: int = 80) -> Any:
    """`rag list --stories`: story id, first publication, copies, outlets and the first
    copy's title."""
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="bold", pad_edge=False, padding=(0, 2, 0, 0))
    id_width = max(5, *(len(s["story_id"]) for s in stories))
    outlets = [_outlets(s["members"]) for s in stories]
    outlet_width = min(30, max(7, *map(len, outlets)))
    title_width = max(12, width - id_width - 10 - 6 - outlet_width - 8)
    table.add_column("Story", width=id_width, no_wrap=True)
    table.add_column("First", width=10, no_wrap=True)
    table.add_column("Copies", width=6, justify="right", no_wrap=True)
    table.add_column("Outlets", width=outlet_width, no_wrap=True, overflow="ellipsis")
    table.add_column("Title", width=title_width, no_wrap=True, overflow="ellipsis")
    for story, names in zip(stories, outlets, strict=True):
        first = story["first"]
        date = (first["published_at"] or "")[:10]
        table.add_row(
            Text(story["story_id"]),
            Text(date) if date else Text("undated", style="dim"),
            str(story["copies"]),
            Text(names),
            Text(first["title"]),
        )
    return table


def _outlets(members: list[dict[str, Any]]) -> str:
    names = dict.fromkeys(m["source"] or UNKNOWN_OUTLET for m in members)
    return ", ".join(names)
