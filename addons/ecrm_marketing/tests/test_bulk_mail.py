"""Bulk-queued e-mails are the rows Odoo's mass-mail composer makes, and Odoo sends and tracks them."""
import email
from unittest.mock import patch

from odoo.tests.common import at_install, post_install

from .common import ProgramCase, at

# columns that differ between any two mails: identities, Message-Ids and timestamps
VOLATILE = {"id", "message_id", "date", "create_date", "write_date", "mail_message_id", "mail_mail_id",
            "mail_mail_id_int", "scheduled", "state_update"}


@at_install(False)
@post_install(True)
class TestBulkMail(ProgramCase):

    def setUp(self):
        super().setUp()
        program = self.make_program([{"trigger": "start", "action": "email"}])
        self.step = program.step_ids
        self.mailing = self.step._ensure_mailing()

    def rows(self, table, column, ids):
        self.env.cr.execute("SELECT * FROM {} WHERE {} = ANY(%s) ORDER BY id".format(table, column), (ids,))
        return [{key: value for key, value in row.items() if key not in VOLATILE}
                for row in self.env.cr.dictfetchall()]

    def composer_mail(self, partner):
        """What mass_mailing's own path makes for ``partner`` (kept unsent: it would send and delete it)."""
        composer = self.env["mail.compose.message"].with_context(active_ids=partner.ids).create({
            "author_id": self.env.user.partner_id.id, "body": self.mailing.convert_links()[self.mailing.id],
            "subject": self.mailing.name, "model": "res.partner", "email_from": self.mailing.email_from,
            "record_name": False, "composition_mode": "mass_mail", "mass_mailing_id": self.mailing.id,
            "no_auto_thread": True, "reply_to": self.mailing.reply_to, "template_id": None})
        with patch.object(type(self.env["mail.mail"]), "send", lambda *args, **kwargs: True):
            composer.with_context(active_ids=partner.ids).send_mail(auto_commit=False)
        return self.env["mail.mail"].search([("mailing_id", "=", self.mailing.id), ("res_id", "=", partner.id)])

    def same_rows(self, reference, bulk):
        self.assertEqual(self.rows("mail_mail", "id", reference.ids), self.rows("mail_mail", "id", bulk.ids))
        self.assertEqual(self.rows("mail_message", "id", reference.mail_message_id.ids),
                         self.rows("mail_message", "id", bulk.mail_message_id.ids))
        self.assertEqual(self.rows("mail_mail_statistics", "mail_mail_id", reference.ids),
                         self.rows("mail_mail_statistics", "mail_mail_id", bulk.ids))
        self.assertEqual(reference.recipient_ids, bulk.recipient_ids)

    def test_bulk_rows_equal_the_composer_rows(self):
        reference = self.composer_mail(self.ann)
        bulk_ids = self.env["ecrm.marketing.bulk"]._queue_mailing_mails(self.mailing, self.ann.ids, at(0))
        bulk = self.env["mail.mail"].browse(bulk_ids)
        self.assertEqual(len(reference), 1)
        self.assertEqual(bulk.subject, "An offer for Ann (progtest)")
        self.assertIn("/r/", bulk.body_html)  # the link is tracked
        # the one difference: the bulk mail carries the customer's unsubscribe link from the start
        linked = self.mailing._ecrm_with_unsubscribe_link(
            reference.body_html, self.mailing._ecrm_unsubscribe_url(self.ann.id, self.ann.email))
        self.assertNotEqual(linked, reference.body_html)
        self.env.cr.execute("UPDATE mail_mail SET body_html = %s WHERE id = %s", (linked, reference.id))
        self.env.cr.execute("UPDATE mail_message SET body = %s WHERE id = %s", (linked, reference.mail_message_id.id))
        self.env["mail.mail"].invalidate_cache()
        self.env["mail.message"].invalidate_cache()
        self.same_rows(reference, bulk)

    def test_queued_mail_is_sent_with_open_pixel_and_tracked_links(self):
        Bulk = self.env["ecrm.marketing.bulk"]
        mail_ids = Bulk._queue_mailing_mails(self.mailing, (self.ann | self.bob).ids, at(0))
        sent = []
        MailServer = type(self.env["ir.mail_server"])

        def send_email(server, message, *args, **kwargs):
            sent.append(message)
            return message["Message-Id"]

        with patch.object(MailServer, "connect", lambda *args, **kwargs: None), \
                patch.object(MailServer, "send_email", send_email):
            self.env["mail.mail"].browse(mail_ids).send()
        self.assertEqual(sorted(message["To"] for message in sent),
                         ['"Ann (progtest)" <ann@example.com>', '"Bob (progtest)" <bob@example.com>'])
        statistics = self.statistics(self.step, self.ann)
        html = [part.get_payload(decode=True).decode() for part in email.message_from_string(
            [message for message in sent if "ann@" in message["To"]][0].as_string()).walk()
            if part.get_content_type() == "text/html"][0]
        self.assertIn("/mail/track/%d/blank.gif" % statistics.mail_mail_id_int, html)
        self.assertRegex(html, r"/r/\w+/m/%d" % statistics.id)
        self.assertTrue(statistics.sent)
        self.assertEqual(statistics.state, "sent")
