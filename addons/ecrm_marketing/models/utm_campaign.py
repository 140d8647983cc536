# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..campaign_maths import roi
from odoo.addons.ecrm_core.customer360.currency_sql import converted_rows

REVENUE_BASES = [("confirmed", "Confirmed orders"), ("invoiced", "Invoiced"), ("paid", "Paid")]
ACTUAL_COUNTS = ("lead_count", "opportunity_count", "won_count", "quotation_count", "order_count",
                 "invoice_count", "won_customer_count")
ACTUAL_AMOUNTS = ("revenue_confirmed", "revenue_invoiced", "revenue_paid", "cost")


def sold_and_cost_sql(target_currency, where, foreign_possible="true"):
    """SQL: what the campaigns' confirmed orders sold (untaxed, in the order's currency) and what it cost
    (quantity at the product's standard cost, in the company's currency), for the lines whose product has
    a cost, converted into ``target_currency`` (SQL): the actual margin of the form and of the ROI report.
    ``where`` filters the order lines ``line`` of the orders ``s``. Arguments are SQL of this add-on only.
    """
    return converted_rows("""
        SELECT s.campaign_id, amounts.kind, amounts.amount, amounts.currency_id,
               %s AS target_currency_id, s.company_id, s.date_order AS date
          FROM sale_order_line line
          JOIN sale_order s ON s.id = line.order_id
          JOIN product_pricelist pricelist ON pricelist.id = s.pricelist_id
          JOIN res_company company ON company.id = s.company_id
          JOIN ir_property cost ON cost.name = 'standard_price' AND cost.company_id = s.company_id
                               AND cost.res_id = 'product.product,' || line.product_id
         CROSS JOIN LATERAL (VALUES ('sold', line.price_subtotal, pricelist.currency_id),
                                    ('cost', line.product_uom_qty * cost.value_float, company.currency_id))
                 AS amounts (kind, amount, currency_id)
         WHERE s.state IN ('sale', 'done') AND cost.value_float > 0 AND %s""" % (target_currency, where),
                          foreign_possible)


# Every attributed figure for a set of campaigns in one statement: one grouped
# pass over each source table, joined on the campaign. Amounts are untaxed and in
# the currency of the user's company (converted at the document's date); invoices
# net of refunds; "paid" is the paid share of each posted invoice. Only documents
# of the user's companies count.
ACTUALS_SQL = """
WITH currency_rate AS ({rates}),
leads AS (
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
           coalesce(sum(converted) FILTER (WHERE state IN ('sale', 'done')), 0) AS revenue_confirmed
      FROM ({orders}) AS order_amounts
     GROUP BY campaign_id
), invoices AS (
    SELECT campaign_id,
           count(*) AS invoice_count,
           sum(converted) AS revenue_invoiced,
           sum(CASE WHEN total = 0 THEN 0 ELSE converted * (total - residual) / total END) AS revenue_paid
      FROM ({invoices}) AS invoice_amounts
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
    SELECT campaign_id, sum(converted) AS cost FROM ({costs}) AS cost_amounts GROUP BY campaign_id
), sold AS (
    SELECT campaign_id,
           sum(converted) FILTER (WHERE kind = 'sold') AS sold_value,
           sum(converted) FILTER (WHERE kind = 'cost') AS sold_cost_value
      FROM ({sold}) AS sold_amounts
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
       coalesce(costs.cost, 0) AS cost,
       sold.sold_value, sold.sold_cost_value
  FROM utm_campaign campaign
  LEFT JOIN leads ON leads.campaign_id = campaign.id
  LEFT JOIN orders ON orders.campaign_id = campaign.id
  LEFT JOIN invoices ON invoices.campaign_id = campaign.id
  LEFT JOIN won_customers ON won_customers.campaign_id = campaign.id
  LEFT JOIN costs ON costs.campaign_id = campaign.id
  LEFT JOIN sold ON sold.campaign_id = campaign.id
 WHERE campaign.id = ANY(%(campaign_ids)s)
""".format(
    rates="{rates}",  # res.currency's rate table, filled in when the statement runs
    orders=converted_rows("""
        SELECT s.campaign_id, s.state, s.amount_untaxed AS amount, pricelist.currency_id,
               %(currency_id)s AS target_currency_id, s.company_id, s.date_order AS date
          FROM sale_order s
          JOIN product_pricelist pricelist ON pricelist.id = s.pricelist_id
         WHERE s.campaign_id = ANY(%(campaign_ids)s) AND s.company_id = ANY(%(company_ids)s)""",
        "%(foreign_possible)s"),
    invoices=converted_rows("""
        SELECT i.campaign_id, i.amount_untaxed_signed AS amount, i.amount_total_company_signed AS total,
               i.residual_company_signed AS residual, company.currency_id, %(currency_id)s AS target_currency_id,
               i.company_id, i.date_invoice AS date
          FROM account_invoice i
          JOIN res_company company ON company.id = i.company_id
         WHERE i.campaign_id = ANY(%(campaign_ids)s) AND i.company_id = ANY(%(company_ids)s)
           AND i.type IN ('out_invoice', 'out_refund') AND i.state IN ('open', 'paid')""",
        "%(foreign_possible)s"),
    costs=converted_rows("""
        SELECT cost.campaign_id, cost.amount, company.currency_id, %(currency_id)s AS target_currency_id,
               cost.company_id, cost.date
          FROM ecrm_campaign_cost cost
          JOIN res_company company ON company.id = cost.company_id
         WHERE cost.campaign_id = ANY(%(campaign_ids)s) AND cost.company_id = ANY(%(company_ids)s)""",
        "%(foreign_possible)s"),
    sold=sold_and_cost_sql("%(currency_id)s",
                           "s.campaign_id = ANY(%(campaign_ids)s) AND s.company_id = ANY(%(company_ids)s)",
                           "%(foreign_possible)s"))

