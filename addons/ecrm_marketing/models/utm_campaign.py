# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..campaign_maths import roi

REVENUE_BASES = [("confirmed", "Confirmed orders"), ("invoiced", "Invoiced"), ("paid", "Paid")]
ACTUAL_COUNTS = ("lead_count", "opportunity_count", "won_count", "quotation_count", "order_count",
                 "invoice_count", "won_customer_count")
ACTUAL_AMOUNTS = ("revenue_confirmed", "revenue_invoiced", "revenue_paid", "cost")

# Every attributed figure for a set of campaigns in one statement: one grouped
# pass over each source table, joined on the campaign. Amounts are untaxed, in
# company currency (orders: assumed to be sold in it); invoices net of refunds; "paid" is the paid share of each
# posted invoice. Only documents of the caller's companies count.
ACTUALS_SQL = """
WITH leads AS (
    SELECT campaign_id,
           count(*) AS lead_count,
           count(*) FILTER (WHERE type = 'opportunity') AS opportunity_count,
           count(*) FILTER (WHERE type = 'opportunity' AND probability >= 100 AND active) AS won_count
      FROM crm_lead
     WHERE campaign_id = ANY(%(campaign_ids)s)
       AND (company_id IS NULL OR company_id = ANY(%(company_ids)s))
     GROUP BY campaign_id
), orders AS (
    SELECT campaign_id,
           count(*) FILTER (WHERE state != 'cancel') AS quotation_count,
           count(*) FILTER (WHERE state IN ('sale', 'done')) AS order_count,
           coalesce(sum(amount_untaxed)
                    FILTER (WHERE state IN ('sale', 'done')), 0) AS revenue_confirmed
      FROM sale_order
     WHERE campaign_id = ANY(%(campaign_ids)s) AND company_id = ANY(%(company_ids)s)
     GROUP BY campaign_id
), invoices AS (
    SELECT campaign_id,
           count(*) AS invoice_count,
           sum(amount_untaxed_signed) AS revenue_invoiced,
           sum(CASE WHEN amount_total_company_signed = 0 THEN 0
                    ELSE amount_untaxed_signed * (amount_total_company_signed - residual_company_signed)
                         / amount_total_company_signed END) AS revenue_paid
      FROM account_invoice
     WHERE campaign_id = ANY(%(campaign_ids)s) AND company_id = ANY(%(company_ids)s)
       AND type IN ('out_invoice', 'out_refund') AND state IN ('open', 'paid')
     GROUP BY campaign_id
), won_customers AS (
    SELECT won.campaign_id, count(DISTINCT partner.commercial_partner_id) AS won_customer_count
      FROM (SELECT campaign_id, partner_id FROM crm_lead
             WHERE campaign_id = ANY(%(campaign_ids)s) AND type = 'opportunity' AND probability >= 100
               AND active AND (company_id IS NULL OR company_id = ANY(%(company_ids)s))
            UNION ALL
            SELECT campaign_id, partner_id FROM sale_order
             WHERE campaign_id = ANY(%(campaign_ids)s) AND state IN ('sale', 'done')
               AND company_id = ANY(%(company_ids)s)) AS won
      JOIN res_partner partner ON partner.id = won.partner_id
     GROUP BY won.campaign_id
), costs AS (
    SELECT campaign_id, sum(amount) AS cost
      FROM ecrm_campaign_cost
     WHERE campaign_id = ANY(%(campaign_ids)s) AND company_id = ANY(%(company_ids)s)
     GROUP BY campaign_id
)
SELECT campaign.id AS campaign_id, campaign.name,
       coalesce(campaign.ecrm_revenue_basis, 'confirmed') AS revenue_basis,
       coalesce(campaign.ecrm_budget, 0) AS budget,
       coalesce(leads.lead_count, 0) AS lead_count,
       coalesce(leads.opportunity_count, 0) AS opportunity_count,
       coalesce(leads.won_count, 0) AS won_count,
       coalesce(orders.quotation_count, 0) AS quotation_count,
       coalesce(orders.order_count, 0) AS order_count,
       coalesce(invoices.invoice_count, 0) AS invoice_count,
       coalesce(won_customers.won_customer_count, 0) AS won_customer_count,
       coalesce(orders.revenue_confirmed, 0) AS revenue_confirmed,
       coalesce(invoices.revenue_invoiced, 0) AS revenue_invoiced,
       coalesce(invoices.revenue_paid, 0) AS revenue_paid,
       coalesce(costs.cost, 0) AS cost
  FROM utm_campaign campaign
  LEFT JOIN leads ON leads.campaign_id = campaign.id
  LEFT JOIN orders ON orders.campaign_id = campaign.id
  LEFT JOIN invoices ON invoices.campaign_id = campaign.id
  LEFT JOIN won_customers ON won_customers.campaign_id = campaign.id
  LEFT JOIN costs ON costs.campaign_id = campaign.id
 WHERE campaign.id = ANY(%(campaign_ids)s)
"""


