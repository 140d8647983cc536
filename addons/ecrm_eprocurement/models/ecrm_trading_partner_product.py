# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class EcrmTradingPartnerProduct(models.Model):
    """The buyer's own item number for one of our products."""

    _name = "ecrm.trading.partner.product"
    _description = "E-procurement product mapping"
    _order = "buyer_item_id"

    trading_partner_id = fields.Many2one("ecrm.trading.partner", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="trading_partner_id.company_id", store=True, readonly=True)
    buyer_item_id = fields.Char("Buyer item id", required=True)
    product_id = fields.Many2one(
        "product.product", required=True, ondelete="restrict", domain=[("sale_ok", "=", True)])
    contract_price = fields.Float(
        digits=(16, 4), help="Agreed unit price; when set it is the reference price instead of the pricelist.")

    _sql_constraints = [
        ("buyer_item_uniq", "unique (trading_partner_id, buyer_item_id)",
         "A buyer item id maps to one product per trading partner."),
    ]
