"""Recency / frequency / monetary scoring by quintile, and the segment each score lands in.

Two ways to score: ``quintile_scores`` ranks a whole population (the nightly job);
``score_against`` scores one customer against the cut points ``thresholds_from`` took
from that population, so an order confirmation never has to rank everyone again.
On the population the thresholds came from, both give the same scores.
"""
import bisect
from collections import namedtuple

# "occasional" is the sixth label: recent buyers with few, small orders are
# neither loyal nor at risk, and calling them either would mislead a campaign.
SEGMENTS = ("champion", "loyal", "new", "occasional", "at_risk", "dormant")
NEW_CUSTOMER_DAYS = 90


def quintile_scores(values, higher_is_better=True):
    """Score each value 1-5 by its quintile among ``values`` (ties share a score).

    Returns a list aligned with ``values``. Equal values always get the same
    score, so a block of identical figures never straddles two quintiles.
    """
    count = len(values)
    if not count:
        return []
    order = sorted(range(count), key=lambda i: values[i])
    scores = [0] * count
    rank = 0
    while rank < count:
        tied_end = rank
        while tied_end + 1 < count and values[order[tied_end + 1]] == values[order[rank]]:
            tied_end += 1
        # the quintile of the tie block's first rank, so ties never split
        score = 1 + (rank * 5) // count
        for position in range(rank, tied_end + 1):
            scores[order[position]] = score if higher_is_better else 6 - score
        rank = tied_end + 1
    return scores


class Thresholds(namedtuple("Thresholds", "cuts higher_is_better")):
    """Quintile cut points of one figure: ``cuts[s - 2]`` is the lowest value scoring at
    least ``s`` (2-5) on the 1-5 scale read in the ranking direction, None when no value of
    the population got that far (ties). With ``higher_is_better`` False the score is 6 minus it.
    """
    __slots__ = ()


RfmThresholds = namedtuple("RfmThresholds", "recency frequency monetary")


def thresholds_from(values, higher_is_better=True):
    """The ``Thresholds`` that give every one of ``values`` its ``quintile_scores`` score."""
    count = len(values)
    ordered = sorted(values)
    cuts = [None] * 4
    rank = 0
    while rank < count:
        # a tie block starts where the value changes; its score is that of its first rank
        score = 1 + (rank * 5) // count
        for level in range(2, score + 1):
            if cuts[level - 2] is None:
                cuts[level - 2] = ordered[rank]
        tied_end = rank
        while tied_end + 1 < count and ordered[tied_end + 1] == ordered[rank]:
            tied_end += 1
        rank = tied_end + 1
    return Thresholds(tuple(cuts), higher_is_better)


def score_against(thresholds, value):
    """The 1-5 score of ``value`` against cut points taken from a population.

    A value the population did not hold scores like the nearest population value below it.
    """
    reached = [cut for cut in thresholds.cuts if cut is not None]
    score = 1 + bisect.bisect_right(reached, value)
    return score if thresholds.higher_is_better else 6 - score


def segment(recency, frequency, monetary, days_since_first_order):
    """The RFM segment label of one customer's scores (1-5 each)."""
    if days_since_first_order is not None and days_since_first_order <= NEW_CUSTOMER_DAYS and frequency <= 2:
        return "new"
    if recency >= 4 and frequency >= 4:
        return "champion"
    if recency >= 3 and (frequency >= 3 or monetary >= 4):
        return "loyal"
    if recency <= 2 and (frequency >= 3 or monetary >= 3):
        return "at_risk"
    return "dormant" if recency <= 2 else "occasional"


def lifetime_value(revenue, order_count, first_order, today, horizon_years=3.0):
    """Expected value over ``horizon_years``: average order value x orders per year x horizon.

    Tenure under a year counts as a year, so one early order is not annualised
    into an absurd rate.
    """
    if not order_count:
        return 0.0
    tenure_years = max((today - first_order).days / 365.25, 1.0)
    orders_per_year = order_count / tenure_years
    return round(revenue / order_count * orders_per_year * horizon_years, 2)


def _rfm_values(rows):
    """(recency, frequency, monetary) value lists of aggregate rows. Recency is the last order's
    day number: it ranks like "days since last order" reversed, and a customer's value stays
    put from one day to the next, so last night's cut points still hold this afternoon."""
    return ([row[4].toordinal() for row in rows], [row[1] for row in rows], [row[2] for row in rows])


def rfm_thresholds(rows):
    """The ``RfmThresholds`` of a whole population of aggregate rows (see ``score_customers``)."""
    return RfmThresholds(*(thresholds_from(values) for values in _rfm_values(list(rows))))


def score_customers(rows, today, horizon_years=3.0, thresholds=None):
    """Score customers from one aggregate row each.

    ``rows``: iterable of (partner_id, order_count, revenue, first_order_date, last_order_date)
    with dates as datetime.date. Without ``thresholds`` the rows are the population and are
    ranked among themselves; with ``RfmThresholds`` each row is scored against them alone.
    Returns {partner_id: dict of 360 figures}.
    """
    rows = list(rows)
    values = _rfm_values(rows)
    if thresholds is None:
        recency, frequency, monetary = (quintile_scores(column) for column in values)
    else:
        recency, frequency, monetary = ([score_against(cut, value) for value in column]
                                        for cut, column in zip(thresholds, values))
    figures = {}
    for row, r_score, f_score, m_score in zip(rows, recency, frequency, monetary):
        partner_id, count, revenue, first, last = row
        figures[partner_id] = {
            "order_count": count,
            "revenue": round(revenue, 2),
            "avg_order_value": round(revenue / count, 2) if count else 0.0,
            "first_order_date": first,
            "last_order_date": last,
            "days_since_last_order": (today - last).days,
            "recency_score": r_score,
            "frequency_score": f_score,
            "monetary_score": m_score,
            "rfm_segment": segment(r_score, f_score, m_score, (today - first).days),
            "lifetime_value": lifetime_value(revenue, count, first, today, horizon_years),
        }
    return figures
