"""The `greentrack` command: run, generate, status, serve, ui (docs/interface.md)."""

from __future__ import annotations

import argparse
import atexit
import os
import sys
import threading
from pathlib import Path

from pipelines import project

EXIT_USAGE = 2


def _existing_dir(value: str) -> Path:
    path = Path(value).expanduser()
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"directory does not exist: {value}")
    return path.resolve()


def _iso_date(value: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {value}") from error


DESCRIPTION = """\
greentrack: green-transport target tracking for the Taicang transport bureau.
Reads the source files in data_raw/, builds and checks the DuckDB warehouse, and publishes it
with the dashboard (index.html, workbook, Parquet files). `greentrack <command> --help` shows
each command's options."""

RUN_EXIT_CODES = """\
exit codes:
  0  published, every source file accepted
  3  published, but some files were rejected (named with their reasons in the summary)
  1  nothing published: a blocking check failed, the run crashed, or data_raw/ held no file
  2  usage error (bad flag, missing directory)"""

STATUS_EXIT_CODES = """\
exit codes (the first that applies):
  1  no published warehouse, or one that cannot be read
  3  shown, but the run log has damaged lines or cannot be read
  4  shown, but the last recorded run failed
  5  shown, but a source is stale (older than its cadence allows, or never delivered)
  0  shown, the last run published and every source fresh
  2  usage error"""

EXIT_CODES = "\n\n".join(
    [
        RUN_EXIT_CODES.replace("exit codes:", "exit codes of `greentrack run`:"),
        STATUS_EXIT_CODES.replace("exit codes", "exit codes of `greentrack status`"),
        "exit codes of `greentrack export`: 0 written, 1 no warehouse or one that cannot be "
        "read, 2 usage error",
    ]
)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("greentrack")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def _path_help(what: str, variable: str, default: str) -> str:
    return f"{what} (default: ${variable}, else {default})"


def _add_warehouse_dir(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--warehouse-dir",
        type=Path,
        metavar="DIR",
        help=_path_help(
            "directory of the published warehouse green_transport.duckdb",
            "GREENTRACK_WAREHOUSE_DIR",
            "<checkout>/warehouse",
        ),
    )


def _add_run_folders(command: argparse.ArgumentParser) -> None:
    """The three folders of a run (sources, warehouse, dashboard): `run`, `serve` and `ui`
    take the same ones, so a served run reads and writes where `greentrack run` would."""
    command.add_argument(
        "--data-raw",
        type=_existing_dir,
        metavar="DIR",
        help=_path_help(
            "directory of the source files", "GREENTRACK_DATA_RAW", "<checkout>/data_raw"
        ),
    )
    _add_warehouse_dir(command)
    command.add_argument(
        "--dashboards-dir",
        type=Path,
        metavar="DIR",
        help=_path_help(
            "directory the dashboard is published to",
            "GREENTRACK_DASHBOARDS_DIR",
            "<checkout>/dashboards/site",
        ),
    )


def _subcommand(commands, name: str, summary: str, epilog: str | None = None):
    return commands.add_parser(
        name,
        help=summary,
        description=summary,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="greentrack",
        description=DESCRIPTION,
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"greentrack {_version()}",
        help="print the version and exit",
    )  # fmt: skip
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = _subcommand(
        commands, "run", "materialise everything, check, publish warehouse and dashboard",
        RUN_EXIT_CODES,
    )  # fmt: skip
    _add_run_folders(run)
    run.add_argument(
        "--allow-empty",
        action="store_true",
        help="publish even when data_raw/ holds no source file (default: exit 1, publish "
        "nothing; also $GREENTRACK_ALLOW_EMPTY=1)",
    )
    run.add_argument(
        "--full",
        action="store_true",
        help="ingest every file again, build every SQL model and draw the dashboard again, "
        "instead of carrying forward file versions already ingested and keeping what did "
        "not change (default: carry and keep; also $GREENTRACK_FULL=1)",
    )
    loudness = run.add_mutually_exclusive_group()
    loudness.add_argument(
        "--quiet",
        action="store_true",
        help=(
            "no progress lines: only the summary and failures (default: one line per finished step)"
        ),
    )
    loudness.add_argument(
        "--verbose",
        action="store_true",
        help=(
            "every Dagster event message too, in local time (default: off; the full"
            " event log is always written to <warehouse-dir>/logs/<run_id>.log)"
        ),
    )

    generate = _subcommand(
        commands, "generate", "write synthetic Taicang-like source files (demo and tests)",
        "exit codes: 0 written, 2 usage error",
    )  # fmt: skip
    generate.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="directory to write into (required)"
    )
    generate.add_argument(
        "--scale", type=float, default=1.0, help="size relative to Taicang (default: 1.0)"
    )
    generate.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    generate.add_argument(
        "--defect-rate",
        type=float,
        default=0.01,
        help="share of rows given a defect, in [0, 0.5) (default: 0.01)",
    )
    generate.add_argument(
        "--as-of",
        type=_iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="date of the newest export (default: 2025-10-31)",
    )

    status = _subcommand(
        commands, "status", "the target gap, the last runs and source freshness",
        STATUS_EXIT_CODES,
    )  # fmt: skip
    _add_warehouse_dir(status)
    status.add_argument(
        "--json",
        action="store_true",
        help="print one JSON document instead of tables (default: off)",
    )

    export = _subcommand(
        commands,
        "export",
        "write the workbook and/or Parquet files from the published warehouse (read-only)",
        "writes green_transport.xlsx and/or parquet/<schema>.<table>.parquet (both when "
        "neither flag is given)\n\nexit codes: 0 written, 1 no warehouse or one that cannot be "
        "read, 2 usage error",
    )
    export.add_argument(
        "--xlsx", action="store_true", help="write green_transport.xlsx (default: off)"
    )
    export.add_argument(
        "--parquet",
        action="store_true",
        help="write one Parquet file per marts/metrics table (default: off)",
    )
    export.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="directory to write into (required)"
    )
    _add_warehouse_dir(export)

    serve = _subcommand(
        commands,
        "serve",
        "production: dagster-webserver + dagster-daemon on the persistent instance",
        "runs until stopped; see docs/deploy.md for the systemd unit",
    )
    ui = _subcommand(
        commands, "ui", "development: the Dagster UI and daemon (dagster dev) on the same instance"
    )
    for command in (serve, ui):
        command.add_argument(
            "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
        )
        command.add_argument("--port", default="3000", help="port to listen on (default: 3000)")
        _add_run_folders(command)
    return parser


