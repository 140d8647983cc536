"""Frequency cap and step eligibility on plain data."""
import datetime

from odoo.addons.ecrm_marketing.campaign_maths import contact_rules as rules

NOW = datetime.datetime(2026, 11, 22, 10, 0)


def days_ago(days):
    return NOW - datetime.timedelta(days=days)


def test_cap_counts_only_contacts_inside_the_rolling_window():
    dates = [days_ago(1), days_ago(6), days_ago(8)]  # the 8-day-old one is outside a 7-day window
    assert not rules.over_frequency_cap(dates, NOW, max_contacts=3, window_days=7)
    assert rules.over_frequency_cap(dates, NOW, max_contacts=2, window_days=7)
    assert rules.over_frequency_cap(dates, NOW, max_contacts=3, window_days=30)


def test_cap_of_zero_means_no_cap():
    assert not rules.over_frequency_cap([days_ago(0)] * 50, NOW, max_contacts=0, window_days=7)


def test_capped_partners_across_programs():
    contacts = {1: [days_ago(1), days_ago(2)], 2: [days_ago(1)], 3: []}
    assert rules.capped_partners(contacts, NOW, max_contacts=2, window_days=7) == {1}


def test_delay_and_engagement_conditions():
    sent = days_ago(3)
    assert rules.delay_elapsed(sent, NOW, 3) and not rules.delay_elapsed(sent, NOW, 4)
    assert not rules.delay_elapsed(None, NOW, 0)
    assert rules.engagement_matches("opened", True, False, False, sent, NOW, 2)
    assert not rules.engagement_matches("clicked", True, False, False, sent, NOW, 2)
    assert rules.engagement_matches("replied", False, False, True, sent, NOW, 2)
    # not opened is only decided after the wait
    assert rules.engagement_matches("not_opened", False, False, False, sent, NOW, 2)
    assert not rules.engagement_matches("not_opened", False, False, False, sent, NOW, 5)
    assert not rules.engagement_matches("not_opened", True, False, False, sent, NOW, 2)


def test_anniversary_and_leap_day():
    assert rules.is_anniversary(datetime.date(2019, 11, 22), NOW.date())
    assert not rules.is_anniversary(datetime.date(2026, 11, 22), NOW.date())  # that is today, not an anniversary
    assert not rules.is_anniversary(datetime.date(2019, 11, 21), NOW.date())
    assert rules.is_anniversary(datetime.date(2020, 2, 29), datetime.date(2027, 2, 28))
    assert not rules.is_anniversary(datetime.date(2020, 2, 29), datetime.date(2028, 2, 28))
    assert rules.is_anniversary(datetime.date(2020, 2, 29), datetime.date(2028, 2, 29))
    assert not rules.is_anniversary(None, NOW.date())


def test_dormancy():
    assert rules.is_dormant(200, 180) and rules.is_dormant(180, 180)
    assert not rules.is_dormant(179, 180) and not rules.is_dormant(None, 180)


def test_anniversary_days_match_is_anniversary():
    for today in (datetime.date(2026, 11, 22), datetime.date(2027, 2, 28), datetime.date(2028, 2, 28),
                  datetime.date(2028, 2, 29), datetime.date(2027, 3, 1)):
        for born in (datetime.date(2020, 2, 29), datetime.date(2019, 2, 28), datetime.date(2019, 11, 22),
                     datetime.date(2019, 3, 1)):
            assert (born.strftime("%m-%d") in rules.anniversary_days(today)) == rules.is_anniversary(born, today)
    assert rules.anniversary_days(datetime.date(2027, 2, 28)) == ["02-28", "02-29"]
    assert rules.anniversary_days(datetime.date(2028, 2, 28)) == ["02-28"]


def test_anniversary_occurs_once_a_year():
    assert rules.anniversary_occurrence(datetime.date(2026, 11, 22)) == 2026
    assert rules.anniversary_occurrence(datetime.date(2027, 11, 22)) == 2027
