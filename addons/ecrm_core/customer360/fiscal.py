"""Financial years ("2013/14") from the company's year end, as the host's accounting sets it.

The one definition: ``res.company.fiscalyear_last_month`` / ``fiscalyear_last_day``
(the ``account`` add-on), read here as plain numbers. sale.report's SQL takes its
year boundaries from ``financial_years`` below, so report and Python never differ.
"""
import calendar
import datetime


def _clamped(year, month, day):
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def check_year_end(last_month, last_day):
    """Raise ValueError unless (last_month, last_day) is a day of the calendar (29 Feb allowed)."""
    if not (1 <= int(last_month) <= 12) or not (1 <= int(last_day) <= calendar.monthrange(2000, int(last_month))[1]):
        raise ValueError("The financial year must end on a day of the calendar (month 1-12, day 1-28/29/30/31).")


def year_start_of_year_end(last_month, last_day):
    """(start month, start day) of a year ending on (last_month, last_day): 31 March -> (4, 1)."""
    start = _clamped(2001, int(last_month), int(last_day)) + datetime.timedelta(days=1)
    return start.month, start.day


def financial_year_start(day, start_month=4, start_day=1):
    start = _clamped(day.year, start_month, start_day)
    return start if day >= start else _clamped(day.year - 1, start_month, start_day)


def financial_year_label(day, start_month=4, start_day=1):
    """2014-03-31 -> '2013/14' and 2014-04-01 -> '2014/15' for an April 1st start.

    A year starting on 1 January is a calendar year and is labelled '2014'.
    """
    start = financial_year_start(day, start_month, start_day)
    if (start_month, start_day) == (1, 1):
        return str(start.year)
    return "%d/%02d" % (start.year, (start.year + 1) % 100)


def financial_year_of(day, last_month=12, last_day=31):
    """(first day, last day, label) of the financial year of ``day``, for a year ending (last_month, last_day)."""
    start_month, start_day = year_start_of_year_end(last_month, last_day)
    start = financial_year_start(day, start_month, start_day)
    following = financial_year_start(_clamped(start.year + 1, start_month, start_day), start_month, start_day)
    return start, following - datetime.timedelta(days=1), financial_year_label(day, start_month, start_day)


def financial_years(first_year, last_year, last_month=12, last_day=31):
    """[(first day, last day, label)] of the consecutive financial years covering first_year..last_year."""
    years = []
    day = datetime.date(first_year, 1, 1)
    end = datetime.date(last_year, 12, 31)
    while day <= end:
        years.append(financial_year_of(day, last_month, last_day))
        day = years[-1][1] + datetime.timedelta(days=1)
    return years