# The margin of what was sold in each category (and its subcategories): the quantity
# sold on confirmed order lines, valued at list price and at standard cost. Products
# without a list price or a recorded cost are left out: their margin is not known.
CATEGORY_MARGIN_SQL = """
WITH sold AS (
    SELECT category.id AS category_id, line.product_id, line.company_id, sum(line.product_uom_qty) AS quantity
      FROM product_category category
      JOIN product_category child
        ON child.parent_left >= category.parent_left AND child.parent_left < category.parent_right
      JOIN product_template template ON template.categ_id = child.id
      JOIN product_product product ON product.product_tmpl_id = template.id
      JOIN sale_order_line line ON line.product_id = product.id
     WHERE category.id = ANY(%(category_ids)s) AND line.state IN ('sale', 'done')
       AND line.company_id = ANY(%(company_ids)s)
     GROUP BY category.id, line.product_id, line.company_id
)
SELECT sold.category_id, sum(sold.quantity * template.list_price), sum(sold.quantity * cost.value_float)
  FROM sold
  JOIN product_product product ON product.id = sold.product_id
  JOIN product_template template ON template.id = product.product_tmpl_id
  JOIN ir_property cost ON cost.name = 'standard_price' AND cost.res_id = 'product.product,' || sold.product_id
                       AND cost.company_id = sold.company_id
 WHERE template.list_price > 0 AND cost.value_float > 0
 GROUP BY sold.category_id
"""
MARGIN_SOURCES = [("category", "Product category (sold)"), ("configured", "Margin %")]
ACTUAL_MARGIN_SOURCES = [("sold", "The campaign's sales")] + MARGIN_SOURCES
# the campaign record is every user's (the host lets portal users read it); its finances, forecast and
# attributed figures are eCRM staff's: read, search_read and read_group (ecrm_core base.py) refuse them
ECRM_USER = "ecrm_core.group_ecrm_user"


