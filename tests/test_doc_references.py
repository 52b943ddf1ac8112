"""Every reference to a document in the code, tests, SQL and docs names a file in the repo.

A clone holds nothing but the repository, so a comment that says "see indicators.md §2" or a
link to `../shared/contracts/sources.md` must lead to a file inside it. Resolution:
- a markdown link `[text](path)` resolves relative to the file that holds it (as GitHub
  renders it), and its `#anchor` must be a heading of the target;
- any other mention with a folder (`docs/sources.md`) resolves relative to the repo root, or
  to the mentioning file's folder;
- a bare name (`indicators.md`) resolves to the file's own folder, `docs/` or the repo root;
- `§N` after a name must be a numbered heading `## N.` of the target.
Real public data sets stay outside the repo on purpose (`../shared/data/real/`, each with its
SOURCE.md): references into them are not documents of the project.
"""

from __future__ import annotations

import functools
import re
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SCANNED_SUFFIXES = {".py", ".sql", ".yaml", ".yml", ".md", ".toml", ".cfg", ".txt", ".service"}
SCANNED_NAMES = {"Makefile"}
# a document name, optionally with folders before it and `#anchor` or ` §N` after it
REFERENCE = re.compile(
    r"(?<![\w./-])(?P<path>(?:[\w.-]+/)*[\w-]+\.md)\b(?:#(?P<anchor>[\w-]+))?"
    r"(?:\s*§\s*(?P<section>\d+))?"
)
MARKDOWN_LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")
URL = re.compile(r"https?://\S+")
OUTSIDE_ON_PURPOSE = ("../shared/data/real/",)
# each real data set's provenance file lives in its folder under ../shared/data/real/
DATA_SET_FILES = {"SOURCE.md"}


@functools.cache
def scanned_files() -> tuple[Path, ...]:
    """Tracked text files, but this one: its examples above are broken on purpose."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return tuple(
        REPO_ROOT / name
        for name in listed
        if (Path(name).suffix in SCANNED_SUFFIXES or Path(name).name in SCANNED_NAMES)
        and REPO_ROOT / name != Path(__file__).resolve()
    )


def anchor_slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@functools.cache
def headings(document: Path) -> list[str]:
    text = document.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)  # `# 1.` in a code block is no heading
    return [line.lstrip("#").strip() for line in text.splitlines() if re.match(r"#+ ", line)]


def resolve(path: str, mentioned_in: Path, is_link: bool) -> Path | None:
    """The repo file a reference names, or None."""
    if is_link:
        candidates = [mentioned_in.parent / path]
    elif "/" in path:
        candidates = [REPO_ROOT / path, mentioned_in.parent / path]
    else:
        candidates = [mentioned_in.parent / path, REPO_ROOT / "docs" / path, REPO_ROOT / path]
    for candidate in candidates:
        resolved = candidate.resolve()
        if resolved.is_file() and resolved.is_relative_to(REPO_ROOT):
            return resolved
    return None


def problems_of(match: re.Match, path: str, mentioned_in: Path, is_link: bool) -> list[str]:
    if any(marker in path for marker in OUTSIDE_ON_PURPOSE) or Path(path).name in DATA_SET_FILES:
        return []
    target = resolve(path, mentioned_in, is_link)
    if target is None:
        return [f"{path!r} is not a file in the repo"]
    found = []
    if not (match["anchor"] or match["section"]):
        return found
    if match["anchor"] and match["anchor"] not in {anchor_slug(h) for h in headings(target)}:
        found.append(f"{path}#{match['anchor']}: no such heading")
    numbered = {re.match(r"(\d+)\.", h)[1] for h in headings(target) if re.match(r"\d+\.", h)}
    if match["section"] and match["section"] not in numbered:
        found.append(f"{path} §{match['section']}: no heading '{match['section']}.'")
    return found


def broken_references(file: Path, text: str | None = None) -> list[str]:
    """Problems of every reference in `file` (or in `text`, read as if it were that file)."""
    if text is None:
        text = file.read_text(encoding="utf-8", errors="replace")
    text = URL.sub("", text)
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        links = {m.start("target") for m in MARKDOWN_LINK.finditer(line)}
        if "shared/contracts" in line:
            found.append(f"{number}: names the outside contracts folder")
        for match in REFERENCE.finditer(line):
            is_link = file.suffix == ".md" and match.start() in links
            for problem in problems_of(match, match["path"], file, is_link):
                found.append(f"{number}: {problem}")
    return [f"{file.relative_to(REPO_ROOT)}:{problem}" for problem in found]


def test_the_scan_finds_the_documents_it_checks():
    files = scanned_files()
    assert REPO_ROOT / "README.md" in files and REPO_ROOT / "docs" / "interface.md" in files
    names = [m["path"] for f in files for m in REFERENCE.finditer(f.read_text(errors="replace"))]
    assert len(names) >= 100  # the code refers to the spec about a hundred times


@pytest.mark.parametrize(
    ("line", "broken"),
    [
        ("# see indicators.md", False),
        ("# fleet rule (sources.md §2)", False),
        ("# fleet rule (sources.md §9)", True),
        ("# see ../shared/contracts/sources.md", True),
        ("# see contracts/missing.md", True),
        ("# see docs/interface.md", False),
        ("x = dg.MetadataValue.md(preview)", False),
        ("# data set: ../shared/data/real/nhts/SOURCE.md", False),
        ("# https://example.org/spec.md", False),
    ],
)
def test_a_reference_in_code_resolves_or_is_reported(line, broken):
    code = REPO_ROOT / "pipelines" / "example.py"
    assert bool(broken_references(code, line)) is broken


@pytest.mark.parametrize(
    ("line", "broken"),
    [
        ("[spec](sources.md#common-rules-for-every-source)", False),
        ("[spec](docs/sources.md)", True),  # relative to docs/: docs/docs/sources.md
        ("[spec](sources.md#no-such-heading)", True),
        ("[readme](../README.md#commands)", False),
    ],
)
def test_a_markdown_link_resolves_relative_to_its_file_with_its_anchor(line, broken):
    page = REPO_ROOT / "docs" / "example.md"
    assert bool(broken_references(page, line)) is broken


def test_every_doc_reference_resolves_inside_the_repo():
    broken = [problem for file in scanned_files() for problem in broken_references(file)]
    assert not broken, f"{len(broken)} references lead outside the repo:\n" + "\n".join(broken)
