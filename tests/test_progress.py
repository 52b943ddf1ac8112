"""Progress lines: one per finished asset step, counted over every step, rows as reported."""

from __future__ import annotations

from types import SimpleNamespace as NS

import dagster as dg
import pytest

from pipelines.loggers import run_logger_config
from pipelines.progress import StepProgress, rows_of, step_line


def _event(kind: str, step: str, **data):
    return NS(event_type_value=kind, step_key=step, event_specific_data=NS(**data))


def _materialised(step: str, key: list[str], metadata: dict):
    return _event(
        "ASSET_MATERIALIZATION",
        step,
        materialization=NS(asset_key=dg.AssetKey(key), metadata=metadata),
    )


def test_the_line_reads_like_the_issue_asks():
    assert step_line(17, 62, "raw.registrations", 4.12, 503775) == (
        "[17/62] raw.registrations 4.1 s, 503,775 rows"
    )
    assert step_line(3, None, "quality.data_docs", 0.04, None) == "[3] quality.data_docs 0.0 s"


@pytest.mark.parametrize(
    ("metadata", "rows"),
    [
        ({"dagster/row_count": dg.MetadataValue.int(12)}, 12),
        ({"rows": 7, "preview": "x"}, 7),
        ({"rows_loaded": 5}, 5),
        ({"path": "/x", "bytes": 10}, None),
        ({"rows": True}, None),
    ],
)
def test_rows_come_from_whichever_name_the_asset_used(metadata, rows):
    assert rows_of(metadata) == rows


def test_checks_that_pass_advance_the_count_without_a_line():
    progress = StepProgress(total=4)
    lines = [
        progress.on_event(_event("STEP_START", "raw__registrations"), 100.0),
        progress.on_event(
            _materialised("raw__registrations", ["raw", "registrations"], {"rows": 503775}), 103
        ),
        progress.on_event(_event("STEP_SUCCESS", "raw__registrations", duration_ms=4100.0), 104.1),
        progress.on_event(_event("STEP_SUCCESS", "raw__registrations_gx_suite"), 105),
        progress.on_event(_event("STEP_START", "gtfs_service"), 105.0),
        progress.on_event(_event("STEP_FAILURE", "gtfs_service"), 107.5),
    ]
    shown = [line for line in lines if line]
    assert shown == [
        "[1/4] raw.registrations 4.1 s, 503,775 rows",
        "[3/4] gtfs_service 2.5 s, FAILED",
    ]


def test_a_step_of_several_assets_is_named_by_its_step_and_sums_their_rows():
    progress = StepProgress(total=1)
    for name, rows in (("fuel", 10), ("usage", 5)):
        progress.on_event(_materialised("reference_tables", ["reference", name], {"rows": rows}), 1)
    line = progress.on_event(_event("STEP_SUCCESS", "reference_tables", duration_ms=2000.0), 2)
    assert line == "[1/1] reference_tables 2.0 s, 15 rows"


def test_the_run_config_names_a_known_mode():
    assert run_logger_config("quiet") == {"loggers": {"console": {"config": {"progress": "quiet"}}}}
    with pytest.raises(ValueError):
        run_logger_config("loud")


def test_a_step_that_took_its_output_unchanged_says_so():
    progress = StepProgress(total=2)
    metadata = {"dagster/row_count": dg.MetadataValue.int(9), "build": "skipped (unchanged)"}
    key = ["marts", "dim_vehicle"]
    lines = [
        progress.on_event(_materialised("marts__dim_vehicle", key, metadata), 1),
        progress.on_event(_event("STEP_SUCCESS", "marts__dim_vehicle", duration_ms=300.0), 2),
        progress.on_event(
            _materialised("marts__x", ["marts", "x"], {"rows": 3, "build": "built"}), 3
        ),
        progress.on_event(_event("STEP_SUCCESS", "marts__x", duration_ms=100.0), 4),
    ]
    assert [line for line in lines if line] == [
        "[1/2] marts.dim_vehicle 0.3 s, 9 rows, skipped (unchanged)",
        "[2/2] marts.x 0.1 s, 3 rows",
    ]
