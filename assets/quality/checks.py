"""One Dagster asset check per suite (`<schema>/<table>:gx_suite`), built from the YAML files.

Every check is `blocking=True`. Dagster only stops downstream assets when a blocking check
fails with severity ERROR; a WARN failure lets them run. Blocking also makes publication
wait for every check, so the results of WARN-only suites are in the work file before it is
published. The checks write `quality.validation_results`; the `quality/data_docs` asset
renders them once every check has run (assets.py).
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from assets.quality.results import write_results
from assets.quality.suite_builder import SuiteSpec, load_suite_specs
from pipelines import project
from pipelines.loggers import SUITE_CHECK_NAME

CHECK_NAME = SUITE_CHECK_NAME  # the console leaves its warnings to the run summary
FAILED_LISTED = 20


def check_metadata(outcome) -> dict:
    page = project.dashboards_dir() / "quality" / f"{outcome.suite}.html"
    failed = outcome.failed()
    return {
        "summary": dg.MetadataValue.text(outcome.summary()),
        "failed_expectations": [f"[{e.severity}] {e.column}: {e.reason}" for e in failed][
            :FAILED_LISTED
        ],
        "unexpected_counts": {
            f"{e.expectation} ({e.column})": e.unexpected_count or 0 for e in failed
        },
        "unexpected_samples": {f"{e.expectation} ({e.column})": e.sample for e in failed},
        "expectations": len(outcome.expectations),
        "rows_validated": outcome.rows,
        "gx_seconds": outcome.gx_seconds,
        "fetch_seconds": outcome.fetch_seconds,
        "data_docs": dg.MetadataValue.path(str(page)),
    }


def suite_check(spec: SuiteSpec) -> dg.AssetChecksDefinition:
    asset_key = dg.AssetKey(list(spec.asset_key))

    @dg.asset_check(
        asset=asset_key,
        name=CHECK_NAME,
        blocking=True,
        description=f"Great Expectations suite {spec.name} "
        f"(assets/quality/suites/{spec.name}.yaml): {spec.description}",
    )
    def _suite_check(
        context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource
    ) -> dg.AssetCheckResult:
        from assets.quality.validate import validate_suite  # GX loads on first use, not import

        run_id = context.run.run_id
        with duckdb.get_connection() as con:
            outcome = validate_suite(con, spec)
            write_results(con, run_id, asset_key.to_user_string(), outcome)
        if not outcome.passed:
            log = context.log.error if outcome.severity == "ERROR" else context.log.warning
            log(outcome.summary())
        return dg.AssetCheckResult(
            passed=outcome.passed,
            severity=dg.AssetCheckSeverity(outcome.severity),
            metadata=check_metadata(outcome),
        )

    return _suite_check


def checks_for(assets: list, checks: list | None = None) -> list:
    """The checks whose asset is among `assets` (suites of absent assets are left out)."""
    keys = {key for asset in assets for key in getattr(asset, "keys", ())}
    return [
        check
        for check in (quality_checks if checks is None else checks)
        if all(key.asset_key in keys for key in check.check_keys)
    ]


quality_checks: list = [suite_check(spec) for spec in load_suite_specs()]
