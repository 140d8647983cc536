from odoo.addons.ecrm_core.tests.common import new_user
from odoo.addons.queue_job.job import Job
from odoo.tests.common import TransactionCase

from ..order_formats.sample import build_order


class EprocurementCase(TransactionCase):
    """A hospital buyer with a trading partner, three products and a mapping."""

    def setUp(self):
        super().setUp()
        self.Exchange = self.env["ecrm.exchange"]
        Partner = self.env["res.partner"]
        self.pricelist = self.env["product.pricelist"].create({
            "name": "NHS contract (test)", "currency_id": self.env.ref("base.GBP").id})
        self.buyer = Partner.create({"name": "Harrogate District NHS (test)", "is_company": True,
                                     "property_product_pricelist": self.pricelist.id})
        self.goods_in = Partner.create({"name": "Goods In (test)", "parent_id": self.buyer.id, "type": "delivery",
                                        "street": "Lancaster Park Road", "zip": "HG2 7SX",
                                        "ecrm_gln": "5099999000012"})
        Product = self.env["product.product"]
        self.sling = Product.create({"name": "Sling (test)", "default_code": "T-SL", "barcode": "5099999100017",
                                     "list_price": 100.0})
        self.board = Product.create({"name": "Board (test)", "default_code": "T-BB", "barcode": "5099999100024",
                                     "list_price": 10.0})
        self.frame = Product.create({"name": "Frame (test)", "default_code": "T-WF", "list_price": 40.0})
        self.trading_partner = self.env["ecrm.trading.partner"].create({
            "name": "Harrogate (test)", "partner_id": self.buyer.id, "gln": "5099999000005",
            "price_tolerance": 5.0, "auto_confirm": True,
            "product_mapping_ids": [(0, 0, {"buyer_item_id": "H-1", "product_id": self.sling.id})],
        })

    def order(self, document_id="PO-1", lines=None, **kwargs):
        lines = lines if lines is not None else [
            {"buyer_item_id": "H-1", "quantity": 2, "unit_price": "100.00"},
            {"gtin": "5099999100024", "quantity": 5},
            {"seller_item_id": "T-WF", "quantity": 1},
        ]
        kwargs.setdefault("buyer_gln", "5099999000005")
        return build_order(document_id, lines, **kwargs)

    def receive(self, payload, trading_partner=None, fmt="peppol-order"):
        exchange = self.Exchange._receive(trading_partner or self.trading_partner, fmt, payload)
        return exchange._run()

    def run_job(self, job_record):
        """Run a queued job as the runner would: started, performed, done (in this transaction)."""
        job = Job.load(self.env, job_record.uuid)
        job.set_started()
        job.store()
        result = job.perform()
        job.set_done(result=result)
        job.store()
        return result

    def orders_for(self, document_id):
        return self.env["sale.order"].search([("client_order_ref", "=", document_id)])

    def make_user(self, login, groups, company=None):
        return new_user(self.env, login, groups, company)
