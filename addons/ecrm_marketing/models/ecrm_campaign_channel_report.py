# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools

from odoo.addons.ecrm_core.customer360.currency_sql import converted_rows


class EcrmCampaignChannelReport(models.Model):
    """Attributed leads, orders, invoices and costs by campaign, medium and source (channel comparison).

    Amounts are in the currency of the document's company (orders converted at their date).
    """

    _name = "ecrm.campaign.channel.report"
    _description = "Campaign channel comparison"
    _auto = False
    _rec_name = "campaign_id"

    campaign_id = fields.Many2one("utm.campaign", readonly=True)
    medium_id = fields.Many2one("utm.medium", readonly=True)
    source_id = fields.Many2one("utm.source", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    lead_count = fields.Integer("Leads", readonly=True)
    opportunity_count = fields.Integer("Opportunities", readonly=True)
    won_count = fields.Integer("Opportunities won", readonly=True)
    quotation_count = fields.Integer("Quotations", readonly=True)
    order_count = fields.Integer("Confirmed orders", readonly=True)
    invoice_count = fields.Integer("Invoices", readonly=True)
    revenue_confirmed = fields.Float("Confirmed revenue", readonly=True)
    revenue_invoiced = fields.Float("Invoiced revenue", readonly=True)
    revenue_paid = fields.Float("Paid revenue", readonly=True)
    cost = fields.Float("Cost", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        # same figures as utm.campaign.ecrm_roi_report, kept per channel so they add up in a pivot
        self.env.cr.execute("""
            CREATE VIEW {table} AS (
            WITH currency_rate AS ({rates})
            SELECT row_number() OVER () AS id, campaign_id, medium_id, source_id, company_id,
                   sum(lead_count) AS lead_count, sum(opportunity_count) AS opportunity_count,
                   sum(won_count) AS won_count, sum(quotation_count) AS quotation_count,
                   sum(order_count) AS order_count, sum(invoice_count) AS invoice_count,
                   sum(revenue_confirmed) AS revenue_confirmed, sum(revenue_invoiced) AS revenue_invoiced,
                   sum(revenue_paid) AS revenue_paid, sum(cost) AS cost
              FROM (
                SELECT campaign_id, medium_id, source_id, company_id,
                       count(*) AS lead_count,
                       count(*) FILTER (WHERE type = 'opportunity') AS opportunity_count,
                       count(*) FILTER (WHERE type = 'opportunity' AND probability >= 100 AND active)
                           AS won_count,
                       0 AS quotation_count, 0 AS order_count, 0 AS invoice_count,
                       0 AS revenue_confirmed, 0 AS revenue_invoiced, 0 AS revenue_paid, 0 AS cost
                  FROM crm_lead WHERE campaign_id IS NOT NULL
                 GROUP BY campaign_id, medium_id, source_id, company_id
                UNION ALL
                SELECT campaign_id, medium_id, source_id, company_id, 0, 0, 0,
                       count(*) FILTER (WHERE state != 'cancel'),
                       count(*) FILTER (WHERE state IN ('sale', 'done')), 0,
                       coalesce(sum(converted) FILTER (WHERE state IN ('sale', 'done')), 0), 0, 0, 0
                  FROM ({orders}) AS order_amounts
                 GROUP BY campaign_id, medium_id, source_id, company_id
                UNION ALL
                SELECT campaign_id, medium_id, source_id, company_id, 0, 0, 0, 0, 0, count(*), 0,
                       sum(amount_untaxed_signed),
                       sum(CASE WHEN amount_total_company_signed = 0 THEN 0
                                ELSE amount_untaxed_signed * (amount_total_company_signed - residual_company_signed)
                                     / amount_total_company_signed END), 0
                  FROM account_invoice
                 WHERE campaign_id IS NOT NULL AND type IN ('out_invoice', 'out_refund')
                   AND state IN ('open', 'paid')
                 GROUP BY campaign_id, medium_id, source_id, company_id
                UNION ALL
                SELECT campaign_id, medium_id, NULL, company_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, sum(amount)
                  FROM ecrm_campaign_cost
                 GROUP BY campaign_id, medium_id, company_id
              ) AS figures
             GROUP BY campaign_id, medium_id, source_id, company_id
            )""".format(table=self._table, rates=self.env["res.currency"]._select_companies_rates(),
                        orders=converted_rows("""
                SELECT s.campaign_id, s.medium_id, s.source_id, s.state, s.amount_untaxed AS amount,
                       pricelist.currency_id, company.currency_id AS target_currency_id, s.company_id,
                       s.date_order AS date
                  FROM sale_order s
                  JOIN product_pricelist pricelist ON pricelist.id = s.pricelist_id
                  JOIN res_company company ON company.id = s.company_id
                 WHERE s.campaign_id IS NOT NULL""")))
