"""Who may be contacted now: the frequency cap and step eligibility on plain data.

Dates are ``datetime.datetime`` (or ``date``) values; the caller converts Odoo strings.
"""
import datetime

TRIGGERS = ("start", "delay", "opened", "clicked", "not_opened", "replied", "anniversary", "dormancy",
            "interaction")


def over_frequency_cap(contact_dates, now, max_contacts, window_days):
    """True when one more contact would exceed ``max_contacts`` within the rolling window.

    ``contact_dates``: when the partner was last contacted by marketing, across all
    programs. A cap of 0 means "no cap".
    """
    if not max_contacts:
        return False
    window_start = now - datetime.timedelta(days=window_days)
    recent = sum(1 for date in contact_dates if window_start < date <= now)
    return recent >= max_contacts


def capped_partners(contacts_by_partner, now, max_contacts, window_days):
    """The partner ids among ``contacts_by_partner`` ({id: [dates]}) that the cap holds back."""
    return {partner for partner, dates in contacts_by_partner.items()
            if over_frequency_cap(dates, now, max_contacts, window_days)}


def delay_elapsed(previous_step_date, now, delay_days):
    """A delay step is due once ``delay_days`` have passed since the previous step."""
    return previous_step_date is not None and now >= previous_step_date + datetime.timedelta(days=delay_days)


def engagement_matches(trigger, opened, clicked, replied, previous_step_date, now, wait_days):
    """Whether a condition on the previous e-mail holds for one participant.

    "not opened" is only decided once ``wait_days`` have passed; before that the
    participant may still open it, so it is not yet due.
    """
    if trigger == "opened":
        return bool(opened)
    if trigger == "clicked":
        return bool(clicked)
    if trigger == "replied":
        return bool(replied)
    if trigger == "not_opened":
        return not opened and delay_elapsed(previous_step_date, now, wait_days)
    raise ValueError("%r is not an engagement trigger" % trigger)


def is_anniversary(date_value, today):
    """Same day and month (29 February is celebrated on 28 February in common years)."""
    if date_value is None:
        return False
    if date_value.year >= today.year:
        return False
    if (date_value.month, date_value.day) == (2, 29) and not _is_leap(today.year):
        return (today.month, today.day) == (2, 28)
    return (date_value.month, date_value.day) == (today.month, today.day)


def anniversary_days(today):
    """The "MM-DD" dates whose anniversary falls on ``today``.

    29 February is celebrated on 28 February in common years, so that day has two.
    """
    days = [today.strftime("%m-%d")]
    if (today.month, today.day) == (2, 28) and not _is_leap(today.year):
        days.append("02-29")
    return days


def anniversary_occurrence(today):
    """Which yearly occurrence an anniversary step is taking: a customer gets it once a year."""
    return today.year


def _is_leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def is_dormant(days_since_last_order, dormancy_days):
    """A customer who has ordered before but not for ``dormancy_days`` or more."""
    return days_since_last_order is not None and days_since_last_order >= dormancy_days
