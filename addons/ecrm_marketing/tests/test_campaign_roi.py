"""Campaign actuals attributed through UTM, checked against hand-computed figures."""
from lxml import etree

from odoo.tests.common import at_install, post_install

from .common import MarketingCase


class CampaignRoiCase(MarketingCase):
    """A campaign that spent 500 (300 e-mail, 200 direct) for 1,500 of confirmed orders, 1,400 invoiced, 500 paid."""

    def setUp(self):
        super().setUp()
        Cost = self.env["ecrm.campaign.cost"]
        email = self.env.ref("utm.utm_medium_email")
        direct = self.env.ref("utm.utm_medium_direct")
        Cost.create({"campaign_id": self.campaign.id, "medium_id": email.id, "description": "Design",
                     "amount": 300})
        Cost.create({"campaign_id": self.campaign.id, "medium_id": direct.id, "description": "Leaflets",
                     "amount": 200})
        Cost.create({"campaign_id": self.other_campaign.id, "description": "Radio", "amount": 999})
        Lead = self.env["crm.lead"]
        Lead.create({"name": "Brochure request (test)", "type": "lead", "campaign_id": self.campaign.id})
        Lead.create({"name": "Six stairlifts (test)", "type": "opportunity", "campaign_id": self.campaign.id,
                     "partner_id": self.customer_b.id})
        won = Lead.create({"name": "Service contract (test)", "type": "opportunity",
                           "campaign_id": self.campaign.id, "partner_id": self.customer_a.id})
        won.action_set_won()
        self.make_order(self.customer_a, 100)  # a quotation
        self.make_order(self.customer_a, 1000, confirm=True)
        self.make_order(self.customer_b, 500, confirm=True)
        self.make_order(self.customer_b, 700).action_cancel()
        self.make_order(self.customer_b, 5000, campaign=self.other_campaign, confirm=True)
        self._make_invoices()

    def _make_invoices(self):
        tax = self.env["account.tax"].create({"name": "VAT 20% (test)", "amount": 20.0, "amount_type": "percent",
                                              "type_tax_use": "sale"})
        account = self.env["account.account"].search([
            ("user_type_id", "=", self.env.ref("account.data_account_type_revenue").id)], limit=1)

        def invoice(amount, taxes):
            record = self.env["account.invoice"].create({
                "partner_id": self.customer_a.id, "type": "out_invoice", "campaign_id": self.campaign.id,
                "invoice_line_ids": [(0, 0, {"name": "Service", "quantity": 1, "price_unit": amount,
                                             "account_id": account.id, "invoice_line_tax_ids": [(6, 0, taxes.ids)]})],
            })
            record.action_invoice_open()
            return record

        paid_half = invoice(1000, tax)  # 1,200 with VAT; 600 paid -> half of 1,000 untaxed counts as paid
        invoice(400, tax.browse())  # open, nothing paid
        journal = self.env["account.journal"].search([("type", "=", "bank")], limit=1)
        payment = self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": self.customer_a.id,
            "amount": 600, "journal_id": journal.id,
            "payment_method_id": self.env.ref("account.account_payment_method_manual_in").id,
            "invoice_ids": [(4, paid_half.id)],
        })
        payment.post()


