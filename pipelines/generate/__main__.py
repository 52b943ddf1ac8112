"""`python -m pipelines.generate --out DIR [--scale X] [--seed N] [--defect-rate R]`."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from pipelines.generate import generate_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.generate", description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--defect-rate", type=float, default=0.01)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2025, 10, 31))
    args = parser.parse_args(argv)
    if args.scale <= 0 or not 0 <= args.defect_rate < 0.5:
        parser.error("--scale must be > 0 and --defect-rate in [0, 0.5)")
    started = time.perf_counter()
    manifest = generate_all(args.out, args.scale, args.seed, args.defect_rate, args.as_of)
    print(
        f"wrote {len(manifest['files'])} files to {args.out} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
