"""Unsubscribe (PECR / UK GDPR): the host's opt-outs and eCRM e-mail consent are one fact on every send path."""
import html
import re
from unittest.mock import patch

import werkzeug.urls

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests.common import at_install, post_install
from odoo.tools.safe_eval import safe_eval

from .common import ProgramCase, at

LINK = re.compile(r'href="([^"]*/ecrm/unsubscribe/[^"]*)"')


@at_install(False)
@post_install(True)
class TestUnsubscribe(ProgramCase):

    def setUp(self):
        super().setUp()
        self.program = self.make_program([{"trigger": "start", "action": "email"},
                                          {"trigger": "delay", "delay_days": 3, "action": "email"}])
        self.program.action_start()
        self.first, self.second = self.program.step_ids.sorted("sequence")

    def queued(self, step, partner):
        return self.env["mail.mail"].browse(self.statistics(step, partner).mail_mail_id_int)

    def unsubscribe_link(self, step, partner):
        links = LINK.findall(self.queued(step, partner).body_html)
        self.assertEqual(len(links), 1, "one unsubscribe link in the mail")
        return werkzeug.urls.url_parse(html.unescape(links[0]))

    def email_history(self, partner):
        return self.env["ecrm.consent.history"].search([("partner_id", "=", partner.id), ("channel", "=", "email")],
                                                       order="id")

    def test_every_program_mail_carries_its_customers_signed_unsubscribe_link(self):
        self.program.run(now=at(0))
        for partner in self.ann | self.bob:
            url = self.unsubscribe_link(self.first, partner)
            args = url.decode_query()
            self.assertEqual(url.path, "/ecrm/unsubscribe/%d" % self.first.mailing_id.id)
            self.assertEqual((int(args["res_id"]), args["email"]), (partner.id, partner.email))
            self.assertEqual(args["token"], self.first.mailing_id._unsubscribe_token(partner.id, partner.email))

    def test_the_templates_own_placeholder_becomes_the_link(self):
        self.template.body_html += '<p><a href="/unsubscribe_from_list">Stop these e-mails</a></p>'
        self.program.run(now=at(0))
        body = self.queued(self.first, self.ann).body_html
        self.assertNotIn("unsubscribe_from_list", body)
        self.assertIn(">Stop these e-mails</a>", body)
        self.unsubscribe_link(self.first, self.ann)  # exactly one: no footer on top of it

    def test_the_host_unsubscribe_records_consent_and_stops_the_next_step(self):
        self.program.run(now=at(0))
        args = self.unsubscribe_link(self.first, self.bob).decode_query()
        # what the link's page does, as the host's own unsubscribe page does it: as superuser
        self.first.mailing_id.sudo().update_opt_out(args["email"], [int(args["res_id"])], True)
        self.assertTrue(self.bob.opt_out)
        self.assertEqual(self.bob.ecrm_consent_email, "opted_out")
        last = self.email_history(self.bob)[-1]
        self.assertEqual((last.previous_state, last.state, last.source), ("opted_in", "opted_out", "unsubscribe_link"))
        self.assertIn(self.first.mailing_id.name, last.proof)
        self.assertEqual((self.ann | self.bob).ecrm_contactable("email"), self.ann)
        self.program.run(now=at(4))
        self.assertEqual(self.mailed(self.second), self.ann.ids)
        self.assertEqual(self.results(self.second)[self.bob], "skipped_consent")

    def test_opt_out_written_in_odoo_stops_the_next_step(self):
        self.program.run(now=at(0))
        self.bob.write({"opt_out": True})  # staff tick the host's box on the customer
        self.program.run(now=at(4))
        self.assertEqual(self.mailed(self.second), self.ann.ids)
        self.assertEqual(self.email_history(self.bob)[-1].source, "staff")

    def test_the_bulk_writer_refuses_a_customer_opted_out_either_way(self):
        self.env.cr.execute("UPDATE res_partner SET opt_out = true WHERE id = %s", (self.bob.id,))  # around the ORM
        self.ann.invalidate_cache()
        mailing = self.first._ensure_mailing()
        mail_ids = self.env["ecrm.marketing.bulk"]._queue_mailing_mails(mailing, (self.ann | self.bob | self.cat).ids,
                                                                        at(0))
        self.assertEqual(self.env["mail.mail"].browse(mail_ids).mapped("recipient_ids"), self.ann)

    def test_an_address_that_bounced_is_mailed_by_no_path_until_it_changes(self):
        self.assertIn(self.bob, self.env["res.partner"].search(self.segment.mailing_domain()))
        # the host's mail gateway counts a bounce on the customer whose address bounced
        self.bob.message_receive_bounce(self.bob.email, self.bob)
        self.assertEqual(self.bob.message_bounce, 1)
        mailing = self.first._ensure_mailing()
        mail_ids = self.env["ecrm.marketing.bulk"]._queue_mailing_mails(mailing, (self.ann | self.bob).ids, at(0))
        self.assertEqual(self.env["mail.mail"].browse(mail_ids).mapped("recipient_ids"), self.ann)
        self.assertNotIn(self.bob, self.env["res.partner"].search(self.segment.mailing_domain()))
        self.assertIn(self.bob.email, mailing._get_blacklist())
        self.assertEqual((self.ann | self.bob).ecrm_contactable("email"), self.ann)
        # a new address has not bounced: the customer is mailable again
        self.bob.write({"email": "bob.new@example.com"})
        self.assertEqual(self.bob.message_bounce, 0)
        self.assertEqual((self.ann | self.bob).ecrm_contactable("email"), self.ann | self.bob)
        self.bob.write({"email": "BOB.NEW@example.com "})  # the same address, retyped
        self.bob.message_receive_bounce(self.bob.email, self.bob)
        self.bob.write({"email": "bob.new@example.com"})
        self.assertEqual(self.bob.message_bounce, 1)

    def host_segment_mailing(self):
        mailing = self.env["mail.mass_mailing"].browse(self.segment.action_create_mailing()["res_id"])
        with patch.object(type(self.env["mail.mail"]), "send", lambda mails, *a, **k: True):
            mailing.send_mail()
        return self.env["mail.mail"].search([("mailing_id", "=", mailing.id)]).mapped("res_id")

    def test_the_frequency_cap_holds_across_program_steps_and_the_hosts_mass_mailing(self):
        self.env.user.company_id.ecrm_contact_cap = 1
        now = fields.Datetime.now()
        self.program.run(now=now)  # the program's first e-mail: one contact each for Ann and Bob
        self.assertEqual(self.mailed(self.first), (self.ann | self.bob).ids)
        with self.assertRaises(UserError):
            self.host_segment_mailing()  # the host's "Send now" finds nobody left to mail
        self.assertFalse(self.env["mail.mail"].search([("mailing_id.mailing_model_real", "=", "res.partner"),
                                                       ("res_id", "in", (self.ann | self.bob).ids),
                                                       ("mailing_id", "not in", self.first.mailing_id.ids)]))

    def test_a_host_mass_mailing_counts_towards_the_programs_cap(self):
        self.env.user.company_id.ecrm_contact_cap = 1
        self.assertEqual(sorted(self.host_segment_mailing()), sorted((self.ann | self.bob).ids))
        self.program.run(now=fields.Datetime.now())
        self.assertEqual(self.mailed(self.first), [])
        results = self.results(self.first)
        self.assertEqual((results[self.ann], results[self.bob]), ("skipped_cap", "skipped_cap"))

    def test_a_list_contact_unsubscribing_opts_the_customer_out(self):
        mailing_list = self.env["mail.mass_mailing.list"].create({"name": "Newsletter (test)"})
        contact = self.env["mail.mass_mailing.contact"].create({"name": "Bob", "email": "BOB@example.com",
                                                               "list_ids": [(4, mailing_list.id)]})
        mailing = self.env["mail.mass_mailing"].create({
            "name": "Newsletter (test)", "mailing_model_id": self.env.ref("mass_mailing.model_mail_mass_mailing_list").id,
            "contact_list_ids": [(4, mailing_list.id)]})
        mailing.sudo().update_opt_out("BOB@example.com", contact.ids, True)
        self.assertTrue(contact.opt_out)
        self.assertEqual(self.bob.ecrm_consent_email, "opted_out")
        self.assertEqual(self.email_history(self.bob)[-1].source, "unsubscribe_link")
        self.assertFalse(self.bob.ecrm_can_contact("email"))

    def test_staff_opting_a_list_contact_out_opts_the_customer_out(self):
        contact = self.env["mail.mass_mailing.contact"].create({"name": "Ann", "email": "ann@example.com"})
        contact.write({"opt_out": True})
        self.assertTrue(self.ann.opt_out)
        self.assertEqual(self.email_history(self.ann)[-1].source, "staff")

    def test_list_contacts_follow_the_customers_consent(self):
        contact = self.env["mail.mass_mailing.contact"].create({"name": "Ann", "email": "Ann@Example.com"})
        self.ann.ecrm_set_consent("email", "opted_out", "portal", "Unticked on /my/preferences")
        self.assertTrue(contact.opt_out)
        self.ann.ecrm_set_consent("email", "opted_in", "form", "Ticked the box again")
        self.assertFalse(contact.opt_out)

    def test_list_mailings_skip_every_customer_who_opted_out(self):
        self.env.cr.execute("UPDATE res_partner SET opt_out = true WHERE id = %s", (self.ann.id,))
        mailing = self.env["mail.mass_mailing"].create({
            "name": "Newsletter (test)", "mailing_model_id": self.env.ref("mass_mailing.model_mail_mass_mailing_list").id})
        blacklist = mailing._get_blacklist()
        self.assertIn("ann@example.com", blacklist)  # opt_out
        self.assertIn("cat@example.com", blacklist)  # consent opted out
        self.assertNotIn("bob@example.com", blacklist)

    def test_segment_mailings_reach_no_opt_out_and_carry_the_unsubscribe_placeholder(self):
        self.env.cr.execute("UPDATE res_partner SET opt_out = true WHERE id = %s", (self.bob.id,))
        self.bob.invalidate_cache()
        self.assertEqual(self.env["res.partner"].search(self.segment.mailing_domain()), self.ann)
        mailing = self.env["mail.mass_mailing"].browse(self.segment.action_create_mailing()["res_id"])
        self.assertIn('href="/unsubscribe_from_list"', mailing.body_html)

    def one_click_headers(self, mail):
        headers = safe_eval(mail.headers or "{}")
        self.assertEqual(headers.get("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click")
        target = re.fullmatch(r"<(https?://[^>]+)>", headers.get("List-Unsubscribe", ""))
        self.assertTrue(target, headers)
        return headers, werkzeug.urls.url_parse(target.group(1))

    def test_every_program_mail_carries_one_click_unsubscribe_headers_to_the_same_link(self):
        self.program.run(now=at(0))
        for partner in self.ann | self.bob:
            headers, url = self.one_click_headers(self.queued(self.first, partner))
            in_body = self.unsubscribe_link(self.first, partner)
            self.assertEqual((url.path, url.decode_query()), (in_body.path, in_body.decode_query()))
            self.assertEqual(headers["X-Odoo-Objects"], "res.partner-%d" % partner.id)  # the host's, kept

    def test_a_segment_mailing_sent_by_the_host_carries_one_click_headers(self):
        self.env.cr.execute("UPDATE res_partner SET opt_out = true WHERE id = %s", (self.bob.id,))
        self.bob.invalidate_cache()
        mailing = self.env["mail.mass_mailing"].browse(self.segment.action_create_mailing()["res_id"])
        with patch.object(type(self.env["mail.mail"]), "send", lambda mails, *a, **k: True):
            mailing.send_mail()  # the host's own composer queues one mail per recipient
        mails = self.env["mail.mail"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual(mails.mapped("res_id"), self.ann.ids)
        _headers, url = self.one_click_headers(mails)
        args = url.decode_query()
        self.assertEqual(url.path, "/ecrm/unsubscribe/%d" % mailing.id)
        self.assertEqual(args["token"], mailing._unsubscribe_token(self.ann.id, self.ann.email))

    def test_the_demo_win_back_mail_has_an_unsubscribe_link(self):
        template = self.env.ref("ecrm_marketing.mail_template_winback", raise_if_not_found=False)
        if not template:
            self.skipTest("demo data not loaded")
        self.assertIn('href="/unsubscribe_from_list"', template.body_html)
