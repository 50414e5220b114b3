"""The bad-input corpus, generated: every case fails alone with a known one-line reason, next to
good files that must be stored. `write_corpus` returns what each source must become."""

from __future__ import annotations

import json
import os
import random
import string
from pathlib import Path

GOOD = None  # expected outcome of a source that must be stored
LIMIT_MB = 0.2  # RAG_MAX_FILE_MB for the runs over this corpus


def story(topic: str) -> str:
    """A short, distinct, language-like news text about `topic`."""
    return (
        f"The {topic} committee met on Tuesday to discuss the plan for the coming year. "
        f"Members said the {topic} budget would rise slightly, and that residents could comment "
        f"on the {topic} proposals at the town hall until the end of the month."
    )


def _pdf(text: str, user_password: str | None = None) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import EncryptionMethod

    pdf = FPDF()
    pdf.set_title("Council report")
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    if text:
        pdf.multi_cell(0, 8, text)
    if user_password is not None:
        pdf.set_encryption(
            owner_password="owner",
            user_password=user_password,
            encryption_method=EncryptionMethod.AES_128,
        )
    return bytes(pdf.output())


def _yaml_bomb(levels: int = 5) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, levels + 1):
        previous = "a" if n == 1 else f"b{n - 1}"
        lines.append(f"b{n}: &b{n} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "---\n" + "\n".join(lines) + f"\ntitle: *b{levels}\n---\n" + story("bomb") + "\n"


def write_corpus(folder: Path) -> dict[str, str | None]:
    """Write the corpus into `folder`; {origin: expected reason prefix, or GOOD}."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    expected: dict[str, str | None] = {}

    def put(name: str, data: bytes | str, outcome: str | None) -> Path:
        path = folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        expected[str(path)] = outcome
        return path

    put("good-plain.txt", "Harbour plan\n" + story("harbour"), GOOD)
    put(
        "good-front-matter.md",
        "---\ntitle: Parks plan\ndate: 2024-02-01\n---\n" + story("parks"),
        GOOD,
    )
    put("good-utf16-bom.txt", ("Bridge plan\n" + story("bridge")).encode("utf-16"), GOOD)
    put("good-utf16-nobom.txt", ("Tram plan\n" + story("tram")).encode("utf-16-le"), GOOD)
    put("good-latin1.txt", ("Café plan\n" + story("café")).encode("latin-1"), GOOD)
    put("good-ansi.txt", "Water plan\n\x1b[31m" + story("water") + "\x1b[0m", GOOD)
    put("good-aes-empty-password.pdf", _pdf(story("library"), user_password=""), GOOD)
    put("naïve ünïcode name (1).md", "# Museum plan\n\n" + story("museum"), GOOD)

    put("empty.txt", b"", "empty file")
    put("blank.md", b"  \n\t\n", "empty file")
    put("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file")
    put("nul-bytes.md", "A title\n\x00" + story("nul"), "binary file")
    put("random-bytes.txt", bytes(rng.randrange(1, 256) for _ in range(50_000)), "not text")
    put(
        "random-printable.txt",
        "".join(rng.choice(string.printable) for _ in range(30_000)),
        "not language-like",
    )
    put("odd-utf16.txt", b"\xff\xfe" + "Odd".encode("utf-16-le") + b"\x00", "undecodable UTF-16")
    put("huge.txt", "Huge\n" + story("huge") * 1200, "too large: 268.8 kB > 200.0 kB limit")
    put("broken.json", '{"text": "unfinished', "malformed JSON: Unterminated string")
    put("deep.json", "[" * 100_000 + "]" * 100_000, "malformed JSON: nested too deeply")
    deep = put(
        "deep.jsonl",
        json.dumps({"id": "deep-good", "title": "Roads", "text": story("roads")})
        + "\n"
        + "[" * 50_000
        + "]" * 50_000
        + "\n",
        None,
    )
    del expected[str(deep)]
    expected[f"{deep}:1"] = GOOD
    expected[f"{deep}:2"] = "malformed JSON line: nested too deeply"
    wrong = [
        ({"text": 12345}, "field 'text' must be text, not a number"),
        ({"text": ["a", "list"]}, "field 'text' must be text, not a list"),
        ({"text": {"an": "object"}}, "field 'text' must be text, not an object"),
        ({"text": True}, "field 'text' must be text, not true"),
        ({"text": story("url"), "url": 123}, "field 'url' must be text, not a number"),
        ({"text": story("link"), "url": "javascript:alert(1)"}, "field 'url' must be an http(s)"),
        ({"text": story("title"), "title": {"x": 1}}, "field 'title' must be text, not an object"),
        ({"text": story("dates"), "published_at": [2024]}, "field 'published_at' must be a date"),
        ({"text": story("when"), "published_at": "2024-13-45"}, "field 'published_at': '2024-13"),
        ({"text": "x" * 2000}, "not language-like: no spaces between words"),
        ("just a string", "a record must be an object, not str"),
    ]
    records = put("wrong-types.jsonl", "\n".join(json.dumps(r) for r, _ in wrong) + "\n", None)
    del expected[str(records)]
    for number, (_, reason) in enumerate(wrong, start=1):
        expected[f"{records}:{number}"] = reason
    put(
        "bad-date.md",
        "---\ntitle: Dated\ndate: 2024-13-45\n---\n" + story("date"),
        "field 'date': '2024-13-45' is not a date",
    )
    put("yaml-bomb.md", _yaml_bomb(), "bad front matter: ")
    put(
        "front-matter-not-a-mapping.md",
        "---\n- a\n- b\n---\n" + story("list"),
        "bad front matter: not a mapping",
    )
    put(
        "huge-front-matter.md",
        "---\ntitle: Big\nnote: '" + "x" * 70_000 + "'\n---\n" + story("big"),
        "bad front matter: longer than 64,000 characters",
    )
    put(
        "long-title.md",
        f"---\ntitle: {'Long ' * 1000}\n---\n" + story("long"),
        "field 'title' is too long: 4,999 > 1,000 characters",
    )
    put("fake.pdf", story("fake"), "unreadable PDF: not a PDF file")
    put("truncated.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "unreadable PDF")
    put("empty-page.pdf", _pdf(""), "empty: no text after cleaning")
    put("locked.pdf", _pdf(story("locked"), user_password="secret"), "encrypted PDF: it needs a")
    put(
        "no-text.html",
        "<html><head><script>var page = 1;</script></head><body><img src=x></body></html>",
        "no main text found",
    )
    put("bad\nname.txt", b"", "empty file")
    loop = folder / "loop.txt"
    os.symlink(loop.name, loop)
    expected[str(loop)] = "symlink loop"
    dangling = folder / "dangling.md"
    os.symlink("does-not-exist.md", dangling)
    expected[str(dangling)] = "broken symlink"
    return expected


def write_single_inputs(folder: Path) -> dict[str, str | None]:
    """Inputs named on the command line itself (not found in a directory walk)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")
    return {
        str(folder / "notes.docx"): "unsupported file type .docx",
        str(folder / "missing.txt"): "no such file or directory",
        "ftp://127.0.0.1/news.txt": "unsupported URL scheme ftp",
        "file:///etc/passwd": "unsupported URL scheme file",
    }


URL_CASES = {  # path on the hostile site -> expected reason prefix (downloads allowed there)
    "/page": GOOD,
    "/slow": "too slow: not complete within 2 s",
    "/huge-announced": "too large: 50.0 MB > 200.0 kB limit",
    "/huge-streamed": "too large: over the 200.0 kB limit",
    "/gzip-bomb": "too large: over the 200.0 kB limit",
    "/loop-a": "redirect loop: ",
    "/chain/30": "too many redirects",
    "/to-ftp": "redirected to ftp://127.0.0.1/file.txt: unsupported URL scheme ftp",
    "/missing": "unreachable: HTTP 404",
}
