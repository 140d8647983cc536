"""Each way out writes e-mail consent with its own source; a hard bounce is a data-quality fact."""
from odoo.tests.common import at_install, post_install

from .common import InteractionCase

RAW = """From: {sender}
To: catchall@inbound.example
Subject: {subject}
Message-ID: <{key}@mail.example.com>
Content-Type: text/plain; charset=utf-8

{body}
"""


@at_install(False)
@post_install(True)
class TestConsentRoutes(InteractionCase):

    def setUp(self):
        super().setUp()
        self.contact.write({"email": "janet.holroyd@kirklees.example"})
        self.contact.ecrm_set_consent("email", "opted_in", "form", "Newsletter form")

    def mail_in(self, subject, body="Sent from my phone", sender="Janet Holroyd <Janet.Holroyd@Kirklees.example>",
                key="route-test"):
        raw = RAW.format(sender=sender, subject=subject, body=body, key=key)
        return self.env["mail.thread"].message_process("crm.lead", raw)

    def last_audit(self, partner):
        return self.env["ecrm.consent.history"].search([("partner_id", "=", partner.id), ("channel", "=", "email")],
                                                       limit=1)

    def test_a_reply_asking_to_unsubscribe_opts_the_sender_out_with_source_reply(self):
        self.mail_in("Re: Spring stairlift offer", body="Unsubscribe!\n\n> Hello Janet, our spring offer")
        self.contact.invalidate_cache()
        self.assertEqual((self.contact.ecrm_consent_email, self.contact.opt_out), ("opted_out", True))
        audit = self.last_audit(self.contact)
        self.assertEqual((audit.previous_state, audit.state, audit.source), ("opted_in", "opted_out", "reply"))
        self.assertIn("<route-test@mail.example.com>", audit.proof)
        self.assertIn("janet.holroyd@kirklees.example", audit.proof)
        self.assertFalse(self.contact.ecrm_can_contact("email"))
        # the mail itself still reaches the customer's chatter, where staff see the request
        message = self.env["mail.message"].search([("message_id", "=", "<route-test@mail.example.com>")])
        self.assertEqual((message.model, message.res_id), ("res.partner", self.contact.id))

    def test_a_subject_alone_asks_too_and_a_second_request_records_nothing_more(self):
        self.mail_in("STOP", key="route-stop")
        self.assertEqual(self.last_audit(self.contact).source, "reply")
        count = self.env["ecrm.consent.history"].search_count([("partner_id", "=", self.contact.id)])
        self.mail_in("Re: remove me", key="route-stop-again")
        self.assertEqual(self.env["ecrm.consent.history"].search_count([("partner_id", "=", self.contact.id)]), count)

    def test_an_ordinary_mail_that_mentions_stopping_opts_nobody_out(self):
        self.mail_in("Re: Spring stairlift offer", body="Please stop by on Tuesday to unsubscribe the old lift\n"
                                                         "unsubscribe")
        self.mail_in("Stop-gap order for ward 4", key="route-stopgap")
        self.contact.invalidate_cache()
        self.assertEqual((self.contact.ecrm_consent_email, self.contact.opt_out), ("opted_in", False))
        self.assertEqual(self.last_audit(self.contact).source, "form")

    def test_staff_and_unknown_senders_are_not_opted_out(self):
        staff = self.make_user("route_staff_t", ["base.group_user"])
        staff.partner_id.write({"email": "staff.member@ourcompany.example"})
        self.mail_in("unsubscribe", sender="staff.member@ourcompany.example", key="route-staff")
        staff.partner_id.invalidate_cache()
        self.assertFalse(staff.partner_id.opt_out)
        self.assertFalse(self.env["ecrm.consent"].search([("partner_id", "=", staff.partner_id.id)]))
        self.mail_in("unsubscribe", sender="stranger@nowhere.example", key="route-stranger")
        self.assertFalse(self.env["ecrm.consent.history"].search([("source", "=", "reply"),
                                                                  ("proof", "like", "stranger@nowhere.example")]))

    def test_staff_ticking_opt_out_is_the_staff_route(self):
        self.contact.write({"opt_out": True})
        audit = self.last_audit(self.contact)
        self.assertEqual((audit.state, audit.source, audit.user_id), ("opted_out", "staff", self.env.user))

    def test_a_hard_bounce_marks_the_address_invalid_for_data_quality(self):
        doris = self.individual
        doris.write({"email": "doris.lumb@example.com", "phone": False, "mobile": False, "street": "1 High St",
                     "zip": "HD1 2TA", "city": "Huddersfield", "country_id": self.env.ref("base.uk").id})
        doris.ecrm_set_consent("email", "opted_in", "form", "Newsletter form")
        before = doris.ecrm_data_quality_score
        self.assertFalse(doris.ecrm_quality_issues)
        # what the host's mail gateway does with a delivery status notification for this address
        doris.message_receive_bounce(doris.email, doris)
        doris.invalidate_cache()
        self.assertEqual(doris.message_bounce, 1)
        self.assertIn("bounced", doris.ecrm_quality_issues)
        # the bounced address reaches nobody: no way of contact is left, and a warning on top
        self.assertEqual(doris.ecrm_data_quality_score, before - 25 - 10)
        self.assertFalse(doris.ecrm_can_contact("email"))
        doris.write({"email": "d.lumb@example.com"})  # a new address has not bounced
        doris.invalidate_cache()
        self.assertEqual((doris.message_bounce, doris.ecrm_data_quality_score), (0, before))
        self.assertFalse(doris.ecrm_quality_issues)
