"""The demo-data generator (`greentrack generate`): layout, determinism, published facts.

Expected values come from the spec (docs/sources.md, docs/reference.md) and the published Taicang
figures, never from the generator's own parameters; files are read back and re-measured here
with independent code (openpyxl, a plain haversine, the reference CSVs).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import re
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from assets.ingest.raw_tables import source_headers
from pipelines.generate import generate_all
from pipelines.generate.__main__ import main

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
# Published Taicang figures for 2020 (the generator must reproduce them at scale 1).
PUBLISHED_ROUTES_2020 = 80
PUBLISHED_WEEKDAY_BUS_KM_2020 = 48_200
PUBLISHED_BUSES_2020 = 326
PUBLISHED_CLEAN_BUSES_2020 = 189
CENSUS_2020 = 831_113

REGISTRATION_HEADERS = source_headers("raw.registrations")
BUS_HEADERS = source_headers("raw.bus_fleet")
TAXI_HEADERS = source_headers("raw.taxi_fleet")
SURVEY_HEADERS = {
    table: source_headers(f"raw.survey_{table}") for table in ("households", "persons", "trips")
}
GTFS_REQUIRED = {
    "agency.txt",
    "stops.txt",
    "routes.txt",
    "trips.txt",
    "stop_times.txt",
    "calendar.txt",
    "calendar_dates.txt",
}
EXPECTED_FILES = {
    "registrations/registrations_20251031.csv",
    "registrations/registrations_20241231.csv",
    "bus_fleet/bus_fleet_20241231.xlsx",
    "bus_fleet/bus_fleet_20251031.xlsx",
    "taxi_fleet/taxi_fleet_20241231.csv",
    "taxi_fleet/taxi_fleet_20251031.csv",
    "gtfs/taicang_bus_20200615.zip",
    "gtfs/taicang_bus_20230301.zip",
    "gtfs/taicang_bus_20250701.zip",
    "_generator_manifest.json",
    *(f"surveys/{w}/{t}.csv" for w in ("2019", "2024") for t in SURVEY_HEADERS),
}
VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]


# --- independent readers -------------------------------------------------------------------
def reference(name: str) -> list[dict[str, str]]:
    with open(REFERENCE / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def codes(name: str) -> set[str]:
    return {row["code"] for row in reference(name)}


ENERGY_CLASS = {row["label_zh"]: row["energy_class"] for row in reference("powertrain")}


def read_text_csv(path: Path) -> tuple[pl.DataFrame, str]:
    """A source CSV as text columns, decoded the way docs/sources.md allows."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        return pl.read_csv(io.StringIO(data[3:].decode("utf-8")), infer_schema=False), "bom"
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = data.decode("gb18030"), "gb18030"
    return pl.read_csv(io.StringIO(text), infer_schema=False), encoding


