"""Return on investment of a marketing campaign: the forecast before launch and the actuals after.

Rates and percentages are given as percentages (12.5 means 12.5 %), as users type them.
A ratio with nothing to divide by is ``None`` ("not meaningful"), never 0 or infinity.
"""
from collections import namedtuple

REVENUE_BASES = ("confirmed", "invoiced", "paid")

Forecast = namedtuple("Forecast", "responses conversions revenue margin roi_percent")


def _ratio(numerator, denominator):
    return None if not denominator else numerator / denominator


def roi_percent(return_amount, cost):
    """(return - cost) / cost, as a percentage; None when nothing was spent."""
    ratio = _ratio(return_amount - cost, cost)
    return None if ratio is None else ratio * 100.0


def forecast(segment_size, response_rate, conversion_rate, avg_order_value, margin_percent, cost):
    """Expected responses, orders, revenue, margin and ROI of a campaign before it runs.

    The ROI is on margin, not on revenue: a campaign pays for itself when the
    margin it brings in covers its cost.
    """
    for name, value in (("segment size", segment_size), ("response rate", response_rate),
                        ("conversion rate", conversion_rate), ("average order value", avg_order_value),
                        ("cost", cost)):
        if value < 0:
            raise ValueError("%s cannot be negative" % name)
    if not 0 <= margin_percent <= 100:
        raise ValueError("margin %% must be between 0 and 100, not %r" % margin_percent)
    responses = segment_size * response_rate / 100.0
    conversions = responses * conversion_rate / 100.0
    revenue = conversions * avg_order_value
    margin = revenue * margin_percent / 100.0
    return Forecast(responses, conversions, revenue, margin, roi_percent(margin, cost))


def sold_margin_percent(list_value, cost_value):
    """Gross margin % of what was sold: list value against cost value at the products' standard cost.

    None when nothing with a list price and a known cost was sold: the margin is not known.
    """
    if not list_value or list_value <= 0 or cost_value is None:
        return None
    return (list_value - cost_value) / list_value * 100.0


def forecast_margin_percent(category_margin, configured_margin):
    """The margin the forecast works on: the product category's where known, else the configured one.

    Returns (margin %, "category" or "configured").
    """
    if category_margin is None:
        return configured_margin, "configured"
    return min(max(category_margin, 0.0), 100.0), "category"


def attributed_revenue(basis, confirmed, invoiced, paid):
    """The revenue a campaign is credited with, by the basis its settings chose."""
    amounts = {"confirmed": confirmed, "invoiced": invoiced, "paid": paid}
    if basis not in amounts:
        raise ValueError("unknown revenue basis %r (expected one of %s)" % (basis, ", ".join(REVENUE_BASES)))
    return amounts[basis]


def actuals(cost, revenue, lead_count, won_customer_count):
    """Actual ROI %, cost per lead and cost per won customer."""
    return {
        "roi_percent": roi_percent(revenue, cost),
        "cost_per_lead": _ratio(cost, lead_count),
        "cost_per_won_customer": _ratio(cost, won_customer_count),
    }
