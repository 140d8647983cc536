"""Segments: live size, consent-aware counts, snapshot, mass-mailing feed."""
from odoo.exceptions import AccessError, UserError
from odoo.tests.common import at_install, post_install
from odoo.tools.safe_eval import safe_eval

from .common import MarketingCase


@at_install(False)
@post_install(True)
class TestSegment(MarketingCase):

    def setUp(self):
        super().setUp()
        Partner = self.env["res.partner"]
        self.opted_in = Partner.create({"name": "Ann (segtest)", "email": "ann@example.com"})
        self.opted_out = Partner.create({"name": "Bob (segtest)", "email": "bob@example.com"})
        self.unknown = Partner.create({"name": "Cat (segtest)", "email": "cat@example.com"})
        self.opted_in.ecrm_set_consent("email", "opted_in", "form", "Ticked the box")
        self.opted_out.ecrm_set_consent("email", "opted_out", "form", "Unsubscribed")
        self.segment = self.env["ecrm.segment"].create({
            "name": "Seg test", "channel": "email", "domain": "[('name', 'like', '(segtest)')]"})

    def test_counts_show_who_is_excluded_and_why(self):
        self.assertEqual(self.segment.member_count, 3)
        self.assertEqual(self.segment.contactable_count, 1)
        self.assertEqual(self.segment.opted_out_count, 1)
        self.assertEqual(self.segment.unknown_consent_count, 1)
        self.assertEqual(self.segment.ecrm_contactable_partner_ids(), self.opted_in.ids)

    def test_snapshot_freezes_members(self):
        self.segment.action_snapshot()
        late = self.env["res.partner"].create({"name": "Dan (segtest)", "email": "dan@example.com"})
        late.ecrm_set_consent("email", "opted_in", "form", "Ticked the box")
        self.segment.invalidate_cache()
        self.assertEqual(self.segment.member_count, 3)
        self.segment.action_release_snapshot()
        self.assertEqual(self.segment.member_count, 4)

    def test_mailing_domain_reaches_only_opted_in_members(self):
        domain = self.segment.mailing_domain()
        self.assertEqual(self.env["res.partner"].search(domain), self.opted_in)
        action = self.segment.action_create_mailing()
        mailing = self.env["mail.mass_mailing"].browse(action["res_id"])
        self.assertEqual(self.env["res.partner"].search(safe_eval(mailing.mailing_domain)), self.opted_in)

    def test_synced_list_holds_contactable_members_only(self):
        self.segment = self.segment.with_context(test_queue_job_no_delay=True)  # its job, at once
        self.segment.action_sync_mailing_list()
        contacts = self.env["mail.mass_mailing.contact"].search([("list_ids", "in", self.segment.mailing_list_id.ids)])
        self.assertEqual(contacts.mapped("email"), ["ann@example.com"])
        self.opted_in.ecrm_set_consent("email", "opted_out", "staff", "Asked on the phone")
        self.unknown.ecrm_set_consent("email", "opted_in", "staff", "Asked on the phone")
        self.segment.action_sync_mailing_list()
        contacts = self.env["mail.mass_mailing.contact"].search([("list_ids", "in", self.segment.mailing_list_id.ids)])
        self.assertEqual(contacts.mapped("email"), ["cat@example.com"])

    def test_membership_of_one_partner_live_and_frozen(self):
        Segment = self.env["ecrm.segment"]
        self.assertIn(self.segment.id, Segment.ecrm_segment_ids_of_partner(self.unknown.id))
        outsider = self.env["res.partner"].create({"name": "Dan (not in it)"})
        self.assertNotIn(self.segment.id, Segment.ecrm_segment_ids_of_partner(outsider.id))
        self.segment.action_snapshot()
        outsider.name = "Dan (segtest)"  # matches the filter now, but the list is frozen
        self.assertNotIn(self.segment.id, Segment.ecrm_segment_ids_of_partner(outsider.id))

    def test_the_sync_is_a_job_refused_at_once_to_whoever_may_not_create_lists(self):
        segment = self.segment.with_context(test_queue_job_no_delay=False)
        segment.action_sync_mailing_list()
        self.assertEqual(segment.ecrm_job_state, "queued")
        self.assertFalse(segment.mailing_list_id, "nothing is done in the request")
        with self.assertRaisesRegex(UserError, "already being worked on"):
            segment.action_sync_mailing_list()
        self.assertEqual(segment._ecrm_job_sync_mailing_list(), "1 addresses on the list")
        contacts = self.env["mail.mass_mailing.contact"].search([("list_ids", "in", segment.mailing_list_id.ids)])
        self.assertEqual(contacts.mapped("email"), ["ann@example.com"])
        ecrm_user = self.make_user("segment_user_t", ["ecrm_core.group_ecrm_user"])
        other = self.env["ecrm.segment"].create({"name": "Other (segtest)", "domain": "[]"})
        with self.assertRaises(AccessError):
            other.sudo(ecrm_user).action_sync_mailing_list()
        self.assertEqual(other.ecrm_job_state, "idle")
