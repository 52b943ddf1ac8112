"""Published Taicang facts and the generator's assumptions, as named constants.

Facts are what the demo data must reproduce at scale 1; assumptions fill the gaps where
nothing is published. Trajectory parameters below are *behaviour* (hazards, purchase
probabilities, mode-choice constants): the indicator values come out of the simulation and
are never written here. `data_raw/README.md` lists every entry with what the files yield.
"""

from __future__ import annotations

from datetime import date

# --- Published facts (project brief: Taicang 2020 public-transport figures; 2020 census) ---
BUS_ROUTES_2020 = 80  # bus routes operated in 2020
BUS_KM_PER_WEEKDAY_2020 = 48_200  # scheduled bus-km on a weekday, 2020
BUSES_2020 = 326  # buses in service at the end of 2020
CLEAN_BUSES_2020 = 189  # of which new- or clean-energy (58%)
FLEET_FACT_DATE = date(2020, 12, 31)
CENSUS_2020_RESIDENTS = 831_113  # 7th national census, residents of the 8 towns

# --- Assumption: residents per town (no per-town split published; shares follow the towns'
# relative size: the urban core (城厢, 开发区) largest, 双凤/璜泾 smallest). Sums to the census.
TOWN_RESIDENTS_2020 = {
    "320585100": 175_000,  # 城厢镇
    "320585101": 105_000,  # 沙溪镇
    "320585102": 78_000,  # 浏河镇
    "320585103": 92_000,  # 浮桥镇
    "320585104": 62_000,  # 璜泾镇
    "320585105": 55_000,  # 双凤镇
    "320585400": 190_000,  # 经济开发区
    "320585403": 74_113,  # 科教新城
}
URBAN_TOWNS = ("320585100", "320585400", "320585403")  # taxi 经营区域 市区

# --- GTFS feed versions (publication dates) and the share of routes dropped/added each time.
GTFS_VERSIONS = (date(2020, 6, 15), date(2023, 3, 1), date(2025, 7, 1))
GTFS_ROUTES_DROPPED = 0.03
GTFS_ROUTES_ADDED = 0.08  # new routes run at the 2020 frequency; surviving ones keep theirs
CROSS_BORDER_ROUTE_SHARE = 0.04  # lines run by a Shanghai operator: in GTFS, not in the ledger
# Chinese public holidays on weekdays (weekday service replaced by weekend service) and
# make-up working Saturdays/Sundays (weekday service), per the State Council calendars.
HOLIDAYS = (
    "2020-10-01 2020-10-02 2020-10-05 2020-10-06 2020-10-07 2020-10-08 2021-01-01 "
    "2021-02-11 2021-02-12 2021-02-15 2021-02-16 2021-02-17 2021-10-01 2021-10-04 "
    "2021-10-05 2021-10-06 2021-10-07 2023-04-05 2023-05-01 2023-05-02 2023-05-03 "
    "2023-10-02 2023-10-03 2023-10-04 2023-10-05 2023-10-06 2024-10-01 2024-10-02 "
    "2024-10-03 2024-10-04 2024-10-07 2025-10-01 2025-10-02 2025-10-03 2025-10-06 "
    "2025-10-07 2025-10-08"
).split()
MAKEUP_WORKDAYS = (
    "2020-09-27 2020-10-10 2021-02-07 2021-02-20 2021-09-26 2021-10-09 2023-04-23 "
    "2023-05-06 2023-10-07 2023-10-08 2024-09-29 2024-10-12 2025-09-28 2025-10-11"
).split()

# --- Bus fleet (assumptions around the 2020 facts) ---
# Composition of the 189 new/clean buses of 2020 by powertrain (Jiangsu county fleets of the
# time: BEV and plug-in hybrids bought 2015–2020 with subsidy, LNG/CNG/hybrids from 2012–2016).
BUS_CLEAN_MIX_2020 = {"BEV": 0.38, "PHEV": 0.24, "LNG": 0.21, "CNG": 0.05, "HEV": 0.12}
BUS_PURCHASE_YEARS_2020 = {  # in-service year range of each 2020 powertrain group
    "DIESEL": (2013, 2017),
    "LNG": (2012, 2016),
    "CNG": (2012, 2015),
    "HEV": (2013, 2017),
    "PHEV": (2015, 2018),
    "BEV": (2017, 2020),
}
BUS_RETIRED_BEFORE_2020 = 0.55  # buses scrapped 2012–2020, per bus in the 2020 fleet
BUS_LIFE_YEARS = (8.0, 10.5)  # city buses are scrapped after about 8–10 years
BUS_FLEET_GROWTH_PER_YEAR = 0.012  # buses bought beyond replacements, per 2020 bus
BUS_PURCHASE_MIX_AFTER_2020 = {"BEV": 0.93, "PHEV": 0.07}
BUS_OPERATOR_2_SHARE = 0.12  # buses of the town-feeder operator (routes S*)
BUS_STATUS_SHARES = {"运营": 0.91, "备用": 0.06, "停运": 0.03}  # at the ledger date
BUS_OPERATORS = ("太仓市公共交通有限公司", "太仓市城乡公交有限公司")

