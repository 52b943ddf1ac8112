"""The `greentrack` command: run, generate, status, serve, ui (interface.md)."""

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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="greentrack", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="materialise everything, check, publish")
    run.add_argument("--data-raw", type=_existing_dir)
    run.add_argument("--warehouse-dir", type=Path)
    run.add_argument("--dashboards-dir", type=Path)
    run.add_argument(
        "--allow-empty",
        action="store_true",
        help="publish even when data_raw/ holds no source file (default: exit 1, publish nothing)",
    )
    loudness = run.add_mutually_exclusive_group()
    loudness.add_argument(
        "--quiet", action="store_true", help="no progress lines: only the summary and failures"
    )
    loudness.add_argument(
        "--verbose", action="store_true", help="every Dagster event message too (local times)"
    )

    generate = commands.add_parser("generate", help="write synthetic Taicang-like sources")
    generate.add_argument("--out", type=Path, required=True)
    generate.add_argument("--scale", type=float, default=1.0)
    generate.add_argument("--seed", type=int, default=42)
    generate.add_argument("--defect-rate", type=float, default=0.01)
    generate.add_argument(
        "--as-of",
        type=_iso_date,
        default=None,
        help="date of the newest export (default 2025-10-31)",
    )

    status = commands.add_parser("status", help="print the target-gap table of the warehouse")
    status.add_argument("--warehouse-dir", type=Path)

    serve = commands.add_parser(
        "serve",
        help="production: dagster-webserver + dagster-daemon on the persistent instance",
    )
    ui = commands.add_parser("ui", help="development: the Dagster UI and daemon (dagster dev)")
    for command in (serve, ui):
        command.add_argument("--host", default="127.0.0.1")
        command.add_argument("--port", default="3000")
        command.add_argument("--data-raw", type=_existing_dir)
        command.add_argument("--warehouse-dir", type=Path)
        command.add_argument("--dashboards-dir", type=Path)
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
        return run_pipeline(allow_empty=args.allow_empty, progress=progress)
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

        return print_status()
    if args.command in ("serve", "ui"):
        from pipelines.serve import run_ui, serve

        return (serve if args.command == "serve" else run_ui)(args.host, args.port)
    return EXIT_USAGE


def exit_now(code: int) -> None:
    """Leave without tearing the interpreter down module by module.

    After a run the process holds ~4,000 modules (Great Expectations alone frees for 0.7 s),
    and Python's finalisation took 1.4 s of a 30 s scale-1 run, for memory the OS takes back
    at once. Everything that must reach disk is closed before this point (DuckDB connections
    by their `with` blocks, the run log and alert files), and the exit handlers still run
    here: logging's flush, temporary directories' clean-up, Dagster's and DuckDB's own."""
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
