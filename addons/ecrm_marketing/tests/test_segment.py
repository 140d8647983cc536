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

    def test_a_company_member_is_reached_through_its_contacts_each_on_their_own_consent(self):
        Partner = self.env["res.partner"]
        home = Partner.create({"name": "Willow Care Home (segtest company)", "is_company": True,
                               "email": "office@willow.example", "ecrm_sector_id": self.env.ref(
                                   "ecrm_core.sector_care_home").id})
        manager = Partner.create({"name": "Willow manager", "parent_id": home.id, "email": "manager@willow.example"})
        cook = Partner.create({"name": "Willow cook", "parent_id": home.id, "email": "cook@willow.example"})
        Partner.create({"name": "Willow deliveries", "parent_id": home.id, "type": "delivery",
                        "email": "goods-in@willow.example"})
        manager.ecrm_set_consent("email", "opted_in", "form", "Signed up at the trade show")
        segment = self.env["ecrm.segment"].create({
            "name": "Care homes (segtest)", "channel": "email",
            "domain": "[('is_company', '=', True), ('ecrm_sector_id.code', '=', 'care_home'), "
                      "('name', 'like', 'segtest company')]"})
        self.assertEqual((segment.member_count, segment.reach_count, segment.contactable_count), (1, 3, 1),
                         "the company, its two people (not its delivery address); the manager opted in")
        self.assertEqual(segment.ecrm_contactable_partner_ids(), manager.ids)
        self.assertEqual(Partner.search(segment.mailing_domain()), manager)
        segment.action_snapshot()
        cook.ecrm_set_consent("email", "opted_in", "form", "Asked for the newsletter")
        segment.invalidate_cache()
        self.assertEqual(set(segment.ecrm_contactable_partner_ids()), {manager.id, cook.id},
                         "a frozen company still reaches its people as they are today")
        self.assertEqual(segment.member_count, 1)
        self.assertIn(segment.id, self.env["ecrm.segment"].ecrm_segment_ids_of_partner(cook.id),
                      "the website personalises for the people a segment reaches")
