"""The nightly schedule's time: 02:00 Asia/Shanghai unless GREENTRACK_SCHEDULE_CRON names
another (a test's every-minute tick), and every tick's run is tagged trigger=schedule."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest

from pipelines import schedules
from pipelines.instance import TRIGGER_TAG


def test_the_default_is_two_oclock(monkeypatch):
    monkeypatch.delenv(schedules.CRON_ENV, raising=False)
    assert schedules.schedule_cron() == "0 2 * * *"
    monkeypatch.setenv(schedules.CRON_ENV, "  ")
    assert schedules.schedule_cron() == "0 2 * * *"


def test_the_environment_names_another_time(monkeypatch):
    monkeypatch.setenv(schedules.CRON_ENV, "* * * * *")
    assert schedules.schedule_cron() == "* * * * *"
    monkeypatch.setenv(schedules.CRON_ENV, "30 5 * * 1-5")
    assert schedules.schedule_cron() == "30 5 * * 1-5"


@pytest.mark.parametrize("bad", ["every minute", "* * * *", "0 2 * * * *", "61 2 * * *"])
def test_a_string_dagster_refuses_keeps_two_oclock(monkeypatch, bad):
    monkeypatch.setenv(schedules.CRON_ENV, bad)
    with pytest.warns(UserWarning, match=schedules.CRON_ENV):
        assert schedules.schedule_cron() == "0 2 * * *"


def test_a_tick_requests_the_nightly_job_tagged_schedule():
    schedule = schedules.nightly_schedule
    assert schedule.execution_timezone == "Asia/Shanghai"
    # 02:00 in Shanghai is 18:00 UTC the day before
    when = dt.datetime(2026, 3, 1, 18, 0, tzinfo=dt.UTC)
    with dg.build_schedule_context(scheduled_execution_time=when) as context:
        result = schedule.evaluate_tick(context)
    [request] = result.run_requests
    assert request.tags[TRIGGER_TAG] == "schedule"
    assert schedule.job_name == "nightly_refresh"
