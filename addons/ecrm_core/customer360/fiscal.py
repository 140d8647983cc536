"""UK-style financial year labels ("2013/14") from a configurable year start."""
import datetime


def financial_year_start(day, start_month=4, start_day=1):
    start = datetime.date(day.year, start_month, start_day)
    return start if day >= start else datetime.date(day.year - 1, start_month, start_day)


def financial_year_label(day, start_month=4, start_day=1):
    """2014-03-31 -> '2013/14' and 2014-04-01 -> '2014/15' for an April 1st start.

    A year starting on 1 January is a calendar year and is labelled '2014'.
    """
    start = financial_year_start(day, start_month, start_day)
    if (start_month, start_day) == (1, 1):
        return str(start.year)
    return "%d/%02d" % (start.year, (start.year + 1) % 100)
