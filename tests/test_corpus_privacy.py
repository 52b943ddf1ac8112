"""Bad-input corpus, privacy: three cases breaking three different sources, in one whole run.

- duplicated_plate_header: a newer registrations export with 号牌号码 twice is rejected (the
  run exits 3, the reason names the file and the column) and the headline stays the clean
  run's, since the previous export remains the truth;
- plates_in_extra_column: a taxi register with an extra column of plates is accepted whole;
  the plates reach `_extra` only as the pseudonyms of `plate_pseudonym`;
- plate_in_wrong_column: a bus ledger row with a plate as its 动力类型 is quarantined, and
  the reason names the column without quoting the plate.
Alone, the second and third cases would exit 0: here the only rejected file is the first's.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.fixtures.bad_inputs import taicang_drop as drop
from tests.fixtures.bad_inputs.harness import WAREHOUSE, audit_rows, headline, run_case
from tests.source_files import REGISTRATION_HEADER, TAXI_HEADER, write_bus_ledger, write_csv

NEWER_REGISTRATIONS = "registrations/registrations_20251101.csv"
WRONG_COLUMN_PLATE = "苏E·D67890"


def write(raw) -> None:
    drop.write_drop(raw)
    rows = [f"{row},{row.split(',')[0]}" for row in drop.registration_rows()]
    write_csv(raw / NEWER_REGISTRATIONS, REGISTRATION_HEADER + ",号牌号码", rows, "gb18030")
    taxis = [f"{row},{drop.taxi_plate(i + 1)}" for i, row in enumerate(drop.taxi_rows())]
    write_csv(raw / drop.TAXI_REGISTER, TAXI_HEADER + ",原号牌", taxis, "utf-8")
    buses = [*drop.bus_rows(), drop.bus_row(26, powertrain_label=WRONG_COLUMN_PLATE)]
    write_bus_ledger(raw / drop.BUS_LEDGER, buses)


@pytest.mark.slow  # a whole pipeline run: make test-slow
def test_privacy_corpus(tmp_path, published_before, monkeypatch):
    result, _ = run_case(tmp_path, published_before, monkeypatch, write)
    assert result.code == 3, result.out + result.err
    published = tmp_path / "warehouse" / WAREHOUSE
    with duckdb.connect(str(published), read_only=True) as con:
        audit = audit_rows(con)
        extras = con.execute(
            "select plate_pseudonym, _extra from raw.taxi_fleet order by _row_number"
        ).fetchall()
        quarantine = con.execute(
            "select file_name, row_number, column_name, reason, raw_record from quality.quarantine"
        ).fetchall()
    # duplicated_plate_header
    status, reason, *counts = audit[NEWER_REGISTRATIONS]
    assert (status, counts) == ("rejected", [0, 0, 0])
    assert NEWER_REGISTRATIONS in reason and "column 号牌号码 (plate)" in reason
    assert "appears twice" in reason
    assert f"{NEWER_REGISTRATIONS}: {reason}" in result.out
    assert [name for name, row in audit.items() if row[0] == "rejected"] == [NEWER_REGISTRATIONS]
    assert headline(tmp_path / "warehouse") == headline(published_before)
    # plates_in_extra_column
    assert audit[drop.TAXI_REGISTER][:2] == ("accepted", None)
    assert len(extras) == drop.FLEET_SIZE
    for plate_pseudonym, extra in extras:
        assert extra == f'{{"原号牌":"[plate:{plate_pseudonym}]"}}'
    # plate_in_wrong_column
    assert len(quarantine) == 1
    file_name, row_number, column, reason, raw_record = quarantine[0]
    assert (file_name, row_number, column) == (drop.BUS_LEDGER, 26, "powertrain_label")
    assert reason.startswith("unknown powertrain label '[plate:")
    for text in (reason, raw_record):
        assert "苏E" not in text and "D67890" not in text
