"""Cross-source reconciliation: do the fleet ledgers and the registrations tell one story?

For every bus of the newest accepted bus ledger and every street-hail taxi (巡游出租车) of
the newest accepted taxi register, the plate pseudonym must be in the newest accepted
registrations file, registered with the fleet's usage (C 公交客运 for buses, D 出租客运 for
taxis), and the ledger's powertrain must agree with the registration: a `new_energy` label
(reference.powertrain) exactly when the registration is electric (a plate type with
reference.plate_type.is_new_energy, or a fuel letter with reference.fuel.is_electric).

Mismatch kinds: `no_registration`, `usage_mismatch`, `energy_mismatch`, and
`registration_quarantined` when the plate is missing only because ingest quarantined its
registration row (quality.quarantine holds it). A vehicle may show more than one kind. Only
pseudonyms are listed, never plates. The newest accepted files are the staging models' (one
rule for every reader: dbt_like_sql/staging/stg_audit__accepted_files.sql).
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.warehouse import fetch_frame

MISMATCH_KINDS = (
    "no_registration",
    "registration_quarantined",
    "usage_mismatch",
    "energy_mismatch",
)

RECONCILIATION_SQL = """
with registration as (
    -- one registration per plate: one still registered first, then the latest
    select
        r.plate_pseudonym,
        r.usage_code as usage,
        r.plate_type_code as plate_type,
        r.fuel_codes as fuel,
        r.source_file as _source_file,
        coalesce(p.is_new_energy, false) or exists (
            select 1 from reference.fuel as f
            where f.is_electric and contains(coalesce(r.fuel_codes, ''), f.code)
        ) as is_electric
    from staging.stg_registrations__vehicles as r
    left join reference.plate_type as p on p.code = r.plate_type_code
    qualify row_number() over (
        partition by r.plate_pseudonym
        order by regexp_matches(coalesce(r.status_codes, ''), '[EB]'), r.first_registered_on desc,
            r.source_row_number
    ) = 1
),

quarantined_registrations as (
    select distinct json_extract_string(q.raw_record, '$.plate') as plate_pseudonym
    from quality.quarantine as q
    join staging.stg_audit__accepted_files as n
        on q.source = n.source and q.file_name = n.file_name and n.is_newest
    where q.source = 'registrations'
),

ledger_vehicles as (
    select 'bus' as fleet, 'C' as expected_usage, b.fleet_no as vehicle_id,
        b.plate_pseudonym, b.powertrain_label, b.source_file as ledger_file
    from staging.stg_bus_fleet__buses as b
    union all
    select 'taxi', 'D', t.plate_pseudonym, t.plate_pseudonym, t.powertrain_label, t.source_file
    from staging.stg_taxi_fleet__taxis as t
    where t.taxi_kind = '巡游出租车'
),

checked as (
    select
        v.*,
        coalesce(pt.energy_class, 'unknown') as energy_class,
        r.plate_pseudonym is not null as is_registered,
        qr.plate_pseudonym is not null as is_quarantined,
        r.usage, r.plate_type, r.fuel, r.is_electric,
        r._source_file as registrations_file
    from ledger_vehicles as v
    left join reference.powertrain as pt on pt.code = v.powertrain_label
    left join registration as r on r.plate_pseudonym = v.plate_pseudonym
    left join quarantined_registrations as qr on qr.plate_pseudonym = v.plate_pseudonym
),

mismatches as (
    select *, 'no_registration' as mismatch_kind,
        'plate not in the newest registrations file' as detail
    from checked where not is_registered and not is_quarantined
    union all
    select *, 'registration_quarantined',
        'registration row quarantined at ingest (see quality.quarantine)'
    from checked where not is_registered and is_quarantined
    union all
    select *, 'usage_mismatch',
        'registered with usage ' || coalesce(usage, '(blank)') || ', expected '
        || expected_usage
    from checked where is_registered and usage is distinct from expected_usage
    union all
    select *, 'energy_mismatch',
        'ledger ' || powertrain_label || ' (' || energy_class || ') but registration '
        || 'plate_type ' || coalesce(plate_type, '(blank)') || ', fuel '
        || coalesce(fuel, '(blank)') || (case when is_electric then ' (electric)'
            else ' (not electric)' end)
    from checked
    where is_registered and (energy_class = 'new_energy') <> is_electric
)

select fleet, vehicle_id, plate_pseudonym, mismatch_kind, detail, powertrain_label,
    energy_class, usage as registration_usage, plate_type as registration_plate_type,
    fuel as registration_fuel, ledger_file, registrations_file
from mismatches
order by fleet, mismatch_kind, vehicle_id
"""


def reconcile(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per mismatched vehicle per mismatch kind (empty without registrations)."""
    frame = fetch_frame(con, RECONCILIATION_SQL)
    registrations = con.execute(
        "select count(*) from staging.stg_registrations__vehicles"
    ).fetchall()[0][0]
    return frame if registrations else frame.clear()


def vehicles_checked(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """How many ledger vehicles were reconciled, per fleet (newest accepted files only)."""
    rows = con.execute(
        "select 'bus', count(*) from staging.stg_bus_fleet__buses "
        "union all select 'taxi', count(*) from staging.stg_taxi_fleet__taxis "
        "where taxi_kind = '巡游出租车'"
    ).fetchall()
    return dict(rows)


def counts_by_kind(frame: pl.DataFrame) -> dict[str, int]:
    counts = dict.fromkeys(MISMATCH_KINDS, 0)
    for kind, count in frame.group_by("mismatch_kind").len().iter_rows():
        counts[kind] = count
    return counts
