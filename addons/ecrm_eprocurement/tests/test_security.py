from odoo.exceptions import AccessError
from odoo.models import check_method_name

from .common import EprocurementCase


class TestSecurity(EprocurementCase):

    def test_only_a_manager_generates_a_credential_shown_once(self):
        manager = self.make_user("eproc_manager", ["ecrm_core.group_ecrm_manager"])
        user = self.make_user("eproc_user", ["ecrm_core.group_ecrm_user"])
        with self.assertRaises(AccessError):
            self.trading_partner.sudo(user).generate_credential()
        first = self.trading_partner.sudo(manager).generate_credential()
        self.assertTrue(first.startswith("ecrm_") and len(first) > 40)
        TradingPartner = self.env["ecrm.trading.partner"]
        self.assertEqual(TradingPartner._authenticate(first, "10.0.0.1"), self.trading_partner)
        second = self.trading_partner.sudo(manager).generate_credential()
        self.assertNotEqual(first, second)
        self.assertFalse(TradingPartner._authenticate(first, "10.0.0.1"), "the old credential still works")
        self.assertEqual(TradingPartner._authenticate(second, "10.0.0.1"), self.trading_partner)
        self.assertFalse(TradingPartner._authenticate("", "10.0.0.1"))
        stored = self.trading_partner.sudo().credential_hash
        self.assertNotIn(second, stored)
        with self.assertRaises(AccessError):
            self.trading_partner.sudo(manager).read(["credential_hash"])

    def test_ip_allow_list_limits_where_a_credential_works(self):
        credential = self.trading_partner.generate_credential()
        self.trading_partner.ip_allowlist = "192.0.2.0/24, 2001:db8::1"
        TradingPartner = self.env["ecrm.trading.partner"]
        self.assertEqual(TradingPartner._authenticate(credential, "192.0.2.77"), self.trading_partner)
        self.assertEqual(TradingPartner._authenticate(credential, "2001:db8::1"), self.trading_partner)
        self.assertFalse(TradingPartner._authenticate(credential, "198.51.100.1"))

    def test_users_read_exchanges_but_nobody_writes_them_by_hand(self):
        exchange = self.receive(self.order())
        user = self.make_user("eproc_user2", ["ecrm_core.group_ecrm_user"])
        manager = self.make_user("eproc_manager2", ["ecrm_core.group_ecrm_manager"])
        self.assertEqual(exchange.sudo(user).state, "processed")
        for who in (user, manager):
            with self.assertRaises(AccessError):
                exchange.sudo(who).write({"state": "received"})
            with self.assertRaises(AccessError):
                self.Exchange.sudo(who).create({"trading_partner_id": self.trading_partner.id,
                                                "format_code": "csv"})
        with self.assertRaises(AccessError):
            self.trading_partner.sudo(user).write({"test_mode": True})
        salesman = self.make_user("eproc_sales", ["sales_team.group_sale_salesman"])
        with self.assertRaises(AccessError):
            self.Exchange.sudo(salesman).search([])

    def test_exchanges_and_trading_partners_stay_in_their_company(self):
        exchange = self.receive(self.order(lines=[{"buyer_item_id": "NONE", "quantity": 1}]))
        other_company = self.env["res.company"].create({"name": "Other Ltd (test)"})
        outsider = self.make_user("eproc_outsider", ["ecrm_core.group_ecrm_manager"], company=other_company)
        self.assertFalse(self.Exchange.sudo(outsider).search([("id", "=", exchange.id)]))
        self.assertFalse(self.env["ecrm.trading.partner"].sudo(outsider).search(
            [("id", "=", self.trading_partner.id)]))
        with self.assertRaises(AccessError):
            exchange.sudo(outsider).retry()
        insider = self.make_user("eproc_insider", ["ecrm_core.group_ecrm_user"])
        self.trading_partner.product_mapping_ids = [(0, 0, {"buyer_item_id": "NONE", "product_id": self.board.id})]
        self.assertEqual(exchange.sudo(insider).retry()[0]["state"], "received")
        self.run_job(exchange.job_id)
        self.assertEqual(exchange.state, "processed")

    def test_generate_credential_action_shows_the_token_without_storing_it(self):
        action = self.trading_partner.action_generate_credential()
        credential = action["context"]["default_credential"]
        self.assertEqual(self.env["ecrm.trading.partner"]._authenticate(credential, "10.0.0.1"), self.trading_partner)
        self.assertFalse(self.env["ecrm.credential.wizard"].search([]))

    def test_the_intake_helpers_are_not_an_rpc_surface(self):
        # the endpoint stores exchanges with records it authenticated; over RPC the helpers
        # would let anyone store exchanges for any trading partner
        for name in ("receive", "record_refusal"):
            self.assertFalse(hasattr(type(self.Exchange), name), "ecrm.exchange.%s is callable over RPC" % name)
        for name in ("_receive", "_record_refusal"):
            with self.assertRaises(AccessError):
                check_method_name(name)

    def test_only_a_manager_sends_a_test_order(self):
        user = self.make_user("eproc_test_order_user", ["ecrm_core.group_ecrm_user"])
        manager = self.make_user("eproc_test_order_manager", ["ecrm_core.group_ecrm_manager"])
        exchanges = self.Exchange.search_count([])
        with self.assertRaises(AccessError):
            self.trading_partner.sudo(user).action_send_test_order()
        self.assertEqual(self.Exchange.search_count([]), exchanges, "a refused test order left an exchange")
        action = self.trading_partner.sudo(manager).action_send_test_order()
        self.assertEqual(self.Exchange.browse(action["res_id"]).test_mode, True)

    def test_another_customers_delivery_gln_is_answered_like_an_unknown_one(self):
        other = self.env["res.partner"].create({"name": "Other Trust (test)", "is_company": True})
        depot = self.env["res.partner"].create({
            "name": "Other Depot (test)", "parent_id": other.id, "type": "delivery", "street": "1 Secret Way",
            "ecrm_gln": "5099999000043"})
        foreign = self.receive(self.order("PO-F", delivery_gln=depot.ecrm_gln))
        unknown = self.receive(self.order("PO-U", delivery_gln="5099999000098"))
        self.assertEqual((foreign.state, foreign.http_status), ("error", 422))
        self.assertEqual(foreign.error_message.replace(depot.ecrm_gln, "<gln>"),
                         unknown.error_message.replace("5099999000098", "<gln>"))
        self.assertEqual(foreign.error_message, "unknown delivery location GLN %s" % depot.ecrm_gln)
        self.assertFalse(self.env["sale.order"].search([("partner_shipping_id", "=", depot.id)]))
        # the buyer's own depots still answer to their GLN
        own = self.receive(self.order("PO-O", delivery_gln="5099999000012"))
        self.assertEqual(own.sale_order_id.partner_shipping_id, self.goods_in)

    def test_a_consortium_member_ships_to_the_consortium_or_itself_only(self):
        member = self.env["res.partner"].create({"name": "Ripon (test)", "is_company": True,
                                                 "ecrm_gln": "5099999000036"})
        ward = self.env["res.partner"].create({"name": "Ripon ward (test)", "parent_id": member.id,
                                               "type": "delivery", "ecrm_gln": "5099999000050"})
        self.trading_partner.member_ids = member
        to_member = self.receive(self.order("PO-M1", buyer_gln="5099999000036", delivery_gln="5099999000050"))
        self.assertEqual(to_member.sale_order_id.partner_shipping_id, ward)
        to_consortium = self.receive(self.order("PO-M2", buyer_gln="5099999000036", delivery_gln="5099999000012"))
        self.assertEqual(to_consortium.sale_order_id.partner_shipping_id, self.goods_in)

    def test_a_manager_maps_products_and_deletes_exchanges_of_own_company_only(self):
        manager = self.make_user("eproc_manager_c", ["ecrm_core.group_ecrm_manager"])
        Mapping = self.env["ecrm.trading.partner.product"]
        mapping = Mapping.sudo(manager).create({"trading_partner_id": self.trading_partner.id,
                                                "buyer_item_id": "H-2", "product_id": self.board.id})
        self.assertEqual(mapping.company_id, self.trading_partner.company_id)
        created = self.env["ecrm.trading.partner"].sudo(manager).create({
            "name": "Ripon (test)", "partner_id": self.buyer.id,
            "product_mapping_ids": [(0, 0, {"buyer_item_id": "R-1", "product_id": self.frame.id})]})
        self.assertEqual(created.product_mapping_ids.buyer_item_id, "R-1")
        other_company = self.env["res.company"].create({"name": "Other Ltd (mapping test)"})
        outsider = self.make_user("eproc_outsider_c", ["ecrm_core.group_ecrm_manager"], company=other_company)
        with self.assertRaises(AccessError):
            Mapping.sudo(outsider).create({"trading_partner_id": self.trading_partner.id,
                                           "buyer_item_id": "H-3", "product_id": self.board.id})
        # exchanges: nobody writes them, a manager deletes them (with their payload)
        exchange = self.receive(self.order())
        payload = exchange.payload_attachment_id
        with self.assertRaises(AccessError):
            exchange.sudo(outsider).unlink()
        with self.assertRaises(AccessError):
            exchange.sudo(self.make_user("eproc_user_c", ["ecrm_core.group_ecrm_user"])).unlink()
        exchange.sudo(manager).unlink()
        self.assertFalse(exchange.exists() or payload.exists())
        self.assertTrue(self.orders_for("PO-1"), "the sale order goes on without its exchange")
