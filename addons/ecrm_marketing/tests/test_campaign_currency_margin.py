"""Foreign-currency revenue converted to the company currency; forecast margins from product categories."""
from odoo import fields
from odoo.tests.common import at_install, post_install

from .common import MarketingCase


@at_install(False)
@post_install(True)
class TestCampaignCurrency(MarketingCase):

    def setUp(self):
        super().setUp()
        self.company = self.env.user.company_id
        self.euro = self.env.ref("base.EUR")
        self.euro.active = True
        self.today = fields.Date.context_today(self.Campaign)
        # 1 company currency = 1.25 EUR today, whatever rates the database holds already
        self.set_rate(self.company.currency_id, 1.0)
        self.set_rate(self.euro, 1.25)
        self.euro_pricelist = self.env["product.pricelist"].create({"name": "Euro (test)",
                                                                    "currency_id": self.euro.id})

    def set_rate(self, currency, rate):
        Rate = self.env["res.currency.rate"]
        existing = Rate.search([("currency_id", "=", currency.id), ("company_id", "=", self.company.id),
                                ("name", "=", self.today)])
        (existing or Rate.create({"currency_id": currency.id, "company_id": self.company.id,
                                  "name": self.today})).rate = rate

    def test_euro_order_counts_in_company_currency(self):
        if self.company.currency_id == self.euro:
            self.skipTest("the company already sells in euros")
        order = self.make_order(self.customer_a, 1250)
        order.pricelist_id = self.euro_pricelist
        order.action_confirm()
        self.make_order(self.customer_b, 300, confirm=True)
        self.assertEqual(order.currency_id, self.euro)
        row = self.Campaign.ecrm_roi_report([self.campaign.id])[str(self.campaign.id)]
        self.assertAlmostEqual(row["revenue_confirmed"], 1000 + 300)  # 1,250 EUR at 1.25
        report = self.env["ecrm.campaign.channel.report"].read_group(
            [("campaign_id", "=", self.campaign.id)], ["revenue_confirmed"], [])
        self.assertAlmostEqual(report[0]["revenue_confirmed"], 1300)

    def test_euro_invoice_is_not_converted_twice(self):
        if self.company.currency_id == self.euro:
            self.skipTest("the company already sells in euros")
        account = self.env["account.account"].search([
            ("user_type_id", "=", self.env.ref("account.data_account_type_revenue").id)], limit=1)
        invoice = self.env["account.invoice"].create({
            "partner_id": self.customer_a.id, "type": "out_invoice", "campaign_id": self.campaign.id,
            "currency_id": self.euro.id, "date_invoice": self.today,
            "invoice_line_ids": [(0, 0, {"name": "Service", "quantity": 1, "price_unit": 1250,
                                         "account_id": account.id})]})
        invoice.action_invoice_open()
        row = self.Campaign.ecrm_roi_report([self.campaign.id])[str(self.campaign.id)]
        self.assertAlmostEqual(row["revenue_invoiced"], 1000)


@at_install(False)
@post_install(True)
class TestForecastMargin(MarketingCase):

    def setUp(self):
        super().setUp()
        Category = self.env["product.category"]
        self.stairlifts = Category.create({"name": "Stairlifts (test)"})
        self.rails = Category.create({"name": "Rails (test)", "parent_id": self.stairlifts.id})
        self.unsold = Category.create({"name": "Hoists (test)"})
        self.sell(self.stairlifts, list_price=200, cost=120, quantity=10)
        self.sell(self.rails, list_price=100, cost=40, quantity=5)
        self.sell(self.stairlifts, list_price=500, cost=0, quantity=3)  # no cost recorded: margin unknown
        self.campaign.write({"ecrm_budget": 1500, "ecrm_target_size": 2000, "ecrm_expected_response_rate": 5,
                             "ecrm_expected_conversion_rate": 20, "ecrm_expected_avg_order_value": 450,
                             "ecrm_margin_percent": 40})

    def sell(self, category, list_price, cost, quantity):
        product = self.env["product.product"].create({
            "name": "%s product (test)" % category.name, "categ_id": category.id, "list_price": list_price,
            "standard_price": cost, "type": "consu", "taxes_id": [(6, 0, [])]})
        order = self.env["sale.order"].create({
            "partner_id": self.customer_a.id,
            "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": quantity, "price_unit": list_price,
                                   "tax_id": [(6, 0, [])]})]})
        order.action_confirm()

    def test_forecast_uses_the_category_margin_where_known(self):
        # 10 x 200 list and 5 x 100 (subcategory) = 2,500; at cost 10 x 120 + 5 x 40 = 1,400 -> 44 % margin
        self.campaign.ecrm_product_category_id = self.stairlifts
        self.assertAlmostEqual(self.campaign.ecrm_forecast_margin_percent, 44)
        self.assertEqual(self.campaign.ecrm_margin_source, "category")
        self.assertAlmostEqual(self.campaign.ecrm_expected_margin, 9000 * 0.44)
        self.assertAlmostEqual(self.campaign.ecrm_expected_roi, (3960 - 1500) / 1500 * 100)
        forecast = self.Campaign.ecrm_roi_report([self.campaign.id])[str(self.campaign.id)]["forecast"]
        self.assertEqual((forecast["margin_source"], round(forecast["margin_percent"], 6)), ("category", 44))

    def test_subcategory_has_its_own_margin(self):
        self.campaign.ecrm_product_category_id = self.rails
        self.assertAlmostEqual(self.campaign.ecrm_forecast_margin_percent, 60)  # (500 - 200) / 500

    def test_falls_back_to_the_configured_margin(self):
        self.campaign.ecrm_product_category_id = self.unsold
        self.assertEqual(self.campaign.ecrm_margin_source, "configured")
        self.assertAlmostEqual(self.campaign.ecrm_expected_margin, 3600)
        self.campaign.ecrm_product_category_id = False
        self.assertAlmostEqual(self.campaign.ecrm_expected_roi, 140)
