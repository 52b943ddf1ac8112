"""Valid codes for the row rules, read from the warehouse's `reference.*` tables.

Row rules read code sets from the warehouse, not from literals in code, so extending a code
table (a new usage letter, a new powertrain spelling) needs no code change.
"""

from __future__ import annotations

import duckdb

from assets.reference.code_tables import CODE_SET_TABLES
from pipelines.sql_text import qualified


def load_code_sets(con: duckdb.DuckDBPyConnection) -> dict:
    sets = {
        table: [
            row[0]
            for row in con.execute(f"select code from {qualified('reference', table)}").fetchall()
        ]
        for table in CODE_SET_TABLES
    }
    sets["new_energy_plate_type"] = [
        row[0]
        for row in con.execute(
            "select code from reference.plate_type where is_new_energy"
        ).fetchall()
    ]
    sets["town_label"] = [
        row[0] for row in con.execute("select label_zh from reference.town").fetchall()
    ]
    sets["travel_mode_max_speed"] = dict(
        con.execute(
            "select code, max_speed_kmh from reference.travel_mode where max_speed_kmh is not null"
        ).fetchall()
    )
    return sets
