"""Every command and option of `greentrack` explains itself: help text with its default (and
environment variable for paths), exit codes in the help, and `--version`."""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path

import pytest

from pipelines import cli

PATH_VARIABLES = {
    "--data-raw": "$GREENTRACK_DATA_RAW",
    "--warehouse-dir": "$GREENTRACK_WAREHOUSE_DIR",
    "--dashboards-dir": "$GREENTRACK_DASHBOARDS_DIR",
}


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli._parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def command_summaries() -> dict[str, str | None]:
    parser = cli._parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {choice.dest: choice.help for choice in action._choices_actions}


def options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if a.option_strings and a.dest != "help"]


def test_every_subcommand_has_a_summary():
    summaries = command_summaries()
    assert {"run", "generate", "status", "export", "ui"} <= set(summaries)
    assert [name for name, text in summaries.items() if not text] == []


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_option_has_help_with_its_default(name):
    lacking = []
    for option in options(subcommands()[name]):
        text = option.help or ""
        flag = option.option_strings[0]
        if not text or not (option.required or "default" in text):
            lacking.append(flag)
        if flag in PATH_VARIABLES and PATH_VARIABLES[flag] not in text:
            lacking.append(f"{flag} (no environment variable)")
    assert lacking == []


@pytest.mark.parametrize("name", ["run", "status", "export", "generate"])
def test_the_help_lists_the_exit_codes(name, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main([name, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "exit codes" in out and "0 " in out and "2 " in out


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    version = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    assert capsys.readouterr().out.strip() == f"greentrack {version}"
