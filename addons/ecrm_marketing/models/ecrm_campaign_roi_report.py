# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools

from .utm_campaign import ACTUAL_MARGIN_SOURCES, sold_and_cost_sql


class EcrmCampaignRoiReport(models.Model):
    """One row per campaign and company with its actual ROI on both bases, for the "ROI by campaign" graph.

    A ROI does not add up across rows, so it is worked out here per campaign
    (on the revenue basis the campaign chose) rather than summed in a pivot.
    Each company's row holds its own costs, attributed revenue and margin, in its currency.
    The margin is the campaign's form's: that of what the campaign's confirmed orders of the
    company sold (untaxed price against standard cost, products with a cost only), else that
    of what was sold in the campaign's product category (list price against standard cost,
    0-100 %), else the campaign's configured margin.
    """

    _name = "ecrm.campaign.roi.report"
    _description = "Campaign ROI"
    _auto = False
    _rec_name = "campaign_id"
    _order = "roi_percent desc"

    campaign_id = fields.Many2one("utm.campaign", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    budget = fields.Float(readonly=True)
    cost = fields.Float(readonly=True)
    attributed_revenue = fields.Float(readonly=True)
    margin_percent = fields.Float("Margin (%)", readonly=True, group_operator="max")
    margin_source = fields.Selection(ACTUAL_MARGIN_SOURCES, "Margin from", readonly=True)
    attributed_margin = fields.Float(readonly=True)
    roi_on_margin_percent = fields.Float("ROI on margin (%)", readonly=True, group_operator="max")
    roi_percent = fields.Float("ROI on revenue (%)", readonly=True, group_operator="max")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute("""
            CREATE VIEW {table} AS (
            WITH currency_rate AS ({rates}),
            sold AS (
                SELECT campaign_id, company_id,
                       sum(converted) FILTER (WHERE kind = 'sold') AS sold_value,
                       sum(converted) FILTER (WHERE kind = 'cost') AS cost_value
                  FROM ({sold}) AS sold_amounts
                 GROUP BY campaign_id, company_id
            ), category_sold AS (
                SELECT campaign.id AS campaign_id, line.company_id,
                       sum(line.product_uom_qty * template.list_price) AS list_value,
                       sum(line.product_uom_qty * cost.value_float) AS cost_value
                  FROM utm_campaign campaign
                  JOIN product_category category ON category.id = campaign.ecrm_product_category_id
                  JOIN product_category child
                    ON child.parent_left >= category.parent_left AND child.parent_left < category.parent_right
                  JOIN product_template template ON template.categ_id = child.id
                  JOIN product_product product ON product.product_tmpl_id = template.id
                  JOIN sale_order_line line ON line.product_id = product.id
                  JOIN ir_property cost ON cost.name = 'standard_price' AND cost.company_id = line.company_id
                                       AND cost.res_id = 'product.product,' || line.product_id
                 WHERE line.state IN ('sale', 'done') AND template.list_price > 0 AND cost.value_float > 0
                 GROUP BY campaign.id, line.company_id
            ), figures AS (
                SELECT report.campaign_id, report.company_id, sum(report.cost) AS cost,
                       sum(CASE campaign.ecrm_revenue_basis WHEN 'invoiced' THEN report.revenue_invoiced
                                WHEN 'paid' THEN report.revenue_paid
                                ELSE report.revenue_confirmed END) AS revenue
                  FROM ecrm_campaign_channel_report report
                  JOIN utm_campaign campaign ON campaign.id = report.campaign_id
                 GROUP BY report.campaign_id, report.company_id
            ), margins AS (
                SELECT figures.*, coalesce(campaign.ecrm_budget, 0) AS budget,
                       CASE WHEN sold.sold_value > 0 THEN (sold.sold_value - sold.cost_value) / sold.sold_value * 100
                            WHEN category_sold.list_value > 0 THEN least(greatest(
                                (category_sold.list_value - category_sold.cost_value) / category_sold.list_value
                                * 100, 0), 100)
                            ELSE coalesce(campaign.ecrm_margin_percent, 0) END AS margin_percent,
                       CASE WHEN sold.sold_value > 0 THEN 'sold'
                            WHEN category_sold.list_value > 0 THEN 'category'
                            ELSE 'configured' END AS margin_source
                  FROM figures
                  JOIN utm_campaign campaign ON campaign.id = figures.campaign_id
                  LEFT JOIN sold ON sold.campaign_id = figures.campaign_id AND sold.company_id = figures.company_id
                  LEFT JOIN category_sold ON category_sold.campaign_id = figures.campaign_id
                                         AND category_sold.company_id = figures.company_id
            )
            SELECT row_number() OVER (ORDER BY campaign_id, company_id) AS id,
                   campaign_id, company_id, budget, cost, revenue AS attributed_revenue,
                   margin_percent, margin_source, revenue * margin_percent / 100 AS attributed_margin,
                   CASE WHEN cost > 0 THEN (revenue * margin_percent / 100 - cost) / cost * 100 END
                       AS roi_on_margin_percent,
                   CASE WHEN cost > 0 THEN (revenue - cost) / cost * 100 END AS roi_percent
              FROM margins
            )""".format(table=self._table, rates=self.env["res.currency"]._select_companies_rates(),
                        # as on utm.campaign, in the currency of the order's company
                        sold=sold_and_cost_sql("company.currency_id", "s.campaign_id IS NOT NULL")))
