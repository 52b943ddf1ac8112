"""The `greentrack` command: run, generate, status, ui (interface.md)."""

from __future__ import annotations

import argparse
import atexit
import os
import subprocess
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

    export = commands.add_parser(
        "export",
        help="write the workbook and/or Parquet files from the published warehouse",
        description="Writes green_transport.xlsx and/or parquet/<schema>.<table>.parquet "
        "from the published warehouse (opened read-only). Exit 0 written, 1 no warehouse or "
        "one that cannot be read, 2 usage error.",
    )
    export.add_argument("--xlsx", action="store_true", help="write green_transport.xlsx")
    export.add_argument(
        "--parquet", action="store_true", help="write one Parquet file per marts/metrics table"
    )
    export.add_argument("--out", type=Path, required=True, help="directory to write into")
    export.add_argument("--warehouse-dir", type=Path)

    ui = commands.add_parser("ui", help="start the Dagster UI and daemon (dagster dev)")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", default="3000")
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

        return run_pipeline(allow_empty=args.allow_empty)
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
    if args.command == "export":
        from pipelines.export_files import export_files

        return export_files(args.out, args.xlsx, args.parquet)
    if args.command == "ui":
        command = [
            "dagster",
            "dev",
            "-m",
            "pipelines.definitions",
            "-h",
            args.host,
            "-p",
            args.port,
        ]
        return subprocess.call(command)
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
