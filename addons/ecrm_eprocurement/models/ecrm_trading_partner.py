# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import decimal
import hashlib
import ipaddress
import secrets

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..order_formats import DEFAULT_LIMITS, Limits, Problem, sample


def hash_credential(credential):
    # Credentials are 256-bit random tokens, so a plain SHA-256 cannot be brute-forced
    # and lets the endpoint find the trading partner with one indexed lookup.
    return hashlib.sha256(credential.encode("utf-8")).hexdigest()


class EcrmTradingPartner(models.Model):
    """A buyer allowed to send us orders electronically, and how we answer it."""

    _name = "ecrm.trading.partner"
    _description = "E-procurement trading partner"
    _inherit = ["mail.thread"]
    _order = "name"

    name = fields.Char(required=True, track_visibility="onchange")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.user.company_id)
    partner_id = fields.Many2one(
        "res.partner", "Buyer", required=True, index=True, ondelete="restrict",
        help="Customer the orders are placed by; may be a consortium ordering for member bodies.")
    member_ids = fields.Many2many(
        "res.partner", string="Member bodies",
        help="When the buyer is a consortium: the members it orders for. An order naming a member's GLN is "
             "placed for that member and invoiced to the consortium.")
    user_id = fields.Many2one("res.users", "Salesperson", help="Salesperson of the orders received.")
    gln = fields.Char("GLN", help="GS1 Global Location Number of the buyer.")
    peppol_participant_id = fields.Char("PEPPOL participant id", help="e.g. 0088:5012345000004")
    buyer_party_id = fields.Char("Buyer party id", help="Our account number in the buyer's system.")
    cxml_domain = fields.Char("cXML domain")
    cxml_identity = fields.Char("cXML identity")
    format_peppol_order = fields.Boolean("PEPPOL BIS 3 Order", default=True)
    format_csv = fields.Boolean("CSV")
    format_cxml = fields.Boolean("cXML OrderRequest")
    credential_hash = fields.Char(copy=False, index=True, readonly=True, groups="base.group_system")
    credential_date = fields.Datetime("Credential issued", copy=False, readonly=True)
    ip_allowlist = fields.Char(
        "Allowed source addresses",
        help="Comma-separated IP addresses or networks (CIDR); empty allows any address.")
    test_mode = fields.Boolean(
        track_visibility="onchange",
        help="Orders are validated and acknowledged but become quotations tagged TEST, never confirmed.")
    auto_confirm = fields.Boolean("Confirm orders automatically", default=True, track_visibility="onchange")
    pricelist_id = fields.Many2one("product.pricelist", "Pricelist", help="Defaults to the buyer's pricelist.")
    price_tolerance = fields.Float(
        "Price tolerance (%)", default=2.0,
        help="A buyer's unit price further than this from ours rejects the line.")
    urgent_sla_hours = fields.Integer("Urgent order SLA (hours)", default=24)
    # Bounds an order must keep (order_formats/bounds.py); anything beyond is refused, finally
    max_quantity = fields.Float("Largest quantity per line", default=float(DEFAULT_LIMITS.max_quantity))
    max_line_value = fields.Float("Largest line value", default=float(DEFAULT_LIMITS.max_line_value),
                                  help="Quantity times our unit price, in the pricelist's currency.")
    max_order_value = fields.Float("Largest order value", default=float(DEFAULT_LIMITS.max_order_value))
    max_id_length = fields.Integer("Longest identifier", default=DEFAULT_LIMITS.max_id_length,
                                   help="Order, line, item and location ids longer than this are refused.")
    product_mapping_ids = fields.One2many("ecrm.trading.partner.product", "trading_partner_id", "Product mapping")
    exchange_ids = fields.One2many("ecrm.exchange", "trading_partner_id", "Exchanges")
    exchange_error_count = fields.Integer(compute="_compute_exchange_error_count", string="Errors")

    _sql_constraints = [
        ("tolerance_range", "CHECK (price_tolerance >= 0 AND price_tolerance <= 100)",
         "The price tolerance is a percentage between 0 and 100."),
        ("bounds_positive", "CHECK (max_quantity > 0 AND max_line_value > 0 AND max_order_value > 0 "
                            "AND max_id_length BETWEEN 1 AND 1000)",
         "Order bounds must be positive, and an identifier at most 1000 characters."),
    ]

    def _order_limits(self):
        self.ensure_one()
        return DEFAULT_LIMITS._replace(
            max_quantity=decimal.Decimal(repr(self.max_quantity)),
            max_line_value=decimal.Decimal(repr(self.max_line_value)),
            max_order_value=decimal.Decimal(repr(self.max_order_value)), max_id_length=self.max_id_length)

    def _compute_exchange_error_count(self):
        counts = self.env["ecrm.exchange"].read_group(
            [("trading_partner_id", "in", self.ids), ("state", "=", "error")],
            ["trading_partner_id"], ["trading_partner_id"])
        by_partner = {row["trading_partner_id"][0]: row["trading_partner_id_count"] for row in counts}
        for trading_partner in self:
            trading_partner.exchange_error_count = by_partner.get(trading_partner.id, 0)

    @api.constrains("ip_allowlist")
    def _check_ip_allowlist(self):
        for trading_partner in self:
            try:
                trading_partner._allowed_networks()
            except ValueError as error:
                raise ValidationError(_("Allowed source addresses: %s") % error)

    def _allowed_networks(self):
        return [ipaddress.ip_network(item.strip(), strict=False)
                for item in (self.ip_allowlist or "").split(",") if item.strip()]

    def _format_enabled(self, format_code):
        return {"peppol-order": self.format_peppol_order, "csv": self.format_csv,
                "cxml": self.format_cxml}.get(format_code, False)

    # ---- integrator API ----

    @api.multi
    def generate_credential(self):
        """Issue a new credential, invalidating the old one; returns it in clear text, once.

        Only an eCRM Manager may call it. Over XML-RPC: ``generate_credential([id])``.
        """
        self.ensure_one()
        if not self.env.user.has_group("ecrm_core.group_ecrm_manager"):
            raise AccessError(_("Only an eCRM Manager may generate e-procurement credentials."))
        self.check_access_rule("write")
        credential = "ecrm_" + secrets.token_urlsafe(32)
        self.sudo().write({"credential_hash": hash_credential(credential),
                           "credential_date": fields.Datetime.now()})
        self.message_post(body=_("A new credential was generated; the previous one no longer works."))
        return credential

    @api.model
    def _authenticate(self, credential, remote_addr):
        """The trading partner owning ``credential`` if the source address is allowed, else empty."""
        if not credential:
            return self.browse()
        found = self.sudo().search([("credential_hash", "=", hash_credential(credential))], limit=1)
        if found and found._allowed_networks():
            try:
                address = ipaddress.ip_address(remote_addr or "")
            except ValueError:
                return self.browse()
            if not any(address in network for network in found._allowed_networks()):
                return self.browse()
        return found

    # ---- order mapping (the exchange calls these) ----

    def _ordering_partner(self, buyer):
        """Who the order is for: the buyer, or the member body a consortium names; else a problem.

        A document naming a buyer must name this one (or one of its members): a
        credential cannot order for someone else.
        """
        named = {value for value in (buyer.get("endpoint_id"), buyer.get("party_id"), buyer.get("cxml_identity"))
                 if value}
        ours = {value.split(":")[-1] for value in (self.gln, self.peppol_participant_id, self.buyer_party_id,
                                                   self.cxml_identity) if value}
        if not named or not ours or named & ours:
            return self.partner_id, []
        member = self.member_ids.filtered(lambda partner: partner.ecrm_gln in named)
        if member:
            return member[0], []
        message = "the buyer party in the document (%s) is not this trading partner's (%s) nor one of its members"
        return self.partner_id, [Problem(None, message % (", ".join(sorted(named)), ", ".join(sorted(ours))))]

    def _effective_pricelist(self):
        return self.pricelist_id or self.partner_id.property_product_pricelist

    def _match_products(self, lines):
        """Product for each parsed line: mapping table, then GTIN (barcode), then SKU (default_code).

        Three queries for the whole order, whatever its length.
        """
        Product = self.env["product.product"].with_context(active_test=True)
        mapped = {m.buyer_item_id: m for m in self.product_mapping_ids.filtered(
            lambda m: m.buyer_item_id in {line["buyer_item_id"] for line in lines})}
        company_domain = [("sale_ok", "=", True), ("company_id", "in", (False, self.company_id.id))]
        gtins = [line["gtin"] for line in lines if line["gtin"]]
        skus = [line["seller_item_id"] for line in lines if line["seller_item_id"]]
        by_gtin = {product.barcode: product
                   for product in Product.search([("barcode", "in", gtins)] + company_domain)} if gtins else {}
        by_sku = {product.default_code: product
                  for product in Product.search([("default_code", "in", skus)] + company_domain)} if skus else {}
        matches, problems = [], []
        for line in lines:
            mapping = mapped.get(line["buyer_item_id"])
            product = ((mapping and mapping.product_id) or by_gtin.get(line["gtin"])
                       or by_sku.get(line["seller_item_id"]))
            if not product:
                problems.append(Problem(line["line"], (
                    "order line %s: unknown product (buyer item id %s, GTIN %s, SKU %s)"
                    % (line["line_id"], line["buyer_item_id"] or "-", line["gtin"] or "-",
                       line["seller_item_id"] or "-"))))
            matches.append((product, mapping.contract_price if mapping and mapping.contract_price else None))
        return matches, problems

    def _delivery_partner(self, delivery, buyer):
        """Delivery contact from the order's delivery party: GLN, then address; created if new.

        A GLN names a delivery point only within the buyer's own commercial entity (or, for a
        consortium ordering for a member, the consortium's): another customer's GLN is answered
        exactly like a GLN nobody has, so a buyer can neither ship to someone else's depot nor
        tell which GLNs exist.
        """
        if not delivery or not (delivery.get("gln") or delivery.get("street")):
            return buyer.browse(buyer.address_get(["delivery"])["delivery"]), []
        commercial = buyer.commercial_partner_id
        if delivery.get("gln"):
            owners = (commercial | self.partner_id.commercial_partner_id).ids
            found = self.env["res.partner"].search([
                ("ecrm_gln", "=", delivery["gln"]), ("id", "child_of", owners)])
            if found:
                in_tree = found.filtered(lambda p: p.commercial_partner_id == commercial)
                return (in_tree or found)[0], []
            if not delivery.get("street"):
                return buyer, [Problem(None, "unknown delivery location GLN %s" % delivery["gln"])]
        same_address = self.env["res.partner"].search([
            ("id", "child_of", commercial.id), ("street", "=ilike", delivery["street"]),
            ("zip", "=ilike", delivery.get("zip") or "")], limit=1)
        if same_address:
            return same_address, []
        country = self.env["res.country"].search([("code", "=", (delivery.get("country_code") or "").upper())], limit=1)
        return self.env["res.partner"].create({
            "parent_id": commercial.id, "type": "delivery",
            "name": delivery.get("name") or delivery["street"], "street": delivery["street"],
            "street2": delivery.get("street2"), "city": delivery.get("city"), "zip": delivery.get("zip"),
            "country_id": country.id, "ecrm_gln": delivery.get("gln"),
        }), []

    # ---- back office ----

    @api.multi
    def action_send_test_order(self):
        """Run a sample PEPPOL order from the first mapped products through the real pipeline, in test mode.

        Only an eCRM Manager may: the pipeline writes exchanges and quotations as the superuser.
        """
        self.ensure_one()
        if not self.env.user.has_group("ecrm_core.group_ecrm_manager"):
            raise AccessError(_("Only an eCRM Manager may send a test order."))
        self.check_access_rights("write")
        self.check_access_rule("write")
        mappings = self.product_mapping_ids[:3]
        if not mappings:
            raise UserError(_("Map at least one buyer item id to a product before sending a test order."))
        payload = sample.build_order(
            "TEST-%s" % fields.Datetime.now().replace(" ", "T"),
            [{"buyer_item_id": m.buyer_item_id, "quantity": 1, "name": m.product_id.name} for m in mappings],
            currency=self._effective_pricelist().currency_id.name or "GBP",
            buyer_gln=self.gln or "0000000000000", buyer_name=self.partner_id.name,
            seller_name=self.company_id.name)
        exchange = self.env["ecrm.exchange"]._receive(self, "peppol-order", payload, test_mode=True)._run(payload)
        return {
            "type": "ir.actions.act_window", "res_model": "ecrm.exchange", "res_id": exchange.id,
            "view_mode": "form", "target": "current",
        }

    @api.multi
    def action_view_exchanges(self):
        action = self.env.ref("ecrm_eprocurement.ecrm_exchange_action").read()[0]
        action["domain"] = [("trading_partner_id", "in", self.ids)]
        return action

    @api.multi
    def action_view_errors(self):
        """The error queue of these trading partners: the exchanges their Errors count counts."""
        action = self.env.ref("ecrm_eprocurement.ecrm_exchange_action_error_queue").read()[0]
        action["domain"] = [("trading_partner_id", "in", self.ids)]
        return action

    @api.multi
    def action_generate_credential(self):
        credential = self.generate_credential()
        return {
            "type": "ir.actions.act_window", "res_model": "ecrm.credential.wizard", "view_mode": "form",
            "target": "new", "name": _("New credential for %s") % self.name,
            "context": {"default_credential": credential, "default_trading_partner_id": self.id},
        }
