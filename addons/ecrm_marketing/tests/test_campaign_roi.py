"""Campaign actuals attributed through UTM, checked against hand-computed figures."""
from odoo.tests.common import at_install, post_install

from .common import MarketingCase


@at_install(False)
@post_install(True)
class TestCampaignRoi(MarketingCase):

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
