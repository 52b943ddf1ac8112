"""The code location loads and wires every subject's assets, the resource and the schedule."""

from __future__ import annotations

import dagster as dg

from pipelines.definitions import defs


def test_definitions_load():
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    for expected in (
        "reference/fuel",
        "reference/targets",
        "raw/registrations",
        "raw/bus_fleet",
        "raw/taxi_fleet",
        "raw/survey_trips",
        "published/green_transport",
    ):
        assert expected in keys


def test_publication_depends_on_every_other_asset():
    graph = defs.resolve_asset_graph()
    publish = dg.AssetKey(["published", "green_transport"])
    upstream = graph.get(publish).parent_keys
    others = set(graph.get_all_asset_keys()) - {publish}
    assert others <= set(upstream) | _ancestors(graph, upstream)


def _ancestors(graph, keys) -> set:
    seen, stack = set(), list(keys)
    while stack:
        key = stack.pop()
        for parent in graph.get(key).parent_keys:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def test_nightly_schedule_runs_at_two_in_shanghai():
    schedule = defs.resolve_schedule_def("nightly_0200_asia_shanghai")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Asia/Shanghai"


def test_warehouse_resource_is_duckdb():
    assert "duckdb" in defs.resources


def test_every_asset_has_a_description():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        assert graph.get(key).description, f"{key.to_user_string()} has no description"
