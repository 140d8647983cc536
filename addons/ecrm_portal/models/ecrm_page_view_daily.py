# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class EcrmPageViewDaily(models.Model):
    """Page views per day, page and product: what survives the purge of the raw clickstream."""

    _name = "ecrm.page.view.daily"
    _description = "Website page views per day"
    _order = "day desc, views desc"
    _rec_name = "path"

    day = fields.Date(required=True, index=True, readonly=True)
    website_id = fields.Many2one("website", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    path = fields.Char(required=True, readonly=True)
    product_tmpl_id = fields.Many2one("product.template", "Product", readonly=True)
    public_categ_id = fields.Many2one("product.public.category", "Shop category", readonly=True)
    views = fields.Integer(readonly=True, group_operator="sum")
    visitors = fields.Integer(readonly=True, group_operator="sum")

    @api.model
    def _aggregate_before(self, cutoff):
        self.env.cr.execute("""
            INSERT INTO ecrm_page_view_daily (create_uid, create_date, write_uid, write_date, day, website_id,
                                              company_id, path, product_tmpl_id, public_categ_id, views, visitors)
            SELECT %s, now() at time zone 'UTC', %s, now() at time zone 'UTC', date::date, website_id, company_id,
                   path, product_tmpl_id, public_categ_id, COUNT(*), COUNT(DISTINCT visitor_id)
              FROM ecrm_page_view WHERE date < %s
          GROUP BY date::date, website_id, company_id, path, product_tmpl_id, public_categ_id
        """, (self.env.uid, self.env.uid, cutoff))