@at_install(False)
@post_install(True)
class TestCampaignRoi(CampaignRoiCase):

    def test_actuals_match_hand_computed_figures(self):
        row = self.Campaign.ecrm_roi_report([self.campaign.id])[str(self.campaign.id)]
        self.assertEqual((row["lead_count"], row["opportunity_count"], row["won_count"]), (3, 2, 1))
        self.assertEqual((row["quotation_count"], row["order_count"], row["invoice_count"]), (3, 2, 2))
        self.assertAlmostEqual(row["revenue_confirmed"], 1500)
        self.assertAlmostEqual(row["revenue_invoiced"], 1400)
        self.assertAlmostEqual(row["revenue_paid"], 500)
        self.assertAlmostEqual(row["cost"], 500)
        # customer A (won opportunity and order) and customer B (order): two customers won
        self.assertEqual(row["won_customer_count"], 2)
        self.assertAlmostEqual(row["roi_percent"], 200)  # (1,500 - 500) / 500
        self.assertAlmostEqual(row["cost_per_lead"], 500 / 3)
        self.assertAlmostEqual(row["cost_per_won_customer"], 250)

    def test_revenue_basis_setting_changes_the_roi(self):
        self.campaign.ecrm_revenue_basis = "invoiced"
        row = self.Campaign.ecrm_roi_report([self.campaign.id])[str(self.campaign.id)]
        self.assertAlmostEqual(row["attributed_revenue"], 1400)
        self.assertAlmostEqual(row["roi_percent"], 180)
        self.campaign.ecrm_revenue_basis = "paid"
        row = self.Campaign.ecrm_roi_report([self.campaign.id])[str(self.campaign.id)]
        self.assertAlmostEqual(row["roi_percent"], 0)

    def test_campaign_fields_and_report_for_many_campaigns_at_once(self):
        report = self.Campaign.ecrm_roi_report([self.campaign.id, self.other_campaign.id])
        self.assertAlmostEqual(report[str(self.other_campaign.id)]["revenue_confirmed"], 5000)
        self.assertAlmostEqual(report[str(self.other_campaign.id)]["roi_percent"], (5000 - 999) / 999 * 100)
        campaigns = self.campaign | self.other_campaign
        self.assertEqual(campaigns.mapped("ecrm_order_count"), [2, 1])
        self.assertAlmostEqual(self.campaign.ecrm_roi, 200)
        self.assertAlmostEqual(self.campaign.ecrm_actual_cost, 500)

    def test_campaign_without_cost_has_no_roi(self):
        empty = self.Campaign.create({"name": "Nothing spent (test)"})
        row = self.Campaign.ecrm_roi_report([empty.id])[str(empty.id)]
        self.assertIs(row["roi_percent"], False)  # nothing spent: no ROI (XML-RPC has no None)
        self.assertEqual(row["lead_count"], 0)

    def test_forecast_from_inputs(self):
        self.campaign.write({"ecrm_budget": 1500, "ecrm_target_size": 2000, "ecrm_expected_response_rate": 5,
                             "ecrm_expected_conversion_rate": 20, "ecrm_expected_avg_order_value": 450,
                             "ecrm_margin_percent": 40})
        self.assertAlmostEqual(self.campaign.ecrm_expected_revenue, 9000)
        self.assertAlmostEqual(self.campaign.ecrm_expected_margin, 3600)
        self.assertAlmostEqual(self.campaign.ecrm_expected_roi, 140)
        forecast = self.Campaign.ecrm_roi_report([self.campaign.id])[str(self.campaign.id)]["forecast"]
        self.assertAlmostEqual(forecast["expected_roi_percent"], 140)

    def test_channel_report_adds_up_by_medium(self):
        Report = self.env["ecrm.campaign.channel.report"]
        groups = Report.read_group([("campaign_id", "=", self.campaign.id)], ["medium_id", "cost", "revenue_confirmed"],
                                   ["medium_id"])
        cost_by_medium = {group["medium_id"] and group["medium_id"][0]: group["cost"] for group in groups}
        self.assertAlmostEqual(cost_by_medium[self.env.ref("utm.utm_medium_email").id], 300)
        self.assertAlmostEqual(sum(group["revenue_confirmed"] for group in groups), 1500)
        roi_row = self.env["ecrm.campaign.roi.report"].search([("campaign_id", "=", self.campaign.id)])
        self.assertAlmostEqual(roi_row.roi_percent, 200)


