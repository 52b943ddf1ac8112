"""Tiny hand-made source files, written the way the bureau's exports write them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

REGISTRATION_HEADER = (
    "号牌号码,号牌种类,车辆识别代号,车辆类型,使用性质,燃料种类,初次登记日期,机动车状态,"
    "状态变更日期,所有人,住所行政区划"
)
BUS_HEADER = [
    "车辆自编号",
    "号牌号码",
    "线路",
    "车长(米)",
    "座位数",
    "动力类型",
    "投运日期",
    "报废日期",
    "运营状态",
    "所属公司",
]
TAXI_HEADER = "经营者,号牌号码,车辆类别,燃料类型,经营区域,投入运营日期,退出日期"


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


SURVEY_HH = "hh_id,town_code,hh_size,cars,ebikes,hh_weight"
SURVEY_PERSONS = "hh_id,person_no,age,sex,occupation,person_weight"
SURVEY_TRIPS = (
    "hh_id,person_no,trip_no,depart_time,arrive_time,origin_town,dest_town,purpose,"
    "main_mode,distance_km,trip_weight"
)


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
