# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models, tools


class EcrmCampaignRoiReport(models.Model):
    """One row per campaign and company with its actual ROI, for the "ROI by campaign" graph.

    A ROI does not add up across rows, so it is worked out here per campaign
    (on the revenue basis the campaign chose) rather than summed in a pivot.
    Each company's row holds its own costs and attributed revenue, in its currency.
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
    roi_percent = fields.Float("ROI (%)", readonly=True, group_operator="max")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute("""
            CREATE VIEW %s AS (
            SELECT row_number() OVER (ORDER BY campaign.id, figures.company_id) AS id,
                   campaign.id AS campaign_id, figures.company_id, coalesce(campaign.ecrm_budget, 0) AS budget,
                   figures.cost, figures.revenue AS attributed_revenue,
                   CASE WHEN figures.cost > 0 THEN (figures.revenue - figures.cost) / figures.cost * 100 END
                       AS roi_percent
              FROM utm_campaign campaign
              JOIN (SELECT report.campaign_id, report.company_id, sum(report.cost) AS cost,
                           sum(CASE campaign.ecrm_revenue_basis WHEN 'invoiced' THEN report.revenue_invoiced
                                    WHEN 'paid' THEN report.revenue_paid
                                    ELSE report.revenue_confirmed END) AS revenue
                      FROM ecrm_campaign_channel_report report
                      JOIN utm_campaign campaign ON campaign.id = report.campaign_id
                     GROUP BY report.campaign_id, report.company_id) AS figures
                ON figures.campaign_id = campaign.id
            )""" % self._table)
