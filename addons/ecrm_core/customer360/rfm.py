"""Recency / frequency / monetary scoring by quintile, and the segment each score lands in."""

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


def score_customers(rows, today, horizon_years=3.0):
    """Score customers from one aggregate row each.

    ``rows``: iterable of (partner_id, order_count, revenue, first_order_date, last_order_date)
    with dates as datetime.date. Returns {partner_id: dict of 360 figures}.
    """
    rows = list(rows)
    recency = quintile_scores([-(today - row[4]).days for row in rows])
    frequency = quintile_scores([row[1] for row in rows])
    monetary = quintile_scores([row[2] for row in rows])
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
