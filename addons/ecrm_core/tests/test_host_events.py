"""The host's own events reach the customer's timeline, once each, as the Settings say."""
import json
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests.common import at_install, post_install

from odoo.addons.ecrm_core.models import ecrm_timeline_backfill
from odoo.addons.ecrm_core.timeline import host_events

from .common import OrderCase


@at_install(False)
@post_install(True)
class TestHostEvents(OrderCase):

    def setUp(self):
        super().setUp()
        self.staff = self.make_user("host_events_sales", ["base.group_user", "sales_team.group_sale_salesman_all_leads"])
        self.contact.email = "janet.holroyd@kirklees.example"

    def entries(self, partner=None, **domain):
        terms = [("partner_id", "=", (partner or self.contact).id)]
        terms += [(field, "=", value) for field, value in domain.items()]
        return self.Interaction.search(terms)

    def types(self, partner=None):
        return sorted(self.entries(partner).mapped("interaction_type"))

    # ---- e-mails and messages ----

    def test_a_message_sent_from_the_customers_chatter_is_an_outbound_email(self):
        message = self.contact.sudo(self.staff).message_post(
            body="<p>Your survey is booked for Tuesday.</p>", subject="Survey", message_type="comment",
            subtype="mail.mt_comment", partner_ids=self.contact.ids)
        entry = self.entries(interaction_type="email_sent")
        self.assertEqual(len(entry), 1)
        self.assertEqual((entry.channel, entry.direction, entry.subject), ("email", "outbound", "Survey"))
        self.assertEqual(entry.body.strip(), "Your survey is booked for Tuesday.")
        self.assertEqual(entry.source_key, "mail:%s:%d" % (message.message_id, self.contact.id))
        self.assertEqual((entry.res_model, entry.res_id, entry.user_id), ("res.partner", self.contact.id, self.staff))

    def test_a_note_a_notification_or_a_message_not_addressed_to_the_customer_is_not_contact(self):
        self.contact.message_post(body="Difficult customer", subtype="mail.mt_note", message_type="comment")
        self.contact.message_post(body="Stage changed", message_type="notification")
        self.contact.sudo(self.staff).message_post(body="@colleague can you call her?", message_type="comment",
                                                   subtype="mail.mt_comment")
        self.assertFalse(self.entries())

    def test_messages_on_documents_the_timeline_does_not_follow_stay_there(self):
        self.env["mail.message"].create({
            "model": "res.users", "res_id": self.staff.id, "message_type": "email", "body": "Payslip query",
            "author_id": self.contact.id, "subtype_id": self.env.ref("mail.mt_comment").id})
        self.assertFalse(self.entries())

    def test_an_email_from_the_customer_is_inbound_and_one_posted_twice_is_logged_once(self):
        for _attempt in range(2):
            self.contact.message_post(body="Can the fitter come earlier?", subject="Re: Survey",
                                      message_type="email", author_id=self.contact.id,
                                      message_id="<reply-42@kirklees.example>", subtype="mail.mt_comment")
        entry = self.entries(interaction_type="email_received")
        self.assertEqual(len(entry), 1)
        self.assertEqual((entry.direction, entry.source_key),
                         ("inbound", "mail:<reply-42@kirklees.example>:%d" % self.contact.id))

    def test_an_email_through_the_mail_gateway_lands_on_the_customers_timeline(self):
        raw = ("From: Janet Holroyd <janet.holroyd@kirklees.example>\r\nTo: sales@example.com\r\n"
               "Subject: Stairlift quote\r\nMessage-ID: <gateway-1@kirklees.example>\r\n"
               "Date: Tue, 01 Dec 2026 09:30:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
               "Please send me a quote for a curved stairlift.\r\n")
        for _replayed in range(2):  # the gateway drops the replay; the key would too
            self.env["mail.thread"].message_process("res.partner", raw, thread_id=self.contact.id)
        entry = self.entries(interaction_type="email_received")
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.subject, "Stairlift quote")
        self.assertEqual(entry.date, "2026-12-01 09:30:00")
        self.assertIn("curved stairlift", entry.body)

    def test_a_message_on_an_order_goes_to_the_orders_customer_and_rolls_up_to_its_company(self):
        order = self.order(self.contact, 250.0, confirm=False)
        order.message_post(body="Delivery next week", message_type="comment", subtype="mail.mt_comment",
                           partner_ids=self.contact.ids)
        entry = self.entries(interaction_type="email_sent")
        self.assertEqual((entry.res_model, entry.res_id), ("sale.order", order.id))
        self.assertEqual(entry.commercial_partner_id, self.company_partner)

    # ---- orders ----

    def test_an_order_logs_sent_confirmed_and_cancelled_once_each_round(self):
        order = self.order(self.contact, 250.0, confirm=False)
        action = order.action_quotation_send()  # the form's "Send by e-mail", through its composer
        composer = self.env["mail.compose.message"].with_context(action["context"]).create({})
        composer.onchange_template_id_wrapper()  # as the form does: the template addresses the customer
        composer.send_mail()
        self.assertEqual(order.state, "sent")
        self.assertEqual(self.types(), ["quotation_sent"], "the quotation's e-mail is the quotation sent")
        order.sudo(self.staff).action_confirm()
        order.action_cancel()
        order.action_draft()
        order.action_confirm()
        order.write({"state": "sale"})  # the same state written again is no new event
        self.assertEqual(self.types(), ["order_cancelled", "order_confirmed", "order_confirmed", "quotation_sent"],
                         "confirmed, cancelled, then confirmed again: the second round shows too")
        sent = self.entries(interaction_type="quotation_sent")
        self.assertTrue(sent.source_key.startswith("mail:"), "the composer's e-mail is the quotation sent")
        first, second = self.entries(interaction_type="order_confirmed").sorted("id")
        self.assertEqual((first.source_key, first.user_id), ("sale.order,%d:sale" % order.id, self.staff))
        self.assertEqual(second.source_key, "sale.order,%d:sale:1" % order.id)
        self.assertEqual(first.subject, "Order %s confirmed" % order.name)
        # a backfill of this history finds the order's current round logged already
        self.assertFalse(self.Interaction._host_rows_to_log(order._ecrm_timeline_rows()))

    def test_a_shop_order_is_placed_and_confirmed(self):
        website_team = self.env["crm.team"].create({"name": "Web shop (test)", "team_type": "website"})
        order = self.order(self.individual, 99.0, confirm=False)
        order.team_id = website_team
        order.action_confirm()
        self.assertEqual(self.types(self.individual), ["order_confirmed", "shop_order_placed"])
        placed = self.entries(self.individual, interaction_type="shop_order_placed")
        self.assertEqual((placed.channel, placed.direction), ("portal", "inbound"))

    # ---- invoices ----

    def test_a_customer_invoice_logs_posted_then_paid_and_a_supplier_bill_logs_nothing(self):
        account = self.env["account.account"].search([
            ("user_type_id", "=", self.env.ref("account.data_account_type_revenue").id)], limit=1)
        invoice = self.env["account.invoice"].create({
            "partner_id": self.contact.id, "type": "out_invoice",
            "invoice_line_ids": [(0, 0, {"name": "Survey", "quantity": 1, "price_unit": 80.0,
                                         "account_id": account.id})]})
        invoice.action_invoice_open()
        self.assertEqual(self.types(), ["invoice_posted"])
        journal = self.env["account.journal"].search([("type", "=", "bank")], limit=1)
        payment = self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": self.contact.id,
            "amount": invoice.amount_total, "journal_id": journal.id, "invoice_ids": [(4, invoice.id)],
            "payment_method_id": self.env.ref("account.account_payment_method_manual_in").id})
        payment.post()
        self.assertEqual(invoice.state, "paid")
        self.assertEqual(self.types(), ["invoice_paid", "invoice_posted"])
        paid = self.entries(interaction_type="invoice_paid")
        self.assertEqual((paid.channel, paid.direction, paid.res_id), ("ledger", "inbound", invoice.id))
        payment.move_line_ids.remove_move_reconcile()  # the payment undone: its entry goes with it
        self.assertEqual((invoice.state, self.types()), ("open", ["invoice_posted"]))
        bill = self.env["account.invoice"].create({
            "partner_id": self.individual.id, "type": "in_invoice",
            "invoice_line_ids": [(0, 0, {"name": "Parts", "quantity": 1, "price_unit": 10.0,
                                         "account_id": account.id})]})
        bill.action_invoice_open()
        self.assertFalse(self.entries(self.individual))

    # ---- leads ----

    def test_a_web_form_lead_waits_for_staff_to_link_its_customer_then_is_won_by_its_stage(self):
        lead = self.env["crm.lead"].create({
            "name": "Bath lift enquiry", "email_from": "Janet <JANET.HOLROYD@kirklees.example>",
            "medium_id": self.env.ref("utm.utm_medium_website").id, "description": "Call after 2pm"})
        self.assertFalse(self.entries(), "an address typed into a form proves nothing")
        lead.partner_id = self.contact
        created = self.entries(interaction_type="lead_created")
        self.assertEqual((created.channel, created.res_id, created.body), ("web_form", lead.id, "Call after 2pm"))
        won_stage = self.env["crm.stage"].search([("probability", "=", 100)], limit=1)
        lead.write({"stage_id": won_stage.id, "probability": 100})  # dragged to Won in the pipeline
        self.assertEqual(self.types(), ["lead_created", "lead_won"])

    def test_a_lost_lead_and_a_lead_nobody_can_be_matched_to(self):
        lead = self.env["crm.lead"].create({"name": "Scooter", "partner_id": self.individual.id})
        lead.action_set_lost()
        self.assertEqual(self.types(self.individual), ["lead_created", "lead_lost"])
        before = self.Interaction.search_count([])
        self.env["crm.lead"].create({"name": "Anonymous", "email_from": "nobody@unknown.example"})
        self.assertEqual(self.Interaction.search_count([]), before)

    # ---- activities ----

    def test_a_call_marked_done_is_a_phone_entry_with_its_feedback(self):
        activity = self.env["mail.activity"].create({
            "res_model_id": self.env.ref("base.model_res_partner").id, "res_id": self.contact.id,
            "activity_type_id": self.env.ref("mail.mail_activity_data_call").id, "summary": "Follow up"})
        activity.action_feedback(feedback="<p>Agreed a home visit</p>")
        entry = self.entries(interaction_type="call")
        self.assertEqual((entry.channel, entry.direction), ("phone", "outbound"))
        self.assertIn("Agreed a home visit", entry.body)

    # ---- Settings ----

    def test_a_family_switched_off_in_settings_is_not_logged(self):
        self.env.user.company_id.write({"ecrm_log_host_sale": False, "ecrm_log_host_email": False})
        self.order(self.contact, 250.0)
        self.contact.message_post(body="Hello", message_type="comment", subtype="mail.mt_comment",
                                  partner_ids=self.contact.ids)
        self.assertFalse(self.entries())

    # ---- keys ----

    def test_an_integrator_cannot_take_a_host_events_key(self):
        order = self.order(self.contact, 250.0, confirm=False)
        with self.assertRaisesRegex(ValidationError, "form of the host's own events' keys"):
            self.Interaction.log_many([self.row(source_key="sale.order,%d:sale" % order.id)])
        order.action_confirm()
        self.assertEqual(self.types(), ["order_confirmed"])

    def test_a_host_event_that_cannot_be_logged_does_not_stop_the_host(self):
        order = self.order(self.contact, 250.0, confirm=False)
        with patch.object(type(self.Interaction), "_log_many", side_effect=ValueError("broken")), \
                self.assertLogs("odoo.addons.ecrm_core.models.ecrm_interaction_host", "ERROR"):
            order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_an_entry_belongs_to_its_documents_company_whose_settings_apply(self):
        other = self.env["res.company"].create({"name": "Calder Mobility (test)", "ecrm_log_host_sale": False})
        self.env.user.company_ids |= other
        order = self.order(self.contact, 250.0, confirm=False)
        order.company_id = other
        order.action_confirm()
        self.assertFalse(self.entries())
        other.ecrm_log_host_sale = True
        order.action_cancel()
        self.assertEqual(self.entries().mapped("company_id"), other)

    def test_log_many_writes_a_source_key_once_and_returns_the_stored_id(self):
        first = self.Interaction.log_many([self.row(source_key="import:7"), self.row(source_key="import:7")])
        self.assertEqual(first[0], first[1])
        again = self.Interaction.log_many([self.row(source_key="import:7"), self.row()])
        self.assertEqual(again[0], first[0])
        self.assertEqual(self.Interaction.search_count([("source_key", "=", "import:7")]), 1)
        self.assertEqual(len(set(again)), 2)


