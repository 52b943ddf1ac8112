"""The README lists every environment variable the code reads (docs/interface.md: a new variable
is added to the README with its default)."""

from __future__ import annotations

import re

from tests.conftest import REPO_ROOT

CODE_DIRS = ("assets", "pipelines", "benchmarks")


def variables_read_by_code() -> set[str]:
    names = set()
    for folder in CODE_DIRS:
        for path in (REPO_ROOT / folder).rglob("*.py"):
            names |= set(re.findall(r"GREENTRACK_[A-Z_]+[A-Z]", path.read_text(encoding="utf-8")))
    return names


def test_every_environment_variable_is_in_the_readme_table():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    table_rows = [line for line in readme.splitlines() if line.startswith("| `GREENTRACK_")]
    documented = {name for row in table_rows for name in re.findall(r"`(GREENTRACK_\w+)`", row)}
    found = variables_read_by_code()
    assert len(found) >= 16  # the scan itself works: the variables of docs/interface.md and more
    assert sorted(found - documented) == []
