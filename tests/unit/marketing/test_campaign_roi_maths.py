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
