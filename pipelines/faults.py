"""Fault-injection points for the crash tests (a run killed at a named point).

When `GREENTRACK_FAULT_PAUSE` names a point (`ingest`, `sql`, `publish`), the run writes
`<warehouse-dir>/.paused-<point>` and sleeps there, so a test can SIGKILL it at exactly that
moment. Unset (always, in production) it does nothing.
"""

from __future__ import annotations

import os
import time

from pipelines import project

FAULT_ENV = "GREENTRACK_FAULT_PAUSE"


def pause_point(name: str) -> None:
    if os.environ.get(FAULT_ENV) != name:
        return
    marker = project.warehouse_dir() / f".paused-{name}"
    marker.write_text(str(os.getpid()))
    time.sleep(float(os.environ.get("GREENTRACK_FAULT_PAUSE_SECONDS", "60")))
