"""Every marketing send path asks the same rule (consent, opt-out, bounce, frequency cap), counted across
paths: the program steps' bulk writer, the host's mass mailings to customers, and the composer's
mass mail to customers. One-to-one and transactional mail is left alone."""
import ast
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests.common import at_install, post_install

from .common import ProgramCase

UNSENT = patch("odoo.addons.mail.models.mail_mail.MailMail.send", lambda mails, *args, **kwargs: True)


@at_install(False)
@post_install(True)
class TestSendPaths(ProgramCase):

    def setUp(self):
        super().setUp()
        self.program = self.make_program([{"trigger": "start", "action": "email"}])
        self.first = self.program.step_ids
        self.program.action_start()

    def composer_mass_mail(self, partners, user=None):
        """The host's Send e-mail of the customer list (mass-mail mode), as ``user``; returns the mails."""
        env = self.env(user=user) if user else self.env
        composer = env["mail.compose.message"].with_context(active_ids=partners.ids).create({
            "composition_mode": "mass_mail", "model": "res.partner", "subject": "Our spring news",
            "body": "<p>Hello ${object.name}</p>", "active_domain": repr([("id", "in", partners.ids)])})
        before = self.env["mail.mail"].search([]).ids
        with UNSENT:
            composer.send_mail()
        return self.env["mail.mail"].search([("id", "not in", before)])

    def mailing(self, partners):
        mailing = self.env["mail.mass_mailing"].create({
            "name": "Spring news (test)", "body_html": "<p>Spring news</p>",
            "mailing_model_id": self.env.ref("base.model_res_partner").id,
            "mailing_domain": repr([("id", "in", partners.ids)])})
        with UNSENT:
            mailing.send_mail()
        return self.env["mail.mail"].search([("mailing_id", "=", mailing.id)])

    def everyone(self):
        return self.ann | self.bob | self.cat | self.dan

    # ---- an opted-out (or unknown, or bounced) customer gets nothing, on each path ----

    def test_the_program_path_mails_only_the_opted_in(self):
        self.program.run(now=fields.Datetime.now())
        self.assertEqual(self.mailed(self.first), (self.ann | self.bob).ids)
        results = self.results(self.first)
        self.assertEqual((results[self.cat], results[self.dan]), ("skipped_consent", "skipped_consent"))

    def test_a_mass_mailing_to_customers_mails_only_the_opted_in_whatever_its_domain(self):
        mails = self.mailing(self.everyone())
        self.assertEqual(mails.mapped("recipient_ids"), self.ann | self.bob)  # no mail at all for Cat and Dan
        self.assertEqual(set(mails.mapped("state")), {"outgoing"})

    def test_the_composers_mass_mail_to_customers_mails_only_the_opted_in(self):
        self.bob.message_receive_bounce(self.bob.email, self.bob)  # the host's gateway saw a hard bounce
        mails = self.composer_mass_mail(self.everyone())
        self.assertEqual(mails.mapped("recipient_ids"), self.ann)
        # recorded as the host's mass mailing: tracked, with the one-click unsubscribe headers
        self.assertEqual(mails.mailing_id.mailing_model_real, "res.partner")
        self.assertEqual(len(mails.statistics_ids), 1)
        headers = ast.literal_eval(mails.headers)
        self.assertEqual(headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")

    def test_a_mass_mail_that_may_reach_nobody_says_why(self):
        with self.assertRaises(UserError) as refusal:
            self.composer_mass_mail(self.cat | self.dan)
        self.assertIn("Cat (progtest): email consent: opted_out", str(refusal.exception))
        self.assertIn("Dan (progtest): email consent: unknown", str(refusal.exception))

    def test_a_batch_nobody_may_receive_does_not_stop_the_next_one(self):
        self.env["ir.config_parameter"].set_param("mail.batch_size", "2")  # the host sends in batches of 2
        mails = self.composer_mass_mail(self.cat | self.dan | self.ann)
        self.assertEqual(mails.mapped("recipient_ids"), self.ann)

    def test_a_message_from_the_chatter_is_not_marketing_and_reaches_the_opted_out(self):
        composer = self.env["mail.compose.message"].with_context(
            default_model="res.partner", default_res_id=self.cat.id).create({
                "composition_mode": "comment", "body": "<p>Your invoice is attached</p>",
                "partner_ids": [(6, 0, self.cat.ids)], "subject": "Invoice INV/2026/0042"})
        with UNSENT:
            composer.send_mail()
        mail = self.env["mail.mail"].search([("recipient_ids", "in", self.cat.ids),
                                             ("subject", "=", "Invoice INV/2026/0042")])
        self.assertEqual(len(mail), 1)

    # ---- the cap holds across paths ----

    def test_a_program_mail_then_a_mass_mailing_the_same_day_exceed_a_cap_of_one(self):
        self.env.user.company_id.ecrm_contact_cap = 1
        self.program.run(now=fields.Datetime.now())
        self.assertEqual(self.mailed(self.first), (self.ann | self.bob).ids)
        self.dan.ecrm_set_consent("email", "opted_in", "staff", "Asked on the phone")
        self.assertEqual(self.mailing(self.everyone()).mapped("recipient_ids"), self.dan)

    def test_a_program_mail_then_the_composers_mass_mail_exceed_a_cap_of_one(self):
        self.env.user.company_id.ecrm_contact_cap = 1
        self.program.run(now=fields.Datetime.now())
        with self.assertRaises(UserError) as refusal:
            self.composer_mass_mail(self.ann | self.bob)
        self.assertIn("frequency cap reached", str(refusal.exception))

    def test_the_composers_mass_mail_counts_towards_the_programs_cap(self):
        self.env.user.company_id.ecrm_contact_cap = 1
        self.assertEqual(self.composer_mass_mail(self.ann).mapped("recipient_ids"), self.ann)
        self.program.run(now=fields.Datetime.now())
        self.assertEqual(self.mailed(self.first), self.bob.ids)
        self.assertEqual(self.results(self.first)[self.ann], "skipped_cap")

    def test_staff_who_may_not_make_a_mailing_still_send_mail_the_cap_counts(self):
        salesman = self.make_user("sendpath_sales_t", ["sales_team.group_sale_salesman"])
        self.env.user.company_id.ecrm_contact_cap = 1
        mails = self.composer_mass_mail(self.ann | self.cat, user=salesman)
        self.assertEqual((mails.mapped("recipient_ids"), mails.mailing_id), (self.ann, self.env["mail.mass_mailing"]))
        self.assertEqual(mails.statistics_ids.mapped("res_id"), self.ann.ids)
        self.program.run(now=fields.Datetime.now())
        self.assertEqual(self.results(self.first)[self.ann], "skipped_cap")
