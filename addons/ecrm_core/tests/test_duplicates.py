from odoo.exceptions import AccessError

from .common import InteractionCase


class TestDuplicates(InteractionCase):

    def setUp(self):
        super().setUp()
        Partner = self.env["res.partner"]
        self.original = Partner.create({"name": "Calderdale Hoists Ltd (dup test)", "phone": "01422 365000",
                                        "zip": "HX1 1UJ", "email": "sales@calderdalehoists.co.uk"})
        self.variant = Partner.create({"name": "CALDERDALE HOISTS LIMITED (dup test)", "phone": "+44 1422 365000",
                                       "zip": "HX1 1UJ"})
        self.Group = self.env["ecrm.duplicate.group"]

    def scan(self):
        count = self.Group.scan([("name", "ilike", "(dup test)")])
        return count, self.Group.search([("partner_ids", "in", self.original.ids), ("state", "=", "open")])

    def test_scan_finds_the_pair_with_a_reason(self):
        count, group = self.scan()
        self.assertEqual(count, 1)
        self.assertEqual(group.partner_ids, self.original | self.variant)
        self.assertIn("same phone", group.reason)
        self.assertGreaterEqual(group.score, 80)

    def test_dismissed_pairs_are_not_proposed_again(self):
        _count, group = self.scan()
        group.action_dismiss()
        count, again = self.scan()
        self.assertEqual(count, 0)
        self.assertFalse(again)
        self.assertEqual(group.state, "dismissed")

    def test_merge_moves_interactions_and_consents_to_the_survivor(self):
        self.Interaction.log(self.row(partner_id=self.variant.id, subject="call on the variant"))
        self.variant.ecrm_set_consent("email", "opted_in", "staff", "Agreed by phone")
        order = self.env["sale.order"].create({"partner_id": self.variant.id})
        _count, group = self.scan()
        group.survivor_id = self.original
        group.action_merge()
        self.assertFalse(self.variant.exists())
        self.assertEqual(group.state, "merged")
        self.assertEqual(order.partner_id, self.original)
        self.assertIn("call on the variant",
                      self.Interaction.search([("partner_id", "=", self.original.id)]).mapped("subject"))
        self.assertEqual(self.original.ecrm_consent_email, "opted_in")
        self.assertIn("Merged duplicates", self.original.message_ids[0].body)

    def test_only_managers_merge(self):
        user = self.make_user("dup_user_t", ["ecrm_core.group_ecrm_user", "base.group_partner_manager"])
        _count, group = self.scan()
        with self.assertRaises(AccessError):
            group.sudo(user).action_merge()

    def test_a_rescan_keeps_the_proposal_under_review_and_drops_one_no_longer_found(self):
        _count, group = self.scan()
        count, again = self.scan()
        self.assertEqual((count, again), (1, group))  # the same record: a reviewer's page stays valid
        self.variant.write({"name": "Unrelated Widgets (dup test)", "phone": "0113 496 0000", "zip": "LS1 1AA"})
        count, gone = self.scan()
        self.assertEqual(count, 0)
        self.assertFalse(gone)
        self.assertFalse(group.exists())

    def test_a_partial_scan_keeps_other_proposals(self):
        _count, group = self.scan()
        self.Group.scan([("id", "=", self.individual.id)])
        self.assertTrue(group.exists(), "scanning one unrelated customer must not drop this proposal")
