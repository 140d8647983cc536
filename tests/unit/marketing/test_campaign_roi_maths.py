"""ROI forecast and actuals, checked against figures worked out by hand."""
import pytest

from odoo.addons.ecrm_marketing.campaign_maths import roi


def test_forecast_hand_computed():
    # 2,000 customers x 5 % respond = 100; x 20 % buy = 20 orders; x 450 = 9,000 revenue;
    # 40 % margin = 3,600; ROI on a 1,500 spend = (3,600 - 1,500) / 1,500 = 140 %.
    result = roi.forecast(2000, 5, 20, 450, 40, 1500)
    assert result.responses == pytest.approx(100)
    assert result.conversions == pytest.approx(20)
    assert result.revenue == pytest.approx(9000)
    assert result.margin == pytest.approx(3600)
    assert result.roi_percent == pytest.approx(140)


def test_forecast_losing_campaign_has_negative_roi():
    # 500 x 2 % = 10 responses, x 10 % = 1 order of 300, 25 % margin = 75; cost 400 -> (75-400)/400
    result = roi.forecast(500, 2, 10, 300, 25, 400)
    assert result.margin == pytest.approx(75)
    assert result.roi_percent == pytest.approx(-81.25)


def test_forecast_without_cost_has_no_roi():
    assert roi.forecast(100, 10, 10, 100, 50, 0).roi_percent is None


@pytest.mark.parametrize("args", [(-1, 5, 20, 450, 40, 10), (10, 5, 20, 450, 140, 10), (10, 5, 20, -3, 40, 10)])
def test_forecast_rejects_impossible_inputs(args):
    with pytest.raises(ValueError):
        roi.forecast(*args)


def test_actuals_hand_computed():
    # spent 2,500, credited 10,000: ROI (10,000 - 2,500) / 2,500 = 300 %;
    # 50 leads -> 50.00 a lead; 8 won customers -> 312.50 each
    figures = roi.actuals(cost=2500, revenue=10000, lead_count=50, won_customer_count=8)
    assert figures["roi_percent"] == pytest.approx(300)
    assert figures["cost_per_lead"] == pytest.approx(50)
    assert figures["cost_per_won_customer"] == pytest.approx(312.5)


def test_actuals_with_nothing_to_divide_by():
    figures = roi.actuals(cost=0, revenue=1000, lead_count=0, won_customer_count=0)
    assert figures == {"roi_percent": None, "cost_per_lead": None, "cost_per_won_customer": None}


def test_revenue_basis_picks_the_chosen_amount():
    assert roi.attributed_revenue("confirmed", 900, 600, 250) == 900
    assert roi.attributed_revenue("invoiced", 900, 600, 250) == 600
    assert roi.attributed_revenue("paid", 900, 600, 250) == 250
    with pytest.raises(ValueError):
        roi.attributed_revenue("hoped_for", 900, 600, 250)


def test_sold_margin_from_list_and_cost_value():
    # sold 10 x 200 list with a 120 standard cost, and 5 x 100 list with a 40 cost:
    # list value 2,500, cost value 1,400 -> (2,500 - 1,400) / 2,500 = 44 %
    assert roi.sold_margin_percent(2500, 1400) == pytest.approx(44)
    assert roi.sold_margin_percent(0, 0) is None
    assert roi.sold_margin_percent(None, None) is None


def test_forecast_margin_prefers_the_category_margin_when_known():
    assert roi.forecast_margin_percent(44.0, 30.0) == (44.0, "category")
    assert roi.forecast_margin_percent(None, 30.0) == (30.0, "configured")
    # sold below cost: a negative margin is not a forecast input; clamp to the 0-100 the forecast takes
    assert roi.forecast_margin_percent(-12.0, 30.0) == (0.0, "category")


def test_forecast_is_given_on_both_bases():
    # the 1,500 spend for 9,000 revenue at 40 %: 140 % on margin, (9,000 - 1,500) / 1,500 = 500 % on revenue
    result = roi.forecast(2000, 5, 20, 450, 40, 1500)
    assert result.roi_percent == pytest.approx(140)  # on margin, as before
    assert result.roi_on_revenue_percent == pytest.approx(500)


def test_same_numbers_give_the_same_roi_on_the_same_basis():
    # 1,000 customers x 10 % x 10 % = 10 orders of 1,000: 10,000 revenue at a 30 % margin = 3,000, for 2,000.
    # Forecast and actuals on those same figures agree basis by basis: 50 % on margin, 400 % on revenue.
    # (Setting the forecast's 50 % on margin beside an actual 400 % on revenue made the campaign look
    # eight times better than planned when it did exactly as planned.)
    planned = roi.forecast(1000, 10, 10, 1000, 30, 2000)
    assert planned.revenue == pytest.approx(10000) and planned.margin == pytest.approx(3000)
    margin, source = roi.actual_margin_percent(None, 30.0, "configured")
    actual = roi.roi_bases(10000, roi.margin_amount(10000, margin), 2000)
    assert (margin, source) == (30.0, "configured")
    assert actual == {"on_margin": pytest.approx(50), "on_revenue": pytest.approx(400)}
    assert planned.roi_percent == pytest.approx(actual["on_margin"])
    assert planned.roi_on_revenue_percent == pytest.approx(actual["on_revenue"])
    assert roi.actuals(2000, 10000, 0, 0)["roi_percent"] == pytest.approx(actual["on_revenue"])


def test_actual_margin_prefers_what_the_campaign_sold():
    # the campaign sold 2,500 worth that cost 1,750: 30 % margin, from its own sales
    assert roi.actual_margin_percent(roi.sold_margin_percent(2500, 1750), 40.0, "category") == \
        (pytest.approx(30), "sold")
    assert roi.actual_margin_percent(None, 40.0, "category") == (40.0, "category")
    # sold below cost: the actual margin is negative, not clamped like a forecast input
    assert roi.actual_margin_percent(roi.sold_margin_percent(1000, 1200), 30.0, "configured") == \
        (pytest.approx(-20), "sold")


def test_roi_bases_with_nothing_to_divide_by_or_no_margin():
    assert roi.roi_bases(1000, 300, 0) == {"on_margin": None, "on_revenue": None}
    assert roi.roi_bases(1000, None, 500) == {"on_margin": None, "on_revenue": pytest.approx(100)}
    assert roi.margin_amount(1000, None) is None
    assert roi.margin_amount(1000, 30) == pytest.approx(300)
