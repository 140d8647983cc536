import datetime
import json

import psycopg2
from lxml import etree

from odoo.osv import expression
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from .common import EprocurementCase

OR_NS = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
         "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}


def response_code(exchange):
    return etree.fromstring(exchange.acknowledgement.encode()).findtext("cbc:OrderResponseCode", namespaces=OR_NS)


class TestExchangeProcessing(EprocurementCase):

    def test_good_order_becomes_a_confirmed_sale_order_with_everything_linked(self):
        exchange = self.receive(self.order(delivery_gln="5099999000012"))
        self.assertEqual((exchange.state, exchange.http_status, exchange.response_code), ("processed", 201, "AP"))
        sale_order = exchange.sale_order_id
        self.assertEqual(sale_order.state, "sale")
        self.assertEqual((sale_order.partner_id, sale_order.partner_shipping_id), (self.buyer, self.goods_in))
        self.assertEqual((sale_order.client_order_ref, sale_order.origin), ("PO-1", "eprocurement"))
        self.assertEqual(sale_order.ecrm_exchange_id, exchange)
        self.assertEqual([(line.product_id, line.product_uom_qty, line.price_unit) for line in sale_order.order_line],
                         [(self.sling, 2, 100.0), (self.board, 5, 10.0), (self.frame, 1, 40.0)])
        self.assertEqual(response_code(exchange), "AP")
        self.assertEqual(len(exchange.checksum), 64)
        self.assertEqual(exchange._payload(), self.order(delivery_gln="5099999000012"))
        interactions = self.env["ecrm.interaction"].search([("res_model", "=", "sale.order"),
                                                            ("res_id", "=", sale_order.id)], order="interaction_type desc")
        self.assertEqual([(i.channel, i.interaction_type, i.partner_id) for i in interactions],
                         [("eprocurement", "order_received", self.buyer), ("other", "order_confirmed", self.buyer)])

    def test_price_within_tolerance_is_accepted_with_our_price_and_line_changed(self):
        exchange = self.receive(self.order(lines=[{"buyer_item_id": "H-1", "quantity": 1, "unit_price": "97.00"}]))
        self.assertEqual(exchange.response_code, "CA")
        self.assertEqual(exchange.sale_order_id.order_line.price_unit, 100.0)
        summary = json.loads(exchange.acknowledgement_json)
        self.assertEqual([(line["line_id"], line["status"], line["unit_price"]) for line in summary["lines"]],
                         [("1", "3", 100.0)])

    def test_business_errors_list_every_problem_by_line_and_leave_no_order(self):
        before = self.env["sale.order"].search_count([])
        payload = self.order(lines=[
            {"buyer_item_id": "H-1", "quantity": 1, "unit_price": "80.00"},
            {"buyer_item_id": "NOPE", "quantity": 1},
            {"gtin": "5099999100024", "quantity": 2, "unit_code": "KGM"},
            {"seller_item_id": "T-WF", "quantity": 0},
        ])
        exchange = self.receive(payload)
        self.assertEqual((exchange.state, exchange.http_status, exchange.retryable), ("error", 422, True))
        self.assertEqual(self.env["sale.order"].search_count([]), before)
        self.assertFalse(exchange.sale_order_id)
        lines = exchange.error_message.splitlines()
        self.assertEqual(len(lines), 4, exchange.error_message)
        self.assertIn("line 1: unit price 80.00 is outside the 5% tolerance of the agreed price 100.00", lines[0])
        self.assertIn("line 2: unknown product (buyer item id NOPE", lines[1])
        self.assertIn("order line 3: unit KGM cannot measure [T-BB] Board (test) (sold in Unit(s))", lines[2])
        self.assertIn("line 4: quantity must be greater than zero", lines[3])
        self.assertTrue(all(line.startswith("line ") and line.split(":")[0][5:].isdigit() for line in lines))
        self.assertEqual(response_code(exchange), "RE")

    def test_a_fixed_mapping_makes_retry_succeed(self):
        exchange = self.receive(self.order(lines=[{"buyer_item_id": "NEW-7", "quantity": 3}]))
        self.assertEqual(exchange.state, "error")
        self.trading_partner.product_mapping_ids = [(0, 0, {"buyer_item_id": "NEW-7", "product_id": self.frame.id})]
        result = exchange.retry()
        self.assertEqual(result, [{"id": exchange.id, "state": "received", "http_status": 0}])
        self.assertEqual(exchange.job_id.state, "pending")
        self.run_job(exchange.job_id)
        self.assertEqual((exchange.state, exchange.http_status), ("processed", 201))
        self.assertEqual(exchange.sale_order_id.order_line.product_id, self.frame)

    def test_malformed_document_is_kept_in_error_not_retryable(self):
        exchange = self.receive(b"<Order>")
        self.assertEqual((exchange.state, exchange.http_status, exchange.retryable), ("error", 400, False))
        self.assertIn("not well-formed XML", exchange.error_message)
        with self.assertRaises(Exception):
            exchange.retry()

    def test_second_delivery_is_a_duplicate_answered_with_the_original_acknowledgement(self):
        first = self.receive(self.order())
        second = self.receive(self.order())
        self.assertEqual((second.state, second.http_status, second.duplicate_of_id), ("error", 409, first))
        self.assertEqual(second.acknowledgement, first.acknowledgement)
        self.assertEqual(len(self.orders_for("PO-1")), 1)

    def test_the_claim_index_refuses_two_processed_exchanges_for_one_document(self):
        first = self.receive(self.order())
        twin = self.Exchange._receive(self.trading_partner, "peppol-order", self.order())
        twin.write({"buyer_document_id": "PO-1"})
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            twin._set_state("validated")
        self.assertEqual(first.state, "processed")

    def test_test_mode_gives_a_tagged_quotation_never_confirmed(self):
        self.trading_partner.test_mode = True
        exchange = self.receive(self.order())
        sale_order = exchange.sale_order_id
        self.assertEqual((exchange.state, exchange.response_code), ("processed", "AB"))
        self.assertEqual(sale_order.state, "draft")
        self.assertIn("TEST", sale_order.tag_ids.mapped("name"))

    def test_without_auto_confirm_the_order_waits_as_a_quotation(self):
        self.trading_partner.auto_confirm = False
        exchange = self.receive(self.order())
        self.assertEqual((exchange.sale_order_id.state, exchange.response_code), ("draft", "AB"))

    def test_currency_other_than_the_pricelist_is_refused(self):
        exchange = self.receive(self.order(currency="EUR"))
        self.assertEqual(exchange.http_status, 422)
        self.assertIn("order currency EUR, but this buyer is priced in GBP", exchange.error_message)

    def test_unknown_delivery_address_becomes_a_new_delivery_contact(self):
        payload = self.order().replace(
            b"<cac:OrderLine>",
            b"<cac:Delivery><cac:DeliveryLocation><cac:Address><cbc:StreetName>1 Ward Road</cbc:StreetName>"
            b"<cbc:CityName>Ripon</cbc:CityName><cbc:PostalZone>HG4 1AA</cbc:PostalZone>"
            b"<cac:Country><cbc:IdentificationCode>GB</cbc:IdentificationCode></cac:Country>"
            b"</cac:Address></cac:DeliveryLocation></cac:Delivery><cac:OrderLine>", 1)
        exchange = self.receive(payload)
        shipping = exchange.sale_order_id.partner_shipping_id
        self.assertEqual((shipping.parent_id, shipping.type, shipping.street, shipping.country_id.code),
                         (self.buyer, "delivery", "1 Ward Road", "GB"))

    def test_csv_goes_through_the_same_pipeline(self):
        payload = (b"order_id,currency,buyer_item_id,gtin,quantity,unit_price\n"
                   b"CSV-1,GBP,H-1,,2,100\nCSV-1,GBP,,5099999100024,1,\n")
        exchange = self.receive(payload, fmt="csv")
        self.assertEqual(exchange.state, "processed")
        self.assertEqual(exchange.sale_order_id.order_line.mapped("product_id"), self.sling | self.board)

    def test_a_document_naming_another_buyer_is_refused(self):
        exchange = self.receive(self.order(buyer_gln="5012345000004"))
        self.assertEqual((exchange.state, exchange.http_status), ("error", 422))
        self.assertIn("the buyer party in the document (5012345000004) is not this trading partner's",
                      exchange.error_message)
        self.assertFalse(self.orders_for("PO-1"))

    def test_delivery_requested_within_the_sla_flags_the_order_urgent_with_a_deadline_activity(self):
        self.trading_partner.urgent_sla_hours = 24
        exchange = self.receive(self.order(requested_date="2026-01-05"))
        sale_order = exchange.sale_order_id
        self.assertTrue(sale_order.ecrm_urgent)
        activity = self.env["mail.activity"].search([("res_model", "=", "sale.order"), ("res_id", "=", sale_order.id)])
        self.assertEqual(len(activity), 1)
        self.assertIn("dispatch within 24 hours", activity.summary)
        relaxed = self.receive(self.order("PO-2", requested_date="2999-12-31"))
        self.assertFalse(relaxed.sale_order_id.ecrm_urgent)

    def test_urgency_rule(self):
        now = datetime.datetime(2026, 11, 22, 10, 0)
        self.trading_partner.urgent_sla_hours = 4
        probe = self.Exchange._receive(self.trading_partner, "csv", b"x")
        self.assertTrue(probe._is_urgent({"note": "URGENT: ward closing"}, now))
        self.assertFalse(probe._is_urgent({"delivery": {"requested_date": "2026-11-23"}}, now))
        later = now + datetime.timedelta(hours=11)
        self.assertTrue(probe._is_urgent({"delivery": {"requested_date": "2026-11-22"}}, later))
        self.trading_partner.urgent_sla_hours = 0
        self.assertFalse(probe._is_urgent({"note": "URGENT"}, now))

    def test_send_test_order_runs_the_pipeline_in_test_mode(self):
        action = self.trading_partner.action_send_test_order()
        exchange = self.Exchange.browse(action["res_id"])
        self.assertEqual((exchange.state, exchange.test_mode, exchange.sale_order_id.state),
                         ("processed", True, "draft"))

    def test_confirming_a_reviewed_order_stores_an_outbound_order_response(self):
        self.trading_partner.auto_confirm = False
        exchange = self.receive(self.order())
        self.assertFalse(self.Exchange.search([("inbound_exchange_id", "=", exchange.id)]))
        exchange.sale_order_id.action_confirm()
        response = self.Exchange.search([("inbound_exchange_id", "=", exchange.id)])
        self.assertEqual((response.direction, response.state, response.response_code),
                         ("outbound", "processed", "AP"))
        self.assertEqual(response_code(response), "AP")
        self.assertIn("Order confirmed as %s" % exchange.sale_order_id.name, response.acknowledgement)
        self.assertEqual([r["response_code"] for r in exchange._status_summary()["responses"]], ["AP"])
        # the stored response does not count as a processed delivery of the document
        self.assertEqual(self.receive(self.order()).http_status, 409)

    def test_a_consortium_orders_for_a_member_and_is_invoiced(self):
        member = self.env["res.partner"].create({"name": "Ripon Community Hospital (test)", "is_company": True,
                                                 "ecrm_gln": "5099999000036"})
        self.trading_partner.member_ids = member
        exchange = self.receive(self.order(buyer_gln="5099999000036"))
        sale_order = exchange.sale_order_id
        self.assertEqual((sale_order.partner_id, sale_order.partner_invoice_id), (member, self.buyer))
        interaction = self.env["ecrm.interaction"].search([("res_model", "=", "sale.order"),
                                                           ("res_id", "=", sale_order.id),
                                                           ("interaction_type", "=", "order_received")])
        self.assertEqual(interaction.partner_id, member)
        stranger = self.receive(self.order("PO-2", buyer_gln="5099999000999"))
        self.assertEqual(stranger.http_status, 422)
        self.assertIn("nor one of its members", stranger.error_message)

    def test_delivery_in_full_stores_one_delivered_order_response(self):
        exchange = self.receive(self.order())
        lines = exchange.sale_order_id.order_line
        lines[0].qty_delivered = lines[0].product_uom_qty
        self.assertFalse(self.Exchange.search([("inbound_exchange_id", "=", exchange.id)]))
        for line in lines:
            line.qty_delivered = line.product_uom_qty
        lines.write({"qty_delivered": 99})
        responses = self.Exchange.search([("inbound_exchange_id", "=", exchange.id)])
        self.assertEqual(responses.mapped("response_event"), ["delivered"])
        self.assertIn("delivered in full", responses.acknowledgement)

    def test_the_error_queue_lists_every_error_the_trading_partner_counts(self):
        fixable = self.receive(self.order("PO-Q1", lines=[{"buyer_item_id": "NOPE", "quantity": 1}]))
        refused = self.receive(b"<Order>")
        self.assertEqual((fixable.retryable, refused.retryable), (True, False))
        self.trading_partner.invalidate_cache()
        self.assertEqual(self.trading_partner.exchange_error_count, 2)
        action = self.trading_partner.action_view_errors()
        context = safe_eval(action["context"])
        filters = {node.get("name"): node.get("domain") for node in etree.fromstring(
            self.env.ref("ecrm_eprocurement.ecrm_exchange_view_search").arch).iter("filter")}
        defaults = [safe_eval(filters[key[len("search_default_"):]])
                    for key in context if key.startswith("search_default_") and filters.get(key[15:])]
        shown = self.Exchange.search(expression.AND([action["domain"]] + defaults))
        self.assertEqual(shown, fixable | refused, "the queue hides errors its count includes")
        self.assertIn("search_default_by_retryable", context, "grouped into retry possible or not")

    def test_the_form_shows_the_document_indented_and_the_answer_in_words(self):
        exchange = self.receive(self.order("PO-SHOW", lines=[{"buyer_item_id": "H-1", "quantity": 2,
                                                             "unit_price": "100.00"}]))
        self.assertEqual(exchange.state, "processed")
        self.assertIn("o_ecrm_document", exchange.document_display)
        self.assertIn("\n  &lt;cbc:", exchange.document_display, "indented, and escaped")
        self.assertIn("as sale order %s" % exchange.sale_order_id.name, exchange.acknowledgement_summary)
        self.assertIn("Line 1: accepted", exchange.acknowledgement_summary)
        self.assertIn("OrderResponse", exchange.acknowledgement_display)
        as_the_web_client_reads = exchange.with_context(bin_size=True)
        as_the_web_client_reads.invalidate_cache()
        self.assertIn("PO-SHOW", as_the_web_client_reads.document_display)
        hostile = self.receive(b"<Order><script>alert(1)</script>")
        self.assertNotIn("<script>", hostile.document_display)
        self.assertIn("&lt;script&gt;", hostile.document_display)