@at_install(False)
@post_install(True)
class TestCampaignRoiBases(CampaignRoiCase):
    """Forecast and actual ROI each on margin and on revenue, labelled, so like is set beside like.

    The campaign spent 500 for 1,500 of confirmed orders.
    """

    def test_both_bases_with_the_configured_margin(self):
        # its product has no cost: the actual margin is the configured 30 % -> 450 margin
        row = self.Campaign.ecrm_roi_report([self.campaign.id])[str(self.campaign.id)]
        self.assertEqual((row["margin_percent"], row["margin_source"]), (30.0, "configured"))
        self.assertAlmostEqual(row["attributed_margin"], 450)
        self.assertAlmostEqual(row["roi"]["on_margin"], -10)  # (450 - 500) / 500
        self.assertAlmostEqual(row["roi"]["on_revenue"], 200)  # (1,500 - 500) / 500
        self.assertAlmostEqual(row["roi_percent"], row["roi"]["on_revenue"])  # the key integrators had, kept
        self.assertAlmostEqual(self.campaign.ecrm_roi_on_margin, -10)
        self.assertAlmostEqual(self.campaign.ecrm_roi, 200)
        self.assertEqual(self.campaign.ecrm_actual_margin_source, "configured")
        self.assertAlmostEqual(self.campaign.ecrm_attributed_margin, 450)

    def test_actual_margin_from_what_the_campaign_sold(self):
        # the two confirmed orders (1,000 and 500) sold one unit each at a 450 standard cost:
        # (1,500 - 900) / 1,500 = 40 %, whatever the configured 30 %
        self.product.standard_price = 450
        row = self.Campaign.ecrm_roi_report([self.campaign.id])[str(self.campaign.id)]
        self.assertEqual(row["margin_source"], "sold")
        self.assertAlmostEqual(row["margin_percent"], 40)
        self.assertAlmostEqual(row["attributed_margin"], 600)
        self.assertAlmostEqual(row["roi"]["on_margin"], 20)  # (600 - 500) / 500
        self.campaign.ecrm_revenue_basis = "invoiced"  # 1,400 at that 40 % = 560 -> 12 %
        row = self.Campaign.ecrm_roi_report([self.campaign.id])[str(self.campaign.id)]
        self.assertAlmostEqual(row["roi"]["on_margin"], 12)
        self.assertAlmostEqual(row["roi"]["on_revenue"], 180)
        self.campaign.invalidate_cache()
        self.assertAlmostEqual(self.campaign.ecrm_actual_margin_percent, 40)
        self.assertAlmostEqual(self.campaign.ecrm_roi_on_margin, 12)

    def test_same_numbers_give_the_same_roi_on_the_same_basis(self):
        # planned exactly what happened: 500 spent, 100 x 10 % x 20 % = 2 orders of 750 = 1,500 at 30 %.
        # Before, the form set the forecast's -10 % (on margin) beside the actual 200 % (on revenue).
        self.campaign.write({"ecrm_budget": 500, "ecrm_target_size": 100, "ecrm_expected_response_rate": 10,
                             "ecrm_expected_conversion_rate": 20, "ecrm_expected_avg_order_value": 750,
                             "ecrm_margin_percent": 30})
        self.assertAlmostEqual(self.campaign.ecrm_expected_roi, -10)
        self.assertAlmostEqual(self.campaign.ecrm_expected_roi_on_revenue, 200)
        self.assertAlmostEqual(self.campaign.ecrm_expected_roi, self.campaign.ecrm_roi_on_margin)
        self.assertAlmostEqual(self.campaign.ecrm_expected_roi_on_revenue, self.campaign.ecrm_roi)
        row = self.Campaign.ecrm_roi_report([self.campaign.id])[str(self.campaign.id)]
        forecast = row["forecast"]
        self.assertAlmostEqual(forecast["roi"]["on_margin"], row["roi"]["on_margin"])
        self.assertAlmostEqual(forecast["roi"]["on_revenue"], row["roi"]["on_revenue"])
        self.assertAlmostEqual(forecast["expected_roi_percent"], forecast["roi"]["on_margin"])

    def test_nothing_spent_gives_no_roi_on_either_basis(self):
        empty = self.Campaign.create({"name": "Nothing spent (test)"})
        row = self.Campaign.ecrm_roi_report([empty.id])[str(empty.id)]
        self.assertEqual(row["roi"], {"on_margin": False, "on_revenue": False})  # no None over XML-RPC
        self.assertEqual(row["attributed_margin"], 0)

    def test_form_labels_each_roi_with_its_basis(self):
        view = self.Campaign.fields_view_get(
            view_id=self.env.ref("ecrm_marketing.utm_campaign_view_form_ecrm").id, view_type="form")
        arch = etree.fromstring(view["arch"])
        for group, fields in (("forecast_roi", ("ecrm_expected_roi", "ecrm_expected_roi_on_revenue")),
                              ("actual_roi", ("ecrm_roi_on_margin", "ecrm_roi"))):
            labels = [(node.get("name"), node.get("string"))
                      for node in arch.xpath("//group[@name='%s']/field" % group)]
            self.assertEqual(labels, list(zip(fields, ("ROI on margin (%)", "ROI on revenue (%)"))), group)
        self.assertEqual(arch.xpath("//group[@name='forecast_roi']/@string"), ["Forecast ROI"])
        self.assertEqual(arch.xpath("//group[@name='actual_roi']/@string"), ["Actual ROI"])
        # elsewhere (list, filters, exports) the field names carry the basis themselves
        strings = {name: self.Campaign._fields[name].string for name in (
            "ecrm_expected_roi", "ecrm_expected_roi_on_revenue", "ecrm_roi_on_margin", "ecrm_roi")}
        self.assertEqual(strings, {"ecrm_expected_roi": "Expected ROI on margin (%)",
                                   "ecrm_expected_roi_on_revenue": "Expected ROI on revenue (%)",
                                   "ecrm_roi_on_margin": "Actual ROI on margin (%)",
                                   "ecrm_roi": "Actual ROI on revenue (%)"})

    def test_roi_report_model_on_both_bases(self):
        report = self.env["ecrm.campaign.roi.report"]
        row = report.search([("campaign_id", "=", self.campaign.id)])
        self.assertEqual((row.margin_source, row.margin_percent), ("configured", 30))
        self.assertAlmostEqual(row.attributed_margin, 450)
        self.assertAlmostEqual(row.roi_on_margin_percent, -10)
        self.assertAlmostEqual(row.roi_percent, 200)
        self.product.standard_price = 450
        row.invalidate_cache()
        self.assertEqual(row.margin_source, "sold")
        self.assertAlmostEqual(row.roi_on_margin_percent, 20)