@at_install(False)
@post_install(True)
class TestTimelineBackfill(OrderCase):

    def setUp(self):
        super().setUp()
        self.Backfill = self.env["ecrm.timeline.backfill"].with_context(test_queue_job_no_delay=True)
        company = self.env.user.company_id
        families = ["ecrm_log_host_%s" % family for family in host_events.FAMILIES]
        company.write(dict.fromkeys(families, False))  # history made before the suite logged it
        self.order(self.contact, 120.0)
        self.contact.message_post(body="Old e-mail", message_type="comment", subtype="mail.mt_comment",
                                  partner_ids=self.contact.ids)
        self.env["crm.lead"].create({"name": "Old lead", "partner_id": self.individual.id})
        company.write(dict.fromkeys(families, True))

    def run_backfill(self, dry_run):
        run = self.Backfill.browse(self.Backfill.backfill(dry_run=dry_run))
        run.invalidate_cache()
        return run

    def mine(self):
        return self.Interaction.search_count([("partner_id", "in", [self.contact.id, self.individual.id])])

    def test_a_count_reports_per_type_and_logs_nothing_then_a_run_logs_it_and_a_rerun_nothing(self):
        count = self.run_backfill(dry_run=True)
        self.assertEqual(self.mine(), 0)
        counts = json.loads(count.counts)
        self.run_backfill(dry_run=False)
        self.assertEqual(self.mine(), 3)
        logged = self.Interaction.search([("partner_id", "in", [self.contact.id, self.individual.id])])
        self.assertEqual(sorted(logged.mapped("interaction_type")), ["email_sent", "lead_created", "order_confirmed"])
        everything = self.Interaction.search([("source_key", "!=", False)])
        # the count counted exactly what the run logged (the demo's history included)
        logged_now = {code: everything.filtered(lambda entry: entry.interaction_type == code
                                                 and entry.create_date >= count.create_date)
                      for code in counts}
        self.assertEqual({code: len(entries) for code, entries in logged_now.items()}, counts)
        confirmed = self.Interaction.search([("partner_id", "=", self.contact.id),
                                             ("interaction_type", "=", "order_confirmed")])
        self.assertEqual(len(confirmed), 1)
        rerun = self.run_backfill(dry_run=False)
        self.assertEqual(json.loads(rerun.counts), {})
        self.assertEqual(self.mine(), 3)

    def test_pages_follow_one_another_by_id_and_miss_nothing(self):
        messages = self.env["mail.message"].search_count(ecrm_timeline_backfill.SOURCES[0][1])
        self.assertGreater(messages, 20, "several pages of messages")
        pages = []
        page = type(self.Backfill)._page

        def counted_page(backfill, model, domain, after_id):
            records = page(backfill, model, domain, after_id)
            pages.append((model, after_id, len(records)))
            return records

        with patch.object(ecrm_timeline_backfill, "PAGE_SIZE", 10), \
                patch.object(type(self.Backfill), "_page", counted_page):
            self.run_backfill(dry_run=False)
        self.assertEqual(self.mine(), 3)
        message_pages = [page for page in pages if page[0] == "mail.message"]
        self.assertEqual(sum(size for _model, _after, size in message_pages), messages)
        self.assertEqual(len(message_pages), messages // 10 + 1)


@at_install(False)
@post_install(True)
class TestCalendarMeetings(OrderCase):

    def test_a_meeting_logs_each_customer_attendee_once_and_not_the_staff(self):
        event = self.env["calendar.event"].create({
            "name": "Home visit: stairlift survey", "start": "2026-12-08 10:00:00", "stop": "2026-12-08 11:00:00",
            "partner_ids": [(6, 0, [self.contact.id, self.env.user.partner_id.id])]})
        entry = self.Interaction.search([("res_model", "=", "calendar.event"), ("res_id", "=", event.id)])
        self.assertEqual((entry.partner_id, entry.channel, entry.interaction_type, entry.date),
                         (self.contact, "meeting", "meeting", "2026-12-08 10:00:00"))
        event.write({"partner_ids": [(4, self.individual.id)]})
        entries = self.Interaction.search([("res_model", "=", "calendar.event"), ("res_id", "=", event.id)])
        self.assertEqual(sorted(entries.mapped("partner_id").ids), sorted((self.contact | self.individual).ids))