# --- Taxis (assumption: ~600 street-hail licences, 0.7 per 1,000 residents, 480 urban;
# ride-hailing cars registered with the bureau from 2017, ~1,900 by 2025) ---
TAXI_URBAN_LICENCES = 480
TAXI_TOWN_LICENCES = 120
TAXI_LIFE_YEARS = (6.0, 8.0)  # Jiangsu rule: street-hail taxis scrapped at 8 years at most
# Year tables below are step functions: the value of the latest listed year applies.
# fmt: off
TAXI_FIRST_FLEET_YEARS = {2009: 0.25, 2011: 0.15, 2013: 0.10, 2016: 0.20, 2017: 0.30}
# Probability that a replacement street-hail taxi is new-energy (policy push from 2019; many
# drivers kept choosing 油气两用 until urban charging improved).
TAXI_NEV_PROBABILITY = {2018: 0.03, 2019: 0.05, 2020: 0.08, 2021: 0.12, 2022: 0.20,
                        2023: 0.33, 2024: 0.52, 2025: 0.78}
TAXI_TOWN_NEV_FACTOR = 0.8  # town taxis electrify a little more slowly (fewer chargers)
RIDE_HAILING_ACTIVE = {2017: 150, 2018: 400, 2019: 700, 2020: 900, 2021: 1200, 2022: 1400,
                       2023: 1600, 2024: 1800, 2025: 1900}
RIDE_HAILING_NEV_PROBABILITY = {2017: 0.2, 2018: 0.3, 2019: 0.4, 2020: 0.55, 2021: 0.7,
                                2022: 0.8, 2023: 0.85, 2024: 0.9, 2025: 0.92}
# fmt: on

# --- Vehicle registrations (assumption: ~0.5 M records incl. deregistered at scale 1, of
# which ~0.31 M still registered: ~0.37 vehicles per resident, as in Jiangsu county cities) ---
REGISTRATION_RECORDS = 500_000
FIRST_REGISTRATION_YEAR = 1995
NEW_ENERGY_PLATES_FROM = date(2017, 12, 1)  # Suzhou issued green plates from late 2017
OTHER_PROVINCE_SHARE = 0.015  # vehicles of residents carrying 沪/浙/皖/鲁 plates
TRANSFER_OUT_PER_YEAR = 0.008  # hazard of a vehicle being sold out of the city
PHEV_SHARE_OF_NEV_CARS = 0.35  # plug-in hybrids among new-energy cars (fuel AC)
# fmt: off
# Relative new registrations per year 1995–2025 (growth to ~2012, then a plateau).
NEW_REGISTRATIONS_BY_YEAR = (3, 3.5, 4, 4.5, 5, 6, 7.5, 9.5, 12, 14, 15, 17, 19, 21, 25, 28,
                             29, 30, 31, 32, 32, 33, 33, 32, 31, 29, 31, 30, 31, 32, 32.5)
# New-energy share of new vehicles by year: private cars follow the national retail trend
# (Jiangsu slightly below), city logistics vans electrify next, heavy vehicles barely.
NEV_SHARE = {
    "car": {2014: 0.002, 2015: 0.005, 2016: 0.01, 2017: 0.02, 2018: 0.04, 2019: 0.05,
            2020: 0.07, 2021: 0.15, 2022: 0.26, 2023: 0.34, 2024: 0.45, 2025: 0.52},
    "light_truck": {2018: 0.02, 2020: 0.05, 2021: 0.08, 2022: 0.12, 2023: 0.2, 2024: 0.28,
                    2025: 0.35},
    "heavy": {2020: 0.005, 2022: 0.02, 2023: 0.05, 2024: 0.1, 2025: 0.15},
    "motorcycle": {2016: 0.03, 2018: 0.08, 2021: 0.2, 2024: 0.35},
}
# Official / police / sanitation / postal vehicles first registered per year (scale 1) and the
# probability that a new one is electric (procurement rules tightened from 2020).
PUBLIC_UNIT_VEHICLES_PER_YEAR = {"official": 40, "police": 8, "sanitation": 30, "postal": 20}
PUBLIC_UNIT_EV_PROBABILITY = {
    "official": {2015: 0.05, 2017: 0.15, 2019: 0.3, 2020: 0.4, 2021: 0.5, 2022: 0.62,
                 2023: 0.72, 2024: 0.8, 2025: 0.9},
    "police": {2017: 0.05, 2019: 0.15, 2020: 0.2, 2021: 0.3, 2022: 0.35, 2023: 0.45,
               2024: 0.5, 2025: 0.6},
    "sanitation": {2017: 0.05, 2019: 0.15, 2020: 0.25, 2021: 0.35, 2022: 0.45, 2023: 0.55,
                   2024: 0.65, 2025: 0.8},
    "postal": {2017: 0.05, 2019: 0.2, 2020: 0.3, 2021: 0.45, 2022: 0.55, 2023: 0.65,
               2024: 0.78, 2025: 0.88},
}
# fmt: on

# --- Household travel survey (assumptions: a 0.75% household sample, ~6,000 households per
# wave, allocation proportional to the square root of town size to over-sample small towns;
# both waves expand to the 2020 census, the only published population) ---
SURVEY_WAVES = (2019, 2024)
SURVEY_HOUSEHOLDS = 6_000
CARS_PER_HOUSEHOLD = {2019: 0.80, 2024: 0.95}
EBIKES_PER_HOUSEHOLD = {2019: 1.25, 2024: 1.30}
# Mode-choice constants per wave, in the order walk, bicycle, e-bike, bus, taxi, ride-hailing,
# car driver, car passenger, motorcycle, employer/school bus, other (rail has no service).
# Tuned once so that the simulated weighted shares sit near the local narrative (transit ~3.5%
# → ~5%, green ~55% → ~60%); the shares in the files come from the simulation.
MODE_CONSTANTS = {
    2019: (2.0, -1.33, 0.17, -3.72, -4.67, -4.95, -0.9, -2.46, -2.71, -3.29, -3.47),
    2024: (2.0, -0.91, 0.37, -3.31, -4.83, -4.01, -1.16, -2.68, -3.34, -3.22, -4.38),
}