def _apply_paths(args: argparse.Namespace) -> None:
    """Flags win over environment variables; set before any path is resolved."""
    for flag, var in (
        ("data_raw", "GREENTRACK_DATA_RAW"),
        ("warehouse_dir", "GREENTRACK_WAREHOUSE_DIR"),
        ("dashboards_dir", "GREENTRACK_DASHBOARDS_DIR"),
    ):
        value = getattr(args, flag, None)
        if value is not None:
            os.environ[var] = str(Path(value).expanduser().resolve())


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _apply_paths(args)
    if args.command == "run":
        if not project.data_raw_dir().is_dir():
            print(
                f"greentrack run: data_raw directory {project.data_raw_dir()} does not exist",
                file=sys.stderr,
            )
            return EXIT_USAGE
        from pipelines.runner import run_pipeline

        progress = "quiet" if args.quiet else "verbose" if args.verbose else "steps"
        return run_pipeline(allow_empty=args.allow_empty, progress=progress, full=args.full)
    if args.command == "generate":
        from pipelines.generate import generate_all

        if args.scale <= 0 or not 0 <= args.defect_rate < 0.5:
            print(
                "greentrack generate: --scale must be > 0 and --defect-rate in [0, 0.5)",
                file=sys.stderr,
            )
            return EXIT_USAGE
        options = {"as_of": args.as_of} if args.as_of else {}
        generate_all(
            args.out, scale=args.scale, seed=args.seed, defect_rate=args.defect_rate, **options
        )
        return 0
    if args.command == "status":
        from pipelines.status import print_status

        return print_status(as_json=args.json)
    if args.command == "export":
        from pipelines.export_files import export_files

        return export_files(args.out, args.xlsx, args.parquet)
    if args.command in ("serve", "ui"):
        from pipelines.serve import run_ui, serve

        return (serve if args.command == "serve" else run_ui)(args.host, args.port)
    return EXIT_USAGE


def exit_now(code: int) -> None:
    """Leave without tearing the interpreter down module by module.

    After a run the process holds thousands of modules, and tearing them down one by one
    frees memory the OS takes back at once anyway (benchmarks/README.md). Everything that
    must reach disk is closed before this point (DuckDB connections by their `with` blocks,
    the run log and alert files), and the exit handlers still run here: logging's flush,
    temporary directories' clean-up, Dagster's and DuckDB's own."""
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()  # what a normal exit waits for, too
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed or broken pipe: nothing more can be said on it
    os._exit(code)


def entry() -> None:
    """The console script (`greentrack`) and `python -m pipelines.cli`."""
    exit_now(main())


if __name__ == "__main__":
    entry()
