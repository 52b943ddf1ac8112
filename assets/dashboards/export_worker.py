"""`python -m assets.dashboards.export_worker JOB.json`: draws charts of a job file that
several workers share.

The job holds `directory`, `vl_version`, `claims` (a directory) and `charts` (chart id →
Vega-Lite spec). A worker draws a chart only after creating its claim file, which exactly
one worker can do (O_EXCL), so the workers share the charts out as they go. It prints chart
id → error (null when drawn) as JSON for the charts it drew. Started by
exports.export_charts, which draws itself any chart no worker reported.
"""

import json
import os
import sys
from pathlib import Path

from assets.dashboards.exports import export_or_error


def claim(claims: Path, chart_id: str) -> bool:
    """True for the one worker whose claim file for this chart was created first."""
    try:
        os.close(os.open(claims / f"{chart_id}.claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def main(job_path: str) -> int:
    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    directory, claims = Path(job["directory"]), Path(job["claims"])
    results = {
        chart_id: export_or_error(spec, directory, chart_id, job["vl_version"])
        for chart_id, spec in job["charts"].items()
        if claim(claims, chart_id)
    }
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
