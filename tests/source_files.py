"""Tiny hand-made source files, written the way the bureau's exports write them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from assets.ingest.raw_tables import source_headers

REGISTRATION_HEADER = ",".join(source_headers("raw.registrations"))
BUS_HEADER = source_headers("raw.bus_fleet")
TAXI_HEADER = ",".join(source_headers("raw.taxi_fleet"))


def good_registrations(count: int, start: int = 50000) -> list[str]:
    """Plain, valid petrol cars 苏E50000… (no VIN) to pad a file below the 5 % rule."""
    return [f"苏E{start + i},02,,K33,A,A,2020-01-01,A,,个人,320585100" for i in range(count)]


def write_csv(path: Path, header: str, lines: list[str], encoding: str = "gb18030") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join([header, *lines]) + "\n").encode(encoding))
    return path


def write_bus_ledger(path: Path, rows: list[list], sheet: str = "车辆台账") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    book.active.title = sheet
    book.active.append(BUS_HEADER)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def good_buses(count: int, start: int = 900) -> list[list]:
    return [
        [
            f"B{start + i}",
            f"苏E{start + i:05d}",
            "101",
            10.5,
            30,
            "纯电动",
            dt.date(2019, 1, 1),
            None,
            "运营",
            "太仓公交",
        ]
        for i in range(count)
    ]


SURVEY_HH = ",".join(source_headers("raw.survey_households"))
SURVEY_PERSONS = ",".join(source_headers("raw.survey_persons"))
SURVEY_TRIPS = ",".join(source_headers("raw.survey_trips"))


def write_clean_sources(data_raw: Path) -> None:
    """A small, fully valid drop of every non-GTFS source: a run on it exits 0."""
    write_csv(
        data_raw / "registrations" / "registrations_20251031.csv",
        REGISTRATION_HEADER,
        good_registrations(20),
    )
    write_bus_ledger(data_raw / "bus_fleet" / "bus_fleet_20251031.xlsx", good_buses(10))
    write_csv(
        data_raw / "taxi_fleet" / "taxi_fleet_20251031.csv",
        TAXI_HEADER,
        [f"太仓出租,苏E2{i:04d},巡游出租车,纯电动,市区,2021-03-05," for i in range(10)],
        "utf-8-sig",
    )
    wave = data_raw / "surveys" / "2024"
    write_csv(wave / "households.csv", SURVEY_HH, ["H1,320585100,2,1,1,100"], "utf-8")
    write_csv(wave / "persons.csv", SURVEY_PERSONS, ["H1,1,40,1,w,100", "H1,2,38,2,w,100"], "utf-8")
    write_csv(
        wave / "trips.csv",
        SURVEY_TRIPS,
        [
            "H1,1,1,08:00,08:30,320585100,320585100,1,4,5,100",
            "H1,2,1,08:00,08:20,320585100,320585100,4,1,1,100",
        ],
        "utf-8",
    )
