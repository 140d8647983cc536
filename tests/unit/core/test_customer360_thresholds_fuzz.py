"""Cached RFM cut points against the full ranking: on the population they were taken from,
``score_against(thresholds_from(values), v)`` must give every value its ``quintile_scores`` score,
in both directions, with ties, one customer or thousands; and a value between two population
values never scores outside theirs.
"""
import datetime

import pytest
from hypothesis import given, strategies as st

from odoo.addons.ecrm_core.customer360 import rfm

pytestmark = pytest.mark.fuzz

TODAY = datetime.date(2026, 11, 22)
# few distinct values make long tie blocks, the case that decides where a quintile starts
VALUES = st.one_of(st.lists(st.integers(0, 6), min_size=1, max_size=60),
                   st.lists(st.integers(-10 ** 6, 10 ** 6), min_size=1, max_size=400),
                   st.lists(st.floats(0, 10 ** 7, allow_nan=False), min_size=1, max_size=200))


@given(VALUES, st.booleans())
def test_thresholds_agree_with_the_full_ranking_on_their_population(values, higher_is_better):
    thresholds = rfm.thresholds_from(values, higher_is_better)
    assert [rfm.score_against(thresholds, value) for value in values] == \
        rfm.quintile_scores(values, higher_is_better)


@given(VALUES, st.floats(-2 * 10 ** 7, 2 * 10 ** 7, allow_nan=False))
def test_an_unseen_value_scores_within_its_neighbours(values, value):
    thresholds = rfm.thresholds_from(values)
    score = rfm.score_against(thresholds, value)
    by_value = dict(zip(values, rfm.quintile_scores(values)))
    below = [v for v in by_value if v <= value]
    above = [v for v in by_value if v >= value]
    assert score == (by_value[max(below)] if below else 1)
    if above:
        assert score <= by_value[min(above)]


ROWS = st.lists(st.tuples(st.integers(1, 40), st.floats(0, 10 ** 5, allow_nan=False).map(lambda x: round(x, 2)),
                          st.integers(0, 1500), st.integers(0, 1500)), min_size=1, max_size=80)


@given(ROWS)
def test_customers_scored_against_their_own_thresholds_get_the_full_ranking_figures(raw):
    rows = [(pid, count, revenue, TODAY - datetime.timedelta(days=max(a, b)),
             TODAY - datetime.timedelta(days=min(a, b))) for pid, (count, revenue, a, b) in enumerate(raw)]
    thresholds = rfm.rfm_thresholds(rows)
    assert rfm.score_customers(rows, TODAY, thresholds=thresholds) == rfm.score_customers(rows, TODAY)
    # one customer alone, as an order confirmation scores them
    assert rfm.score_customers(rows[:1], TODAY, thresholds=thresholds) == \
        {rows[0][0]: rfm.score_customers(rows, TODAY)[rows[0][0]]}


def test_cut_points_by_hand():
    assert rfm.thresholds_from(list(range(10))) == rfm.Thresholds((2, 4, 6, 8), True)
    # all equal: nobody passes the first quintile, every level stays open
    assert rfm.thresholds_from([5, 5, 5]) == rfm.Thresholds((None, None, None, None), True)
    assert rfm.score_against(rfm.thresholds_from([5, 5, 5]), 99) == 1
    # a skipped level shares its cut point with the next: 1 then straight to 3
    assert rfm.thresholds_from([1] * 5 + [2] * 5) == rfm.Thresholds((2, 2, None, None), True)
    assert rfm.score_against(rfm.thresholds_from([3, 1, 2], higher_is_better=False), 1) == 5
