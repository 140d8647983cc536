"""The host's mass mailings on the recipients' timelines: sent, opened, clicked, replied,
bounced, each once, with the mailing's campaign, medium and source."""
from unittest.mock import patch

from odoo.tests.common import at_install, post_install

from .common import MarketingCase


@at_install(False)
@post_install(True)
class TestMailingTimeline(MarketingCase):

    def setUp(self):
        super().setUp()
        (self.customer_a | self.customer_b).ecrm_set_consent("email", "opted_in", "form", "Ticked the box")
        self.mailing = self.env["mail.mass_mailing"].create({
            "name": "Winter bath lift offer (test)", "body_html": "<p>Warm baths all winter</p>",
            "mailing_model_id": self.env.ref("base.model_res_partner").id,
            "mailing_domain": "[('id', 'in', %s)]" % [self.customer_a.id, self.customer_b.id],
            "campaign_id": self.campaign.id})
        with patch.object(type(self.env["mail.mail"]), "send", lambda mails, *a, **k: True):
            self.mailing.send_mail()  # the host's composer queues one mail per recipient
        self.mails = self.env["mail.mail"].search([("mailing_id", "=", self.mailing.id)])

    def entries(self, partner, code):
        return self.env["ecrm.interaction"].search([("partner_id", "=", partner.id), ("interaction_type", "=", code)])

    def test_each_recipient_gets_one_sent_entry_with_the_mailings_utm_and_no_plain_email_entry(self):
        self.assertEqual(len(self.mails), 2)
        for customer in (self.customer_a, self.customer_b):
            sent = self.entries(customer, "mailing_sent")
            self.assertEqual(len(sent), 1)
            self.assertEqual((sent.campaign_id, sent.medium_id, sent.source_id),
                             (self.campaign, self.mailing.medium_id, self.mailing.source_id))
            self.assertEqual((sent.res_model, sent.res_id, sent.direction),
                             ("mail.mass_mailing", self.mailing.id, "outbound"))
            self.assertFalse(self.entries(customer, "email_sent"))

    def test_opens_clicks_replies_and_bounces_are_logged_once_each(self):
        Statistics = self.env["mail.mail.statistics"]
        mail_a = self.mails.filtered(lambda mail: mail.res_id == self.customer_a.id)
        for _twice in range(2):
            Statistics.set_opened(mail_mail_ids=mail_a.ids)
            Statistics.set_clicked(mail_mail_ids=mail_a.ids)
        Statistics.set_replied(mail_mail_ids=mail_a.ids)
        mail_b = self.mails - mail_a
        Statistics.set_bounced(mail_mail_ids=mail_b.ids)
        for code in ("mailing_opened", "mailing_clicked", "mailing_replied"):
            entry = self.entries(self.customer_a, code)
            self.assertEqual(len(entry), 1, code)
            self.assertEqual((entry.campaign_id, entry.direction), (self.campaign, "inbound"))
        self.assertEqual(len(self.entries(self.customer_b, "mailing_bounced")), 1)
        self.assertFalse(self.entries(self.customer_b, "mailing_opened"))

    def test_a_list_subscriber_is_matched_to_the_customer_with_the_same_address(self):
        mailing_list = self.env["mail.mass_mailing.list"].create({"name": "Newsletter (test)"})
        contact = self.env["mail.mass_mailing.contact"].create({
            "name": "Willow Bank", "email": "OFFICE@willowbank.example", "list_ids": [(4, mailing_list.id)]})
        stat = self.env["mail.mail.statistics"].create({
            "model": "mail.mass_mailing.contact", "res_id": contact.id, "mass_mailing_id": self.mailing.id,
            "message_id": "<list-1@example.com>"})
        stat.write({"opened": "2026-12-01 10:00:00"})
        opened = self.entries(self.customer_a, "mailing_opened")
        self.assertEqual((len(opened), opened.date), (1, "2026-12-01 10:00:00"))

    def test_a_customer_who_opted_out_gets_no_mail_and_no_send_on_the_timeline(self):
        self.customer_b.ecrm_set_consent("email", "opted_out", "form", "Asked us not to write")
        mailing = self.mailing.copy({"name": "Spring bath lift offer (test)"})
        with patch.object(type(self.env["mail.mail"]), "send", lambda mails, *a, **k: True):
            mailing.send_mail()
        mails = self.env["mail.mail"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual((mails.mapped("state"), mails.mapped("res_id")), (["outgoing"], self.customer_a.ids))
        sent = self.env["ecrm.interaction"].search([("res_model", "=", "mail.mass_mailing"),
                                                    ("res_id", "=", mailing.id),
                                                    ("interaction_type", "=", "mailing_sent")])
        self.assertEqual(sent.mapped("partner_id"), self.customer_a)

    def test_a_mail_the_host_cancels_as_it_makes_it_is_no_send_on_the_timeline(self):
        mailing = self.mailing.copy({"name": "Spring bath lift offer (test)"})
        # the host's own blacklist (an address it holds back) cancels the mail as the composer makes it
        blacklist = patch.object(type(mailing), "_get_blacklist", lambda mailing: {"procurement@kirklees.example"})
        with blacklist, patch.object(type(self.env["mail.mail"]), "send", lambda mails, *a, **k: True):
            mailing.send_mail()
        mails = self.env["mail.mail"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual(sorted(mails.mapped("state")), ["cancel", "outgoing"])
        sent = self.env["ecrm.interaction"].search([("res_model", "=", "mail.mass_mailing"),
                                                    ("res_id", "=", mailing.id),
                                                    ("interaction_type", "=", "mailing_sent")])
        self.assertEqual(sent.mapped("partner_id"), self.customer_a)
