"""One clock for the customer 360: timestamps and "today" as calendar dates in one timezone.

Odoo stores timestamps as naive UTC. A date taken from a timestamp and "today"
must come from the same timezone, or every figure is a day out for the hour(s)
between UTC midnight and local midnight (00:00-01:00 in British Summer Time).
Callers pass "now" explicitly, so tests freeze the clock without sleeping.
"""
import datetime

import pytz


def check_timezone(tz_name):
    """``tz_name`` if it is a known IANA timezone (usable in PostgreSQL's AT TIME ZONE too), else 'UTC'."""
    return tz_name if tz_name in pytz.all_timezones_set else "UTC"


def local_date(moment, tz_name):
    """The calendar date in ``tz_name`` of ``moment``, a naive UTC datetime as Odoo stores it."""
    return pytz.utc.localize(moment).astimezone(pytz.timezone(check_timezone(tz_name))).date()


def parse_utc(text):
    """A naive UTC datetime from Odoo's 'YYYY-MM-DD HH:MM:SS' (a datetime is returned as it is)."""
    if isinstance(text, datetime.datetime):
        return text.replace(tzinfo=None) if text.tzinfo is None else \
            text.astimezone(pytz.utc).replace(tzinfo=None)
    return datetime.datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S")


def local_date_sql(column, tz_param):
    """SQL: the calendar date in the timezone ``tz_param`` (an SQL parameter) of ``column`` (naive UTC)."""
    return "((%s AT TIME ZONE 'UTC') AT TIME ZONE %s)::date" % (column, tz_param)
