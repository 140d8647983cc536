import datetime

import pytest

from odoo.addons.ecrm_core.customer360 import fiscal, rfm

TODAY = datetime.date(2026, 11, 22)


def test_quintiles_spread_one_to_five_and_ties_share_a_score():
    assert rfm.quintile_scores(list(range(10))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert rfm.quintile_scores([5, 5, 5, 5]) == [1, 1, 1, 1]
    tied = rfm.quintile_scores([1, 2, 2, 2, 2, 2, 3, 4, 5, 6])
    assert len(set(tied[1:6])) == 1
    assert rfm.quintile_scores([3, 1, 2], higher_is_better=False) == [2, 5, 4]
    assert rfm.quintile_scores([]) == []


@pytest.mark.parametrize("scores, days_first, expected", [
    ((5, 5, 5), 800, "champion"),
    ((3, 4, 2), 800, "loyal"),
    ((2, 4, 4), 800, "at_risk"),
    ((1, 1, 1), 800, "dormant"),
    ((5, 1, 1), 30, "new"),
    ((4, 1, 2), 400, "occasional"),
])
def test_segments(scores, days_first, expected):
    assert rfm.segment(*scores, days_since_first_order=days_first) == expected


def test_lifetime_value_annualises_but_never_inflates_a_first_year():
    first = TODAY - datetime.timedelta(days=730)
    # 4 orders of 250 over two years -> 2 orders/year x 250 x 3 years
    assert rfm.lifetime_value(1000.0, 4, first, TODAY, 3.0) == pytest.approx(1500.0, rel=0.01)
    # one 100 order last week counts as one order a year, not fifty
    assert rfm.lifetime_value(100.0, 1, TODAY - datetime.timedelta(days=7), TODAY, 3.0) == 300.0
    assert rfm.lifetime_value(0.0, 0, None, TODAY) == 0.0


def test_score_customers_ranks_everyone_and_labels_each():
    rows = [(pid, pid, pid * 100.0, TODAY - datetime.timedelta(days=900), TODAY - datetime.timedelta(days=pid * 30))
            for pid in range(1, 11)]
    figures = rfm.score_customers(rows, TODAY)
    assert figures[1]["recency_score"] == 5 and figures[10]["recency_score"] == 1
    assert figures[10]["frequency_score"] == 5 and figures[10]["monetary_score"] == 5
    assert figures[10]["avg_order_value"] == 100.0
    assert figures[4]["days_since_last_order"] == 120
    assert {f["rfm_segment"] for f in figures.values()} <= set(rfm.SEGMENTS)


@pytest.mark.parametrize("day, month, start_day, expected", [
    (datetime.date(2014, 3, 31), 4, 1, "2013/14"),
    (datetime.date(2014, 4, 1), 4, 1, "2014/15"),
    (datetime.date(2014, 4, 5), 4, 6, "2013/14"),
    (datetime.date(1999, 12, 31), 4, 1, "1999/00"),
    (datetime.date(2014, 6, 1), 1, 1, "2014"),
])
def test_financial_year_labels(day, month, start_day, expected):
    assert fiscal.financial_year_label(day, month, start_day) == expected


def test_array_literals_quote_what_needs_quoting():
    from odoo.addons.ecrm_core.customer360.sql_arrays import array_literal
    assert array_literal([1, None, 2.5, True]) == "{1,NULL,2.5,t}"
    assert array_literal(['say "hi"', "back\\slash", "a,b", datetime.date(2026, 1, 2)]) == \
        '{"say \\"hi\\"","back\\\\slash","a,b","2026-01-02"}'
