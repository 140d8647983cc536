"""Return on investment of a marketing campaign: the forecast before launch and the actuals after.

Rates and percentages are given as percentages (12.5 means 12.5 %), as users type them.
A ratio with nothing to divide by is ``None`` ("not meaningful"), never 0 or infinity.

A ROI has a basis, and two ROIs compare only on the same one: "ROI on margin" is
(margin - cost) / cost (does the campaign pay for itself?), "ROI on revenue" is
(revenue - cost) / cost. At a 30 % margin the second is several times the first on the
same figures, so forecast and actuals are both given on both bases (``roi_bases``).
"""
from collections import namedtuple

REVENUE_BASES = ("confirmed", "invoiced", "paid")

MARGIN_SOURCES = ("sold", "category", "configured")

# roi_percent is the ROI on margin (kept under its first name); roi_on_revenue_percent the same forecast on revenue
Forecast = namedtuple("Forecast", "responses conversions revenue margin roi_percent roi_on_revenue_percent")


def _ratio(numerator, denominator):
    return None if not denominator else numerator / denominator


def roi_percent(return_amount, cost):
    """(return - cost) / cost, as a percentage; None when nothing was spent."""
    ratio = _ratio(return_amount - cost, cost)
    return None if ratio is None else ratio * 100.0


def roi_bases(revenue, margin, cost):
    """{"on_margin": ROI % on margin, "on_revenue": ROI % on revenue} of the same revenue, margin and cost.

    ``margin`` None (not known) gives no ROI on margin.
    """
    return {"on_margin": None if margin is None else roi_percent(margin, cost),
            "on_revenue": roi_percent(revenue, cost)}


def forecast(segment_size, response_rate, conversion_rate, avg_order_value, margin_percent, cost):
    """Expected responses, orders, revenue, margin and ROI of a campaign before it runs.

    ``roi_percent`` is the ROI on margin (a campaign pays for itself when the margin it
    brings in covers its cost); ``roi_on_revenue_percent`` the ROI on revenue, to set
    against an actual ROI on revenue.
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
    bases = roi_bases(revenue, margin, cost)
    return Forecast(responses, conversions, revenue, margin, bases["on_margin"], bases["on_revenue"])


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


def actual_margin_percent(sold_margin, fallback_margin, fallback_source):
    """The margin the actual ROI on margin works on: that of what the campaign sold where known.

    ``sold_margin`` is ``sold_margin_percent`` of the campaign's own confirmed order lines
    (None when none of them has a known cost); else the forecast's margin and its source
    ("category" or "configured"). Returns (margin %, "sold", "category" or "configured").
    A campaign that sold below cost has a negative margin: actuals are not clamped.
    """
    if sold_margin is None:
        return fallback_margin, fallback_source
    return sold_margin, "sold"


def margin_amount(revenue, margin_percent):
    """The margin on ``revenue`` at ``margin_percent``; None when the margin is not known."""
    return None if margin_percent is None else revenue * margin_percent / 100.0


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