def _plain(value):
    """``value`` as XML-RPC carries it: string keys, False for None (nested dicts too)."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return False if value is None else value


class UtmCampaign(models.Model):
    _inherit = "utm.campaign"

    ecrm_currency_id = fields.Many2one("res.currency", compute="_compute_ecrm_currency_id")
    ecrm_budget = fields.Monetary("Budget", currency_field="ecrm_currency_id",
                                  help="What the campaign may spend; the forecast ROI is worked out on it.",
                                  groups=ECRM_USER)
    ecrm_cost_ids = fields.One2many("ecrm.campaign.cost", "campaign_id", "Costs", groups=ECRM_USER)
    ecrm_revenue_basis = fields.Selection(
        REVENUE_BASES, "Revenue counted", default="confirmed", required=True,
        help="Which attributed revenue the actual ROI is worked out on.", groups=ECRM_USER)

    # ---- forecast ("ROI model"), before launch ----
    ecrm_segment_id = fields.Many2one("ecrm.segment", "Target segment", groups=ECRM_USER)
    ecrm_target_size = fields.Integer("Target size", help="How many customers the campaign reaches.", groups=ECRM_USER)
    ecrm_expected_response_rate = fields.Float("Expected response (%)", groups=ECRM_USER)
    ecrm_expected_conversion_rate = fields.Float("Expected conversion (%)",
                                                 help="Share of the responses that become orders.", groups=ECRM_USER)
    ecrm_expected_avg_order_value = fields.Monetary("Expected average order", currency_field="ecrm_currency_id",
                                                    groups=ECRM_USER)
    ecrm_margin_percent = fields.Float("Margin (%)", default=30.0,
                                       help="Gross margin on the campaign's sales when its product category's "
                                            "margin is not known (and, for the actual ROI on margin, when the "
                                            "margin of what the campaign sold is not known).", groups=ECRM_USER)
    ecrm_product_category_id = fields.Many2one(
        "product.category", "Products promoted",
        help="The forecast uses the margin of what was sold in this category (list price against standard "
             "cost), where known.", groups=ECRM_USER)
    ecrm_forecast_margin_percent = fields.Float("Margin used (%)", compute="_compute_ecrm_forecast", groups=ECRM_USER)
    ecrm_margin_source = fields.Selection(MARGIN_SOURCES, "Margin from", compute="_compute_ecrm_forecast",
                                          groups=ECRM_USER)
    ecrm_expected_revenue = fields.Monetary("Expected revenue", compute="_compute_ecrm_forecast",
                                            currency_field="ecrm_currency_id", groups=ECRM_USER)
    ecrm_expected_margin = fields.Monetary("Expected margin", compute="_compute_ecrm_forecast",
                                           currency_field="ecrm_currency_id", groups=ECRM_USER)
    # a ROI has a basis: both are given for the forecast and for the actuals, each set beside its like
    ecrm_expected_roi = fields.Float("Expected ROI on margin (%)", compute="_compute_ecrm_forecast",
                                     help="(expected margin - budget) / budget", groups=ECRM_USER)
    ecrm_expected_roi_on_revenue = fields.Float("Expected ROI on revenue (%)", compute="_compute_ecrm_forecast",
                                                help="(expected revenue - budget) / budget", groups=ECRM_USER)

    # ---- actuals, attributed through UTM (one grouped query for all records) ----
    ecrm_actual_cost = fields.Monetary("Actual cost", compute="_compute_ecrm_actuals",
                                       currency_field="ecrm_currency_id", groups=ECRM_USER)
    ecrm_lead_count = fields.Integer("Leads", compute="_compute_ecrm_actuals", groups=ECRM_USER)
    ecrm_opportunity_count = fields.Integer("Opportunities", compute="_compute_ecrm_actuals", groups=ECRM_USER)
    ecrm_won_count = fields.Integer("Opportunities won", compute="_compute_ecrm_actuals", groups=ECRM_USER)
    ecrm_quotation_count = fields.Integer("Quotations", compute="_compute_ecrm_actuals", groups=ECRM_USER)
    ecrm_order_count = fields.Integer("Confirmed orders", compute="_compute_ecrm_actuals", groups=ECRM_USER)
    ecrm_invoice_count = fields.Integer("Invoices", compute="_compute_ecrm_actuals", groups=ECRM_USER)
    ecrm_won_customer_count = fields.Integer("Customers won", compute="_compute_ecrm_actuals", groups=ECRM_USER)
    ecrm_revenue_confirmed = fields.Monetary("Confirmed revenue", compute="_compute_ecrm_actuals",
                                             currency_field="ecrm_currency_id", groups=ECRM_USER)
    ecrm_revenue_invoiced = fields.Monetary("Invoiced revenue", compute="_compute_ecrm_actuals",
                                            currency_field="ecrm_currency_id", groups=ECRM_USER)
    ecrm_revenue_paid = fields.Monetary("Paid revenue", compute="_compute_ecrm_actuals",
                                        currency_field="ecrm_currency_id", groups=ECRM_USER)
    ecrm_attributed_revenue = fields.Monetary("Attributed revenue", compute="_compute_ecrm_actuals",
                                              currency_field="ecrm_currency_id", groups=ECRM_USER)
    ecrm_actual_margin_percent = fields.Float(
        "Actual margin (%)", compute="_compute_ecrm_actuals",
        help="Gross margin of what the campaign's confirmed orders sold (untaxed price against standard cost, "
             "for the products with a cost); else the forecast's margin (see Actual margin from).", groups=ECRM_USER)
    ecrm_actual_margin_source = fields.Selection(ACTUAL_MARGIN_SOURCES, "Actual margin from",
                                                 compute="_compute_ecrm_actuals", groups=ECRM_USER)
    ecrm_attributed_margin = fields.Monetary("Attributed margin", compute="_compute_ecrm_actuals",
                                             currency_field="ecrm_currency_id",
                                             help="Attributed revenue x actual margin.", groups=ECRM_USER)
    ecrm_roi_on_margin = fields.Float("Actual ROI on margin (%)", compute="_compute_ecrm_actuals",
                                      help="(attributed margin - actual cost) / actual cost", groups=ECRM_USER)
    ecrm_roi = fields.Float("Actual ROI on revenue (%)", compute="_compute_ecrm_actuals",
                            help="(attributed revenue - actual cost) / actual cost", groups=ECRM_USER)
    ecrm_cost_per_lead = fields.Monetary("Cost per lead", compute="_compute_ecrm_actuals",
                                         currency_field="ecrm_currency_id", groups=ECRM_USER)
    ecrm_cost_per_won_customer = fields.Monetary("Cost per customer won", compute="_compute_ecrm_actuals",
                                                 currency_field="ecrm_currency_id", groups=ECRM_USER)

    def _compute_ecrm_currency_id(self):
        for campaign in self:
            campaign.ecrm_currency_id = self.env.user.company_id.currency_id

    @api.onchange("ecrm_segment_id")
    def _onchange_ecrm_segment_id(self):
        if self.ecrm_segment_id:
            self.ecrm_target_size = self.ecrm_segment_id.contactable_count

    @api.depends("ecrm_target_size", "ecrm_expected_response_rate", "ecrm_expected_conversion_rate",
                 "ecrm_expected_avg_order_value", "ecrm_margin_percent", "ecrm_budget", "ecrm_product_category_id")
    def _compute_ecrm_forecast(self):
        forecasts = self._ecrm_forecast_by_campaign()
        for campaign in self:
            margin, source, result = forecasts[campaign.id]
            campaign.ecrm_forecast_margin_percent = margin
            campaign.ecrm_margin_source = source
            campaign.ecrm_expected_revenue = result and result.revenue
            campaign.ecrm_expected_margin = result and result.margin
            campaign.ecrm_expected_roi = result and result.roi_percent or 0.0
            campaign.ecrm_expected_roi_on_revenue = result and result.roi_on_revenue_percent or 0.0

    def _ecrm_forecast_by_campaign(self):
        """{campaign id: (margin %, margin source, roi.Forecast or None)}; one query for the category margins."""
        category_margins = self._ecrm_category_margins(self.mapped("ecrm_product_category_id").ids)
        forecasts = {}
        for campaign in self:
            margin, source = roi.forecast_margin_percent(
                category_margins.get(campaign.ecrm_product_category_id.id), campaign.ecrm_margin_percent)
            try:
                result = roi.forecast(campaign.ecrm_target_size, campaign.ecrm_expected_response_rate,
                                      campaign.ecrm_expected_conversion_rate,
                                      campaign.ecrm_expected_avg_order_value, margin, campaign.ecrm_budget)
            except ValueError:  # the form shows the inputs; impossible ones give no forecast
                result = None
            forecasts[campaign.id] = (margin, source, result)
        return forecasts

    @api.model
    def _ecrm_category_margins(self, category_ids):
        """{category id: margin % of what was sold in it}, for the categories whose margin is known."""
        if not category_ids:
            return {}
        self.env.cr.execute(CATEGORY_MARGIN_SQL, {"category_ids": list(category_ids),
                                                  "company_ids": self.env.user.company_ids.ids})
        margins = {category_id: roi.sold_margin_percent(float(list_value), float(cost_value))
                   for category_id, list_value, cost_value in self.env.cr.fetchall()}
        return {category_id: margin for category_id, margin in margins.items() if margin is not None}

    def _compute_ecrm_actuals(self):
        report = self._ecrm_roi_rows(self.filtered("id").ids)
        for campaign in self:
            row = report.get(campaign.id) or dict(dict.fromkeys(ACTUAL_COUNTS + ACTUAL_AMOUNTS + (
                "attributed_revenue", "attributed_margin", "roi_percent", "cost_per_lead", "cost_per_won_customer",
                "margin_percent"), 0), margin_source=False, roi={"on_margin": None, "on_revenue": None})
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
                "ecrm_actual_margin_percent": row["margin_percent"],
                "ecrm_actual_margin_source": row["margin_source"],
                "ecrm_attributed_margin": row["attributed_margin"],
                "ecrm_roi_on_margin": row["roi"]["on_margin"] or 0.0,
                "ecrm_roi": row["roi"]["on_revenue"] or 0.0,
                "ecrm_cost_per_lead": row["cost_per_lead"] or 0.0,
                "ecrm_cost_per_won_customer": row["cost_per_won_customer"] or 0.0,
            })

    # ---- integrator API ----

    @api.model
    def ecrm_roi_report(self, campaign_ids):
        """Forecast and actual figures of campaigns, as plain data keyed by campaign id (a string).

        Each value holds: campaign_id, name, revenue_basis, budget, the counts (lead_count,
        opportunity_count, won_count, quotation_count, order_count, invoice_count,
        won_customer_count), the amounts (revenue_confirmed, revenue_invoiced,
        revenue_paid, cost, attributed_revenue, attributed_margin), the actual margin_percent
        with its margin_source ("sold": what the campaign's orders sold, against standard
        cost; else the forecast's "category" or "configured" margin), roi ({"on_margin",
        "on_revenue"}), roi_percent (the ROI on revenue, as roi["on_revenue"]),
        cost_per_lead, cost_per_won_customer (False when there is nothing to divide by) and
        forecast (expected_revenue, expected_margin, roi ({"on_margin", "on_revenue"}),
        expected_roi_percent (on margin, as roi["on_margin"]), and the margin_percent it
        used, with margin_source "category" or "configured"; False when the campaign's
        inputs give no forecast). A ROI compares with another on the same basis only.
        Amounts are in the currency of the caller's company, converted at each
        document's date. Only documents of the caller's companies count, and only
        the campaigns the caller may read are answered (others are left out).
        The answer is the same in Python, over XML-RPC and over JSON-RPC: string
        keys, no None (XML-RPC carries neither integer keys nor None).

        The figures are eCRM staff's: anyone else gets an AccessError.
        """
        if self.env.uid != SUPERUSER_ID and not self.env.user.has_group(ECRM_USER):
            raise AccessError(_("Campaign figures are for eCRM users only."))
        if not isinstance(campaign_ids, (list, tuple)) or not all(
                isinstance(campaign_id, int) and not isinstance(campaign_id, bool) for campaign_id in campaign_ids):
            raise UserError(_("Give the campaigns as a list of ids."))
        # the statement below reads raw SQL: keep to the campaigns the caller's record rules let it read
        readable = self.search([("id", "in", list(campaign_ids))]).ids
        return {str(campaign_id): _plain(row) for campaign_id, row in self._ecrm_roi_rows(readable).items()}

    @api.model
    def _ecrm_roi_rows(self, campaign_ids):
        """{campaign id: figures} as ``ecrm_roi_report`` describes them, with integer keys and None for
        "nothing to divide by"; no access check (the callers have made theirs)."""
        campaign_ids = [int(campaign_id) for campaign_id in campaign_ids]
        if not campaign_ids:
            return {}
        currency = self.env.user.company_id.currency_id
        companies = self.env.user.company_ids
        self.env.cr.execute(ACTUALS_SQL.format(rates=self.env["res.currency"]._select_companies_rates()), {
            "campaign_ids": campaign_ids, "company_ids": companies.ids, "currency_id": currency.id,
            "foreign_possible": self._ecrm_foreign_currency_possible(currency, companies)})
        rows = self.env.cr.dictfetchall()
        forecast_inputs = self.browse([row["campaign_id"] for row in rows])._ecrm_forecast_by_campaign()
        forecasts = self._ecrm_forecasts(forecast_inputs)
        report = {}
        for row in rows:
            for key in ACTUAL_AMOUNTS + ("budget",):
                row[key] = float(row[key])
            row["attributed_revenue"] = roi.attributed_revenue(
                row["revenue_basis"], row["revenue_confirmed"], row["revenue_invoiced"], row["revenue_paid"])
            row.update(roi.actuals(row["cost"], row["attributed_revenue"], row["lead_count"],
                                   row["won_customer_count"]))
            sold_value, sold_cost_value = row.pop("sold_value"), row.pop("sold_cost_value")
            sold_margin = None if sold_value is None or sold_cost_value is None else roi.sold_margin_percent(
                float(sold_value), float(sold_cost_value))
            forecast_margin, forecast_source, _result = forecast_inputs[row["campaign_id"]]
            row["margin_percent"], row["margin_source"] = roi.actual_margin_percent(
                sold_margin, forecast_margin, forecast_source)
            row["attributed_margin"] = roi.margin_amount(row["attributed_revenue"], row["margin_percent"])
            row["roi"] = roi.roi_bases(row["attributed_revenue"], row["attributed_margin"], row["cost"])
            row["forecast"] = forecasts[row["campaign_id"]]
            report[row["campaign_id"]] = row
        return report

    @api.model
    def _ecrm_foreign_currency_possible(self, currency, companies):
        """Whether a price list or a company of ``companies`` uses another currency than ``currency``."""
        self.env.cr.execute("""
            SELECT EXISTS (SELECT 1 FROM product_pricelist WHERE currency_id != %(currency)s)
                OR EXISTS (SELECT 1 FROM res_company WHERE id = ANY(%(companies)s) AND currency_id != %(currency)s)
        """, {"currency": currency.id, "companies": companies.ids})
        return self.env.cr.fetchone()[0]

    @api.model
    def _ecrm_forecasts(self, forecast_inputs):
        """The report's forecast part from ``_ecrm_forecast_by_campaign``'s answer."""
        forecasts = {}
        for campaign_id, (margin, source, result) in forecast_inputs.items():
            forecasts[campaign_id] = result and {
                "expected_revenue": result.revenue, "expected_margin": result.margin,
                "roi": {"on_margin": result.roi_percent, "on_revenue": result.roi_on_revenue_percent},
                "expected_roi_percent": result.roi_percent, "margin_percent": margin, "margin_source": source}
        return forecasts

    @api.multi
    def action_view_ecrm_costs(self):
        self.ensure_one()
        action = self.env.ref("ecrm_marketing.ecrm_campaign_cost_action").read()[0]
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"default_campaign_id": self.id}
        return action
