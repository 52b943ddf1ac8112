"""Kinds of registered vehicle: what they are, who owns them, how they age.

A segment fixes the draw tables of one kind of vehicle (vehicle types, usage letters,
conventional fuels), its owner pool, which new-energy trend it follows and its scrap age.
Public-unit segments (official, police, sanitation, postal) are counted per year instead of
taking a share of all new registrations, because the EV indicator is built from them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    share: float  # of background new registrations (public units: 0, counted per year)
    vehicle_types: dict[str, float]  # GA 802 code: weight
    usages: dict[str, float]  # GA 24.3 letter: weight
    fuels: dict[str, float]  # conventional GA 24.9 letters: weight
    owner: str  # private, company, mixed, driving_school, or an owner category
    nev: str | None  # key of the new-energy trend (calibration.NEV_SHARE / PUBLIC_UNIT_EV_…)
    life_years: float  # scale of the Weibull scrap age
    vin_class: str  # which makers' WMIs the VINs use
    plate_kind: str = "ordinary"
    plate_type: str | None = None  # fixed ordinary plate type (16 driving school, 23 police)
    green_plates: bool = True  # police, motorcycles, school cars keep their own plates


# Vehicle types whose plates are 大型 (01 / 51); everything else is 小型 (02 / 52).
LARGE_TYPES = ("K1", "K2", "H1", "H2", "Q", "Z1", "Z2", "Z5")
MOTORCYCLE_PLATE_TYPES = {"M21": "07", "M22": "08"}
TRANSFERABLE = ("private", "company", "mixed")  # owners who sell vehicles out of the city
# Residents' vehicles registered elsewhere (Shanghai next door, in-migrants' home provinces).
OTHER_PREFIXES = {"沪A": 0.25, "沪B": 0.2, "沪C": 0.1, "浙E": 0.1, "浙F": 0.05, "皖K": 0.1,
                  "皖A": 0.08, "鲁Q": 0.06, "豫S": 0.06}  # fmt: skip

# fmt: off
SEGMENTS = {
    "private_car": Segment(
        0.74, {"K33": 0.7, "K31": 0.12, "K32": 0.08, "K39": 0.05, "K43": 0.05}, {"A": 1},
        {"A": 0.97, "O": 0.03}, "private", "car", 19, "car"),
    "company_car": Segment(
        0.08, {"K33": 0.6, "K31": 0.2, "K39": 0.2}, {"A": 0.82, "G": 0.15, "Z": 0.03},
        {"A": 0.9, "B": 0.05, "O": 0.05}, "company", "car", 10, "car"),
    "driving_school": Segment(
        0.004, {"K33": 1}, {"N": 1}, {"A": 1}, "driving_school", None, 8, "car",
        plate_kind="coach", plate_type="16", green_plates=False),
    "light_truck": Segment(
        0.075, {"H31": 0.4, "H32": 0.35, "H34": 0.05, "H37": 0.1, "H38": 0.1},
        {"F": 0.9, "A": 0.1}, {"A": 0.4, "B": 0.6}, "mixed", "light_truck", 12, "truck"),
    "heavy_truck": Segment(
        0.03, {"H11": 0.2, "H12": 0.15, "H13": 0.1, "H14": 0.1, "H17": 0.15, "H19": 0.1,
               "Q11": 0.2},
        {"F": 0.97, "R": 0.03}, {"B": 0.95, "E": 0.05}, "company", "heavy", 10, "truck"),
    "coach": Segment(
        0.006, {"K11": 0.5, "K21": 0.4, "K31": 0.1}, {"B": 0.45, "E": 0.35, "A": 0.2},
        {"B": 1}, "company", "heavy", 12, "bus"),
    "school_bus": Segment(
        0.002, {"K18": 0.4, "K28": 0.4, "K38": 0.2}, {"O": 0.3, "P": 0.5, "Q": 0.2},
        {"B": 1}, "company", None, 10, "bus"),
    "special": Segment(
        0.006, {"Z11": 0.2, "Z21": 0.3, "Z31": 0.2, "Z51": 0.15, "Z71": 0.15},
        {"A": 0.6, "K": 0.2, "F": 0.2}, {"B": 1}, "company", None, 12, "truck"),
    "motorcycle": Segment(
        0.048, {"M21": 0.7, "M22": 0.3}, {"A": 1}, {"A": 1}, "private", "motorcycle", 10,
        "motorcycle", green_plates=False),
}
PUBLIC_SEGMENTS = {
    "official": Segment(
        0, {"K33": 0.8, "K31": 0.1, "K39": 0.1}, {"A": 1}, {"A": 0.9, "O": 0.1},
        "official", "official", 10, "car"),
    "police": Segment(
        0, {"K33": 0.7, "K39": 0.3}, {"H": 1}, {"A": 1}, "police", "police", 8, "car",
        plate_kind="police", plate_type="23", green_plates=False),
    "sanitation": Segment(
        0, {"Z11": 0.15, "Z21": 0.25, "H32": 0.3, "H31": 0.3}, {"A": 1},
        {"B": 0.8, "A": 0.2}, "sanitation", "sanitation", 10, "truck"),
    "postal": Segment(
        0, {"H32": 0.6, "H31": 0.2, "K39": 0.2}, {"F": 0.5, "A": 0.5}, {"A": 0.5, "B": 0.5},
        "postal", "postal", 10, "truck"),
}
# fmt: on
