"""The 360's clock and financial years (plain Python, frozen clocks passed in)."""
import datetime

import pytest

from odoo.addons.ecrm_core.customer360 import clock, fiscal, rfm

LONDON = "Europe/London"


@pytest.mark.parametrize("utc, expected", [
    # British Summer Time (UTC+1): 23:30 UTC is already tomorrow in London
    ("2026-07-14 22:59:59", datetime.date(2026, 7, 14)),
    ("2026-07-14 23:00:00", datetime.date(2026, 7, 15)),
    ("2026-07-14 23:30:00", datetime.date(2026, 7, 15)),
    # Greenwich Mean Time (UTC+0): midnight is midnight
    ("2026-01-14 23:59:59", datetime.date(2026, 1, 14)),
    ("2026-01-15 00:00:00", datetime.date(2026, 1, 15)),
    ("2026-01-15 00:30:00", datetime.date(2026, 1, 15)),
])
def test_local_dates_either_side_of_midnight_in_bst_and_gmt(utc, expected):
    assert clock.local_date(clock.parse_utc(utc), LONDON) == expected


def test_unknown_timezones_fall_back_to_utc():
    assert clock.check_timezone("Mars/Olympus") == "UTC"
    assert clock.check_timezone(LONDON) == LONDON
    assert clock.local_date(datetime.datetime(2026, 7, 14, 23, 30), "nowhere") == datetime.date(2026, 7, 14)


@pytest.mark.parametrize("order_utc, now_utc, days", [
    ("2026-07-14 23:30:00", "2026-07-15 00:15:00", 0),   # BST: both on 15 July in London
    ("2026-07-14 22:30:00", "2026-07-14 23:15:00", 1),   # BST: 14 July order, now 15 July
    ("2026-01-14 23:30:00", "2026-01-15 00:15:00", 1),   # GMT: midnight between them
    ("2026-01-15 00:05:00", "2026-01-15 00:15:00", 0),
])
def test_days_since_last_order_counts_local_days(order_utc, now_utc, days):
    order_day = clock.local_date(clock.parse_utc(order_utc), LONDON)
    today = clock.local_date(clock.parse_utc(now_utc), LONDON)
    figures = rfm.score_customers([(1, 1, 10.0, order_day, order_day)], today)
    assert figures[1]["days_since_last_order"] == days


@pytest.mark.parametrize("day, last_month, last_day, expected", [
    (datetime.date(2014, 3, 31), 3, 31, (datetime.date(2013, 4, 1), datetime.date(2014, 3, 31), "2013/14")),
    (datetime.date(2014, 4, 1), 3, 31, (datetime.date(2014, 4, 1), datetime.date(2015, 3, 31), "2014/15")),
    (datetime.date(2014, 4, 5), 4, 5, (datetime.date(2013, 4, 6), datetime.date(2014, 4, 5), "2013/14")),
    (datetime.date(2014, 6, 1), 12, 31, (datetime.date(2014, 1, 1), datetime.date(2014, 12, 31), "2014")),
    # a year to 28 February takes in the 29th of a leap year: no day falls between two years
    (datetime.date(2016, 2, 29), 2, 28, (datetime.date(2015, 3, 1), datetime.date(2016, 2, 29), "2015/16")),
])
def test_financial_years_from_the_accounting_year_end(day, last_month, last_day, expected):
    assert fiscal.financial_year_of(day, last_month, last_day) == expected


def test_financial_years_tile_the_calendar_without_gaps():
    years = fiscal.financial_years(2010, 2020, 3, 31)
    assert years[0][0] <= datetime.date(2010, 1, 1) and years[-1][1] >= datetime.date(2020, 12, 31)
    for previous, following in zip(years, years[1:]):
        assert following[0] == previous[1] + datetime.timedelta(days=1)
    assert fiscal.year_start_of_year_end(3, 31) == (4, 1)
    assert fiscal.year_start_of_year_end(12, 31) == (1, 1)
    with pytest.raises(ValueError):
        fiscal.check_year_end(4, 31)
    fiscal.check_year_end(2, 29)