class UtmCampaign(models.Model):
    _inherit = "utm.campaign"

    ecrm_currency_id = fields.Many2one("res.currency", compute="_compute_ecrm_currency_id")
    ecrm_budget = fields.Monetary("Budget", currency_field="ecrm_currency_id",
                                  help="What the campaign may spend; the forecast ROI is worked out on it.")
    ecrm_cost_ids = fields.One2many("ecrm.campaign.cost", "campaign_id", "Costs")
    ecrm_revenue_basis = fields.Selection(
        REVENUE_BASES, "Revenue counted", default="confirmed", required=True,
        help="Which attributed revenue the actual ROI is worked out on.")

    # ---- forecast ("ROI model"), before launch ----
    ecrm_segment_id = fields.Many2one("ecrm.segment", "Target segment")
    ecrm_target_size = fields.Integer("Target size", help="How many customers the campaign reaches.")
    ecrm_expected_response_rate = fields.Float("Expected response (%)")
    ecrm_expected_conversion_rate = fields.Float("Expected conversion (%)",
                                                 help="Share of the responses that become orders.")
    ecrm_expected_avg_order_value = fields.Monetary("Expected average order", currency_field="ecrm_currency_id")
    ecrm_margin_percent = fields.Float("Margin (%)", default=30.0,
                                       help="Gross margin on the campaign's sales; the forecast ROI is on margin.")
    ecrm_expected_revenue = fields.Monetary("Expected revenue", compute="_compute_ecrm_forecast",
                                            currency_field="ecrm_currency_id")
    ecrm_expected_margin = fields.Monetary("Expected margin", compute="_compute_ecrm_forecast",
                                           currency_field="ecrm_currency_id")
    ecrm_expected_roi = fields.Float("Expected ROI (%)", compute="_compute_ecrm_forecast")

    # ---- actuals, attributed through UTM (one grouped query for all records) ----
    ecrm_actual_cost = fields.Monetary("Actual cost", compute="_compute_ecrm_actuals",
                                       currency_field="ecrm_currency_id")
    ecrm_lead_count = fields.Integer("Leads", compute="_compute_ecrm_actuals")
    ecrm_opportunity_count = fields.Integer("Opportunities", compute="_compute_ecrm_actuals")
    ecrm_won_count = fields.Integer("Opportunities won", compute="_compute_ecrm_actuals")
    ecrm_quotation_count = fields.Integer("Quotations", compute="_compute_ecrm_actuals")
    ecrm_order_count = fields.Integer("Confirmed orders", compute="_compute_ecrm_actuals")
    ecrm_invoice_count = fields.Integer("Invoices", compute="_compute_ecrm_actuals")
    ecrm_won_customer_count = fields.Integer("Customers won", compute="_compute_ecrm_actuals")
    ecrm_revenue_confirmed = fields.Monetary("Confirmed revenue", compute="_compute_ecrm_actuals",
                                             currency_field="ecrm_currency_id")
    ecrm_revenue_invoiced = fields.Monetary("Invoiced revenue", compute="_compute_ecrm_actuals",
                                            currency_field="ecrm_currency_id")
    ecrm_revenue_paid = fields.Monetary("Paid revenue", compute="_compute_ecrm_actuals",
                                        currency_field="ecrm_currency_id")
    ecrm_attributed_revenue = fields.Monetary("Attributed revenue", compute="_compute_ecrm_actuals",
                                              currency_field="ecrm_currency_id")
    ecrm_roi = fields.Float("Actual ROI (%)", compute="_compute_ecrm_actuals")
    ecrm_cost_per_lead = fields.Monetary("Cost per lead", compute="_compute_ecrm_actuals",
                                         currency_field="ecrm_currency_id")
    ecrm_cost_per_won_customer = fields.Monetary("Cost per customer won", compute="_compute_ecrm_actuals",
                                                 currency_field="ecrm_currency_id")

    def _compute_ecrm_currency_id(self):
        for campaign in self:
            campaign.ecrm_currency_id = self.env.user.company_id.currency_id

    @api.onchange("ecrm_segment_id")
    def _onchange_ecrm_segment_id(self):
        if self.ecrm_segment_id:
            self.ecrm_target_size = self.ecrm_segment_id.contactable_count

    @api.depends("ecrm_target_size", "ecrm_expected_response_rate", "ecrm_expected_conversion_rate",
                 "ecrm_expected_avg_order_value", "ecrm_margin_percent", "ecrm_budget")
    def _compute_ecrm_forecast(self):
        for campaign in self:
            try:
                result = campaign._ecrm_forecast()
            except ValueError:  # the form shows the inputs; impossible ones give no forecast
                result = None
            campaign.ecrm_expected_revenue = result and result.revenue
            campaign.ecrm_expected_margin = result and result.margin
            campaign.ecrm_expected_roi = result and result.roi_percent or 0.0

    def _ecrm_forecast(self):
        return roi.forecast(self.ecrm_target_size, self.ecrm_expected_response_rate,
                            self.ecrm_expected_conversion_rate, self.ecrm_expected_avg_order_value,
                            self.ecrm_margin_percent, self.ecrm_budget)

    def _compute_ecrm_actuals(self):
        report = self.ecrm_roi_report(self.filtered("id").ids)
        for campaign in self:
            row = report.get(campaign.id) or dict.fromkeys(ACTUAL_COUNTS + ACTUAL_AMOUNTS + (
                "attributed_revenue", "roi_percent", "cost_per_lead", "cost_per_won_customer"), 0)
            campaign.update({
                "ecrm_actual_cost": row["cost"],
                "ecrm_lead_count": row["lead_count"],
                "ecrm_opportunity_count": row["opportunity_count"],
                "ecrm_won_count": row["won_count"],
                "ecrm_quotation_count": row["quotation_count"],
                "ecrm_order_count": row["order_count"],
                "ecrm_invoice_count": row["invoice_count"],
                "ecrm_won_customer_count": row["won_customer_count"],
                "ecrm_revenue_confirmed": row["revenue_confirmed"],
                "ecrm_revenue_invoiced": row["revenue_invoiced"],
                "ecrm_revenue_paid": row["revenue_paid"],
                "ecrm_attributed_revenue": row["attributed_revenue"],
                "ecrm_roi": row["roi_percent"] or 0.0,
                "ecrm_cost_per_lead": row["cost_per_lead"] or 0.0,
                "ecrm_cost_per_won_customer": row["cost_per_won_customer"] or 0.0,
            })

    # ---- integrator API ----

    @api.model
    def ecrm_roi_report(self, campaign_ids):
        """Forecast and actual figures of campaigns, as plain data keyed by campaign id.

        Each value holds: name, revenue_basis, budget, the counts (lead_count,
        opportunity_count, won_count, quotation_count, order_count, invoice_count,
        won_customer_count), the amounts (revenue_confirmed, revenue_invoiced,
        revenue_paid, cost, attributed_revenue), roi_percent, cost_per_lead,
        cost_per_won_customer (None when there is nothing to divide by) and
        forecast (expected_revenue, expected_margin, expected_roi_percent).
        Only documents of the caller's companies count. Over RPC the keys come
        back as strings.
        """
        self.check_access_rights("read")
        campaign_ids = [int(campaign_id) for campaign_id in campaign_ids]
        if not campaign_ids:
            return {}
        self.env.cr.execute(ACTUALS_SQL, {"campaign_ids": campaign_ids,
                                          "company_ids": self.env.user.company_ids.ids})
        rows = self.env.cr.dictfetchall()
        forecasts = self._ecrm_forecasts([row["campaign_id"] for row in rows])
        report = {}
        for row in rows:
            for key in ACTUAL_AMOUNTS + ("budget",):
                row[key] = float(row[key])
            row["attributed_revenue"] = roi.attributed_revenue(
                row["revenue_basis"], row["revenue_confirmed"], row["revenue_invoiced"], row["revenue_paid"])
            row.update(roi.actuals(row["cost"], row["attributed_revenue"], row["lead_count"],
                                   row["won_customer_count"]))
            row["forecast"] = forecasts[row["campaign_id"]]
            report[row["campaign_id"]] = row
        return report

    @api.model
    def _ecrm_forecasts(self, campaign_ids):
        forecast_fields = ["ecrm_target_size", "ecrm_expected_response_rate", "ecrm_expected_conversion_rate",
                           "ecrm_expected_avg_order_value", "ecrm_margin_percent", "ecrm_budget"]
        forecasts = {}
        for values in self.browse(campaign_ids).read(forecast_fields, load=False):
            try:
                result = roi.forecast(*(values[name] or 0 for name in forecast_fields))
            except ValueError:
                result = None
            forecasts[values["id"]] = result and {
                "expected_revenue": result.revenue, "expected_margin": result.margin,
                "expected_roi_percent": result.roi_percent}
        return forecasts

    @api.multi
    def action_view_ecrm_costs(self):
        self.ensure_one()
        action = self.env.ref("ecrm_marketing.ecrm_campaign_cost_action").read()[0]
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"default_campaign_id": self.id}
        return action
