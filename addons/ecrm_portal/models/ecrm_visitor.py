# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import uuid

from odoo import fields, models


class EcrmVisitor(models.Model):
    """A browser that accepted tracking cookies; linked to the customer once they log in.

    Nothing exists here before consent: the banner's refusal lives only in the
    visitor's own cookie.
    """

    _name = "ecrm.visitor"
    _description = "Website visitor"
    _order = "last_seen desc, id desc"
    _rec_name = "cookie_key"

    cookie_key = fields.Char(required=True, readonly=True, index=True, copy=False,
                             default=lambda self: uuid.uuid4().hex)
    partner_id = fields.Many2one("res.partner", "Customer", index=True, ondelete="set null", readonly=True)
    website_id = fields.Many2one("website", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True,
                                 default=lambda self: self.env.user.company_id)
    consent_date = fields.Datetime("Consented on", readonly=True, default=fields.Datetime.now)
    last_seen = fields.Datetime(readonly=True, default=fields.Datetime.now)
    visit_count = fields.Integer("Visits", readonly=True, default=0)
    page_view_ids = fields.One2many("ecrm.page.view", "visitor_id", "Page views", readonly=True)

    _sql_constraints = [("cookie_key_unique", "UNIQUE (cookie_key)", "A visitor cookie identifies one visitor.")]