def parse_date(value) -> dt.date | None:
    """The date spellings of docs/sources.md, plus real Excel date cells."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, int | float):
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    text = str(value).strip()
    for pattern in (
        r"(\d{4})-(\d{1,2})-(\d{1,2})",
        r"(\d{4})/(\d{1,2})/(\d{1,2})",
        r"(\d{4})年(\d{1,2})月(\d{1,2})日",
        r"(\d{4})(\d{2})(\d{2})",
    ):
        match = re.fullmatch(pattern, text)
        if match:
            return dt.date(*map(int, match.groups()))
    if re.fullmatch(r"\d{1,5}", text):
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(text))
    return None if not text else _raise(text)


def _raise(text: str):
    raise ValueError(f"not a date spelling of docs/sources.md: {text!r}")


def bus_ledger(path: Path) -> list[dict]:
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book["车辆台账"].iter_rows(values_only=True))
    book.close()
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def vin_ok(vin: str) -> bool:
    if not re.fullmatch(r"[A-HJ-NPR-Z0-9]{17}", vin):
        return False
    remainder = sum(VIN_VALUES[c] * w for c, w in zip(vin, VIN_WEIGHTS, strict=True)) % 11
    return vin[8] == ("X" if remainder == 10 else str(remainder))


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def feed_table(path: Path, name: str) -> pl.DataFrame:
    with zipfile.ZipFile(path) as archive:
        return pl.read_csv(archive.read(name), infer_schema=False)


# --- fixtures --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("small")
    generate_all(out, scale=0.01, seed=7, defect_rate=0.02)
    return out


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate_all(out, scale=0.01, seed=7, defect_rate=0)
    return out


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> Path:
    """Scale 1 with the default seed and defect rate: what `make run` generates."""
    out = tmp_path_factory.mktemp("full")
    generate_all(out)
    return out


def manifest(out: Path) -> dict:
    return json.loads((out / "_generator_manifest.json").read_text(encoding="utf-8"))


def digests(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


# --- determinism and layout ------------------------------------------------------------------
def test_same_arguments_give_byte_identical_files(small, tmp_path):
    generate_all(tmp_path, scale=0.01, seed=7, defect_rate=0.02)
    assert digests(tmp_path) == digests(small)


def test_another_seed_gives_other_data(small, tmp_path):
    generate_all(tmp_path, scale=0.01, seed=8, defect_rate=0.02)
    assert (
        digests(tmp_path)["registrations/registrations_20251031.csv"]
        != digests(small)["registrations/registrations_20251031.csv"]
    )


def test_file_layout_is_exactly_sources_md(small):
    assert set(digests(small)) == EXPECTED_FILES


def test_older_registrations_snapshot_only_at_small_scales(full):
    assert not (full / "registrations/registrations_20241231.csv").exists()


def test_registrations_are_gb18030_with_contract_headers(small):
    data = (small / "registrations/registrations_20251031.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    frame = pl.read_csv(io.StringIO(data.decode("gb18030")), infer_schema=False)
    assert frame.columns == REGISTRATION_HEADERS


@pytest.mark.parametrize("day", ["20241231", "20251031"])
def test_taxi_register_headers_and_encoding(small, day):
    frame, encoding = read_text_csv(small / f"taxi_fleet/taxi_fleet_{day}.csv")
    assert frame.columns == TAXI_HEADERS
    assert encoding in {"bom", "gb18030"}
    assert set(frame["车辆类别"].str.strip_chars()) == {"巡游出租车", "网约车"}
    towns = {row["label_zh"] for row in reference("town")}
    assert set(frame["经营区域"].str.strip_chars()) <= towns | {"市区"}


@pytest.mark.parametrize("day", ["20241231", "20251031"])
def test_bus_ledger_sheet_and_headers(small, day):
    book = openpyxl.load_workbook(small / f"bus_fleet/bus_fleet_{day}.xlsx", read_only=True)
    assert book.sheetnames == ["车辆台账"]
    header = next(book["车辆台账"].iter_rows(values_only=True))
    book.close()
    assert list(header) == BUS_HEADERS


@pytest.mark.parametrize("wave", ["2019", "2024"])
@pytest.mark.parametrize("table", list(SURVEY_HEADERS))
def test_survey_headers(small, wave, table):
    frame, encoding = read_text_csv(small / f"surveys/{wave}/{table}.csv")
    assert frame.columns == SURVEY_HEADERS[table]
    assert encoding in {"utf-8", "gb18030"}


def test_bus_ledger_dates_mix_cells_serials_and_text(full):
    kinds = {
        type(row["投运日期"]).__name__
        for row in bus_ledger(full / "bus_fleet/bus_fleet_20251031.xlsx")
    }
    assert {"datetime", "int", "str"} <= kinds


# --- GTFS ------------------------------------------------------------------------------------
@pytest.mark.parametrize("day", ["20200615", "20230301", "20250701"])
def test_gtfs_versions_hold_the_required_tables(small, day):
    with zipfile.ZipFile(small / f"gtfs/taicang_bus_{day}.zip") as archive:
        names = set(archive.namelist())
        assert all(
            info.date_time[:3] == (int(day[:4]), int(day[4:6]), int(day[6:]))
            for info in archive.infolist()
        )
    assert GTFS_REQUIRED <= names


def test_gtfs_versions_differ_in_distance_information(small):
    has = {}
    for day in ("20200615", "20230301", "20250701"):
        with zipfile.ZipFile(small / f"gtfs/taicang_bus_{day}.zip") as archive:
            names = set(archive.namelist())
        stop_times = feed_table(small / f"gtfs/taicang_bus_{day}.zip", "stop_times.txt")
        has[day] = (
            "shapes.txt" in names,
            "shape_dist_traveled" in stop_times.columns,
            "feed_info.txt" in names,
        )
    assert has["20200615"][:2] == (False, False)  # stop-to-stop distance needed
    assert any(v[0] for v in has.values()) and any(v[1] for v in has.values())
    assert any(v[2] for v in has.values())


def test_gtfs_has_trips_past_midnight_and_reads_with_gtfs_kit(small):
    import gtfs_kit

    path = small / "gtfs/taicang_bus_20250701.zip"
    feed = gtfs_kit.read_feed(path, dist_units="km")
    assert (feed.stop_times["arrival_time"] >= "24:00:00").any()
    assert len(feed.routes) >= 6


def test_ledger_routes_exist_in_the_feed_of_their_day(small):
    custom = set(manifest(small)["cross_source"]["bus_route_not_in_gtfs"]["routes"])
    for ledger, feed in (("20241231", "20230301"), ("20251031", "20250701")):
        running = {
            str(r["线路"]).strip()
            for r in bus_ledger(small / f"bus_fleet/bus_fleet_{ledger}.xlsx")
            if r["线路"] and str(r["运营状态"]).strip() != "报废"
        }
        routes = set(
            feed_table(small / f"gtfs/taicang_bus_{feed}.zip", "routes.txt")["route_short_name"]
        )
        assert running - routes <= custom


# --- published 2020 facts at scale 1 ----------------------------------------------------------
def test_bus_fleet_on_2020_12_31_is_the_published_326_with_189_clean(full):
    """docs/indicators.md fleet rule on the newest ledger, quarantined rows left out."""
    day = dt.date(2020, 12, 31)
    fleet = clean_ones = 0
    for row in bus_ledger(full / "bus_fleet/bus_fleet_20251031.xlsx"):
        label = str(row["动力类型"]).strip()
        start, end = parse_date(row["投运日期"]), parse_date(row["报废日期"])
        status = str(row["运营状态"]).strip()
        if label not in ENERGY_CLASS or (status == "报废" and end is None) or (end and end < start):
            continue
        if start <= day and (end is None or end > day):
            fleet += 1
            clean_ones += ENERGY_CLASS[label] in ("new_energy", "clean_energy")
    assert (fleet, clean_ones) == (PUBLISHED_BUSES_2020, PUBLISHED_CLEAN_BUSES_2020)


def test_gtfs_2020_has_about_80_routes_and_48200_weekday_bus_km(full):
    path = full / "gtfs/taicang_bus_20200615.zip"
    routes = feed_table(path, "routes.txt")
    assert abs(routes.height - PUBLISHED_ROUTES_2020) <= 0.05 * PUBLISHED_ROUTES_2020
    day = dt.date(2020, 6, 17)  # an ordinary Wednesday
    calendar = feed_table(path, "calendar.txt")
    services = set(
        calendar.filter(
            (pl.col("wednesday") == "1")
            & (pl.col("start_date") <= day.strftime("%Y%m%d"))
            & (pl.col("end_date") >= day.strftime("%Y%m%d"))
        )["service_id"]
    )
    exceptions = feed_table(path, "calendar_dates.txt").filter(
        pl.col("date") == day.strftime("%Y%m%d")
    )
    services |= set(exceptions.filter(pl.col("exception_type") == "1")["service_id"])
    services -= set(exceptions.filter(pl.col("exception_type") == "2")["service_id"])
    trips = set(
        feed_table(path, "trips.txt").filter(pl.col("service_id").is_in(services))["trip_id"]
    )
    stops = {
        r["stop_id"]: (float(r["stop_lat"]), float(r["stop_lon"]))
        for r in feed_table(path, "stops.txt").iter_rows(named=True)
    }
    stop_times = feed_table(path, "stop_times.txt").filter(pl.col("trip_id").is_in(trips))
    stop_times = stop_times.with_columns(pl.col("stop_sequence").cast(pl.Int64)).sort(
        "trip_id", "stop_sequence"
    )
    km, previous = 0.0, (None, None)
    for trip, stop in stop_times.select("trip_id", "stop_id").iter_rows():
        if previous[0] == trip:
            km += haversine_km(*stops[previous[1]], *stops[stop])
        previous = (trip, stop)
    assert abs(km - PUBLISHED_WEEKDAY_BUS_KM_2020) <= 0.05 * PUBLISHED_WEEKDAY_BUS_KM_2020


@pytest.mark.parametrize("wave", ["2019", "2024"])
def test_survey_weights_expand_to_the_2020_census(small, wave):
    persons, _ = read_text_csv(small / f"surveys/{wave}/persons.csv")
    total = persons["person_weight"].cast(pl.Float64).sum()
    assert abs(total - CENSUS_2020) <= 0.001 * CENSUS_2020
    households, _ = read_text_csv(small / f"surveys/{wave}/households.csv")
    assert set(households["town_code"]) == codes("town")


# --- clean files: codes, identifiers, consistency ----------------------------------------------
def test_defect_rate_zero_gives_no_unknown_codes(clean):
    reg, _ = read_text_csv(clean / "registrations/registrations_20251031.csv")
    assert set(reg["号牌种类"]) <= codes("plate_type")
    assert set(reg["使用性质"]) <= codes("usage")
    assert set(reg["车辆类型"]) <= codes("vehicle_type")
    assert set("".join(reg["燃料种类"])) <= codes("fuel")
    assert set("".join(reg["机动车状态"])) <= codes("vehicle_status")
    assert all(vin_ok(v) for v in reg["车辆识别代号"])
    assert all(re.fullmatch(r"\d{9}|\d{12}", c) for c in reg["住所行政区划"])
    leaves = reg.filter(pl.col("机动车状态").str.contains("[EB]"))
    assert leaves["状态变更日期"].null_count() == 0
    for day in ("20241231", "20251031"):
        taxis, _ = read_text_csv(clean / f"taxi_fleet/taxi_fleet_{day}.csv")
        buses = bus_ledger(clean / f"bus_fleet/bus_fleet_{day}.xlsx")
        assert set(taxis["燃料类型"]) | {r["动力类型"] for r in buses} <= set(ENERGY_CLASS)
        assert all(r["报废日期"] is not None for r in buses if r["运营状态"] == "报废")
    assert manifest(clean)["defects"] == {}


def test_plates_have_the_contract_format(clean):
    reg, _ = read_text_csv(clean / "registrations/registrations_20251031.csv")
    new_energy = {r["code"] for r in reference("plate_type") if r["is_new_energy"] == "true"}
    for plate, plate_type in reg.select("号牌号码", "号牌种类").iter_rows():
        length = 6 if plate_type in new_energy else 5
        assert re.fullmatch(rf"[\u4e00-\u9fff][A-Z][A-Z0-9\u4e00-\u9fff]{{{length}}}", plate)
    assert reg["号牌号码"].n_unique() == reg.height
    assert {p[:2] for p in reg["号牌号码"]} - {"苏E"}  # a few plates from elsewhere


@pytest.mark.parametrize("wave", ["2019", "2024"])
def test_clean_survey_trips_pass_the_row_rules(clean, wave):
    persons, _ = read_text_csv(clean / f"surveys/{wave}/persons.csv")
    trips, _ = read_text_csv(clean / f"surveys/{wave}/trips.csv")
    assert set(trips["main_mode"]) <= codes("travel_mode")
    assert set(trips["purpose"]) <= codes("trip_purpose")
    assert trips.join(persons, on=["hh_id", "person_no"], how="anti").height == 0
    assert (trips["trip_weight"].cast(pl.Float64) > 0).all()
    minutes = [int(t[:2]) * 60 + int(t[3:]) for t in trips["arrive_time"]]
    departs = [int(t[:2]) * 60 + int(t[3:]) for t in trips["depart_time"]]
    limit = {"1": 10, "2": 35}
    for mode, km, start, end in zip(
        trips["main_mode"], trips["distance_km"].cast(float), departs, minutes, strict=True
    ):
        assert end > start
        if mode in limit:
            assert km * 60 <= limit[mode] * (end - start)


def test_every_fleet_vehicle_is_registered_consistently(clean):
    reg, _ = read_text_csv(clean / "registrations/registrations_20251031.csv")
    by_plate = {r["号牌号码"]: r for r in reg.iter_rows(named=True)}
    new_energy_plates = {r["code"] for r in reference("plate_type") if r["is_new_energy"] == "true"}

    def agrees(row, label) -> bool:
        electric = row["号牌种类"] in new_energy_plates or "C" in row["燃料种类"]
        return electric == (ENERGY_CLASS[label] == "new_energy")

    for bus in bus_ledger(clean / "bus_fleet/bus_fleet_20251031.xlsx"):
        row = by_plate[bus["号牌号码"]]
        assert row["使用性质"] == "C" and agrees(row, bus["动力类型"])
    taxis, _ = read_text_csv(clean / "taxi_fleet/taxi_fleet_20251031.csv")
    for taxi in taxis.iter_rows(named=True):
        row = by_plate[taxi["号牌号码"]]
        assert agrees(row, taxi["燃料类型"])
        assert (row["使用性质"] == "D") == (taxi["车辆类别"] == "巡游出租车")


# --- defects and the manifest ------------------------------------------------------------------
def test_cross_source_mismatches_are_real(small):
    cross = manifest(small)["cross_source"]
    reg, _ = read_text_csv(small / "registrations/registrations_20251031.csv")
    plates = reg.with_columns(pl.col("号牌号码").str.replace_all(r"[\s·]", ""))
    by_plate = {r["号牌号码"]: r for r in plates.iter_rows(named=True)}
    assert not set(cross["bus_plate_missing_from_registrations"]["plates"]) & set(by_plate)
    assert not set(cross["taxi_plate_missing_from_registrations"]["plates"]) & set(by_plate)
    assert all(
        by_plate[p]["使用性质"] != "C" for p in cross["bus_registration_usage_not_c"]["plates"]
    )
    assert all(
        by_plate[p]["使用性质"] != "D" for p in cross["taxi_registration_usage_not_d"]["plates"]
    )
    for kind, fuel, plate_type in (
        ("bus_powertrain_disagreement", "B", "01"),
        ("taxi_powertrain_disagreement", "A", "02"),
    ):
        assert cross[kind]["count"] >= 1
        assert all(
            (by_plate[p]["燃料种类"], by_plate[p]["号牌种类"]) == (fuel, plate_type)
            for p in cross[kind]["plates"]
        )
    ledger = {r["车辆自编号"]: r for r in bus_ledger(small / "bus_fleet/bus_fleet_20251031.xlsx")}
    for fleet_no in cross["bus_powertrain_disagreement"]["fleet_no"]:
        assert ENERGY_CLASS[ledger[fleet_no]["动力类型"]] == "new_energy"


def test_quarantine_defects_sit_on_the_listed_rows_and_stay_under_5_percent(small):
    defects = manifest(small)["defects"]
    reg, _ = read_text_csv(small / "registrations/registrations_20251031.csv")
    name = "registrations/registrations_20251031.csv"
    for row in defects["registrations"]["unknown_usage"]["rows"].get(name, []):
        assert reg["使用性质"][row - 1] not in codes("usage")
    for row in defects["registrations"]["vin_malformed"]["rows"].get(name, []):
        assert not re.fullmatch(r"[A-HJ-NPR-Z0-9]{17}", reg["车辆识别代号"][row - 1])
    bad: dict[str, set[int]] = {}
    for source in defects.values():
        for entry in source.values():
            if entry["effect"] == "quarantine":
                for file, rows in entry["rows"].items():
                    bad.setdefault(file, set()).update(rows)
    for file, rows in bad.items():
        path = small / file
        total = len(bus_ledger(path)) if file.endswith(".xlsx") else read_text_csv(path)[0].height
        assert len(rows) < 0.05 * total


def test_module_cli_writes_the_manifest(tmp_path):
    assert (
        main(["--out", str(tmp_path), "--scale", "0.01", "--seed", "3", "--defect-rate", "0"]) == 0
    )
    assert manifest(tmp_path)["parameters"]["seed"] == 3


def test_local_plates_overflow_through_the_jiangsu_letters_instead_of_running_out():
    # Police plates have 10,000 numbers per prefix (4 digits + 警). 苏E and 苏U are each filled
    # to 80 % (8,000); the remaining 4,000 of 20,000 go to 苏A, the next letter. Scale 100 ran
    # out of 苏U's ordinary plates before the list went past 苏U.
    import numpy as np

    from pipelines.generate.plates import PlateBook

    book = PlateBook(np.random.default_rng(7))
    plates = book.draw("police", 20_000, "苏E")
    prefixes = pl.Series([p[:2] for p in plates]).value_counts().sort("")
    assert dict(prefixes.iter_rows()) == {"苏A": 4_000, "苏E": 8_000, "苏U": 8_000}
    assert len(set(plates.tolist())) == 20_000
    assert all(re.fullmatch(r"苏[EUA]\d{4}警", p) for p in plates)


def test_route_names_stay_unique_in_a_provincial_network():
    # Scale 100 has thousands of urban and town routes, numbered in separate series: no
    # route_id may be given twice, or every feed would be rejected for duplicate_key.
    import numpy as np

    from pipelines.generate.codes import load_code_tables
    from pipelines.generate.network import NetworkBuilder

    builder = NetworkBuilder(np.random.default_rng(1), load_code_tables())
    urban = [builder._name("urban") for _ in range(4_000)]
    town = [builder._name("town") for _ in range(2_400)]
    assert urban[:3] == ["101", "102", "103"] and urban[99:101] == ["1000", "1001"]
    assert town[:2] == ["201", "202"] and town[99:101] == ["2000", "2001"]
    assert urban[1098:1100] == ["1999", "U1200"] and town[1098:1100] == ["2999", "T1300"]
    assert len(set(urban) | set(town)) == 6_400
