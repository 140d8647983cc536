"""Mail to the catchall from a customer's address goes on the customer's chatter; everything else routes as the host routes it."""
from odoo.exceptions import UserError
from odoo.tests.common import at_install, post_install

from .common import InteractionCase

RAW = """From: {sender}
To: catchall@inbound.example
Subject: {subject}
Message-ID: <{subject}@mail.example.com>
{extra}Content-Type: text/plain; charset=utf-8

Hello, a question about my order.
"""


@at_install(False)
@post_install(True)
class TestInboundMail(InteractionCase):

    def setUp(self):
        super().setUp()
        self.contact.email = "janet.holroyd@kirklees.example"
        self.Thread = self.env["mail.thread"]

    def process(self, sender, subject, model="crm.lead", extra=""):
        raw = RAW.format(sender=sender, subject=subject, extra=extra)
        return self.Thread.message_process(model, raw)

    def messages(self, subject):
        return self.env["mail.message"].search([("message_id", "=", "<%s@mail.example.com>" % subject)])

    def test_a_customer_writing_to_the_catchall_lands_on_their_chatter_and_timeline(self):
        self.process("Janet Holroyd <Janet.Holroyd@kirklees.example>", "catchall-known")
        message = self.messages("catchall-known")
        self.assertEqual((message.model, message.res_id, message.author_id), ("res.partner", self.contact.id, self.contact))
        self.assertFalse(self.env["crm.lead"].search([("name", "=", "catchall-known")]))
        entry = self.Interaction.search([("source_key", "=", "mail:<catchall-known@mail.example.com>:%d" % self.contact.id)])
        self.assertEqual((entry.interaction_type, entry.commercial_partner_id), ("email_received", self.company_partner))

    def test_without_a_fallback_model_a_customer_still_lands_on_their_chatter(self):
        self.process("janet.holroyd@kirklees.example", "no-fallback-known", model=None)
        self.assertEqual(self.messages("no-fallback-known").res_id, self.contact.id)

    def test_an_unknown_sender_gets_the_hosts_routing(self):
        self.process("stranger@elsewhere.example", "catchall-stranger")
        lead = self.env["crm.lead"].search([("name", "=", "catchall-stranger")])
        self.assertEqual(len(lead), 1)
        self.assertEqual((self.messages("catchall-stranger").model, self.messages("catchall-stranger").res_id),
                         ("crm.lead", lead.id))
        with self.assertRaises(ValueError):  # no fallback, nobody known: the host's "no route"
            self.process("stranger@elsewhere.example", "no-fallback-stranger", model=None)

    def test_staff_and_aliases_are_left_to_the_host(self):
        staff = self.make_user("inbound_staff", ["base.group_user"])
        self.process(staff.email, "catchall-staff")
        self.assertEqual(self.messages("catchall-staff").model, "crm.lead")
        self.env["mail.alias"].create({"alias_name": "catchall", "alias_model_id": self.env.ref("crm.model_crm_lead").id})
        self.process("janet.holroyd@kirklees.example", "alias-known")
        self.assertEqual(self.messages("alias-known").model, "crm.lead")

    def test_a_reply_to_a_document_stays_on_the_document(self):
        lead = self.env["crm.lead"].create({"name": "Stairlift enquiry (test)", "partner_id": self.contact.id})
        original = lead.message_post(body="Our quote", message_type="comment", subtype="mail.mt_comment")
        self.process("janet.holroyd@kirklees.example", "reply-on-lead",
                     extra="In-Reply-To: %s\nReferences: %s\n" % (original.message_id, original.message_id))
        self.assertEqual((self.messages("reply-on-lead").model, self.messages("reply-on-lead").res_id),
                         ("crm.lead", lead.id))

    def test_routing_called_without_a_parsed_email_is_refused_cleanly(self):
        """What an RPC caller can send (text, a dict) is no e-mail: a clear error, not a TypeError."""
        for message in ("From: someone@example.com\n\nHello", {"From": "someone@example.com"}):
            with self.assertRaisesRegex(UserError, "use message_process with the raw message"):
                self.env["res.partner"].message_route(message, {})
