from odoo.exceptions import AccessError, UserError, ValidationError

from .common import InteractionCase


class DuplicateCase(InteractionCase):

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

    def add_third(self):
        """A third record of the same firm: same e-mail as the original, another phone."""
        return self.env["res.partner"].create({"name": "Calderdale Hoists (dup test)", "phone": "01422 111222",
                                               "email": "Sales@CalderdaleHoists.co.uk"})

    def drop(self, group, partner, user=None, reason=None):
        Drop = self.env["ecrm.duplicate.group.drop"].sudo(user) if user else self.env["ecrm.duplicate.group.drop"]
        return Drop.create({"group_id": group.id, "partner_id": partner.id, "reason": reason}).action_drop()


class TestDuplicates(DuplicateCase):

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


class TestCompanyAndOwnContacts(DuplicateCase):

    def setUp(self):
        super().setUp()
        Partner = self.env["res.partner"]
        self.firm = Partner.create({"name": "Brighouse Ramps Ltd (dup test)", "is_company": True,
                                    "vat": "GB123456782", "phone": "01484 700100", "zip": "HD6 1AA"})
        self.staff = Partner.create({"name": "Alan Pickles (dup test)", "parent_id": self.firm.id,
                                     "mobile": "07700 900321"})
        self.colleague = Partner.create({"name": "Joan Pickles (dup test)", "parent_id": self.firm.id,
                                         "mobile": "07700 900654"})

    def firm_groups(self):
        return self.Group.search([("partner_ids", "in", (self.firm | self.staff | self.colleague).ids)])

    def test_a_company_and_its_contacts_sharing_its_vat_are_never_proposed(self):
        self.assertEqual(self.staff.vat, self.firm.vat, "Odoo copies the company's VAT number to its contacts")
        self.scan()
        self.assertFalse(self.firm_groups())

    def test_two_records_of_one_organisation_are_proposed(self):
        twin = self.env["res.partner"].create({"name": "Brighouse Ramps (dup test)", "is_company": True,
                                               "vat": "GB123456782", "email": "office@brighouse-ramps.co.uk"})
        self.scan()
        group = self.Group.search([("partner_ids", "in", twin.ids)])
        self.assertEqual(group.partner_ids, self.firm | twin)
        self.assertEqual(group.reason, "same VAT number")

    def test_a_group_of_a_company_and_its_contact_is_refused_at_merge_with_a_clear_message(self):
        legacy = self.Group.create({"partner_ids": [(6, 0, (self.firm | self.staff).ids)],
                                    "survivor_id": self.firm.id, "reason": "same VAT number"})
        with self.assertRaises(ValidationError) as caught:
            legacy.action_merge()
        self.assertIn("Alan Pickles (dup test) is a contact of", caught.exception.name)
        self.assertTrue(self.staff.exists())
        with self.assertRaises(ValidationError):
            legacy.action_open_merge_wizard()
        self.drop(legacy, self.staff)
        self.assertEqual(legacy.state, "dismissed")


class TestOneClickMerge(DuplicateCase):

    def setUp(self):
        super().setUp()
        self.manager = self.make_user("dup_manager_t", ["ecrm_core.group_ecrm_manager"])

    def test_an_ecrm_manager_merges_in_one_click_and_the_group_names_the_survivor(self):
        third = self.add_third()
        third.message_post(body="Chatter on the third record (dup test)")
        order = self.env["sale.order"].create({"partner_id": third.id})
        _count, group = self.scan()
        self.assertEqual(group.partner_ids, self.original | self.variant | third)
        group.survivor_id = self.variant  # not the oldest: the choice is honoured
        group.sudo(self.manager).action_merge()
        self.assertFalse((self.original | third).exists())
        self.assertEqual((group.state, group.survivor_id, group.partner_ids), ("merged", self.variant, self.variant))
        self.assertEqual(group.name, self.variant.display_name)
        self.assertEqual(order.partner_id, self.variant)
        self.assertIn("Chatter on the third record (dup test)", "".join(self.variant.message_ids.mapped("body")))
        self.assertEqual(self.variant.email.lower(), "sales@calderdalehoists.co.uk", "the host fills gaps")
        self.assertIn("Merged", group.message_ids[0].body)

    def test_a_merge_elsewhere_updates_other_open_groups(self):
        _count, group = self.scan()
        other = self.Group.create({"partner_ids": [(6, 0, (self.variant | self.individual).ids)],
                                   "survivor_id": self.variant.id})
        group.action_merge()
        self.assertEqual((other.state, other.partner_ids), ("open", self.original | self.individual))
        self.assertIn(self.original.display_name, other.name)

    def test_the_kept_customer_deleted_meanwhile_is_never_replaced_by_a_guess(self):
        third = self.add_third()
        _count, group = self.scan()
        group.survivor_id = self.original
        self.original.unlink()
        with self.assertRaises(UserError):
            group.action_merge()
        self.assertTrue((self.variant | third).exists())
        self.assertEqual(group.state, "open")

    def test_a_group_left_with_one_customer_is_closed_instead_of_merged(self):
        _count, group = self.scan()
        self.variant.unlink()
        group.action_merge()
        self.assertEqual(group.state, "dismissed")
        self.assertTrue(self.original.exists())

    def test_users_without_the_manager_group_cannot_merge(self):
        _count, group = self.scan()
        for number, groups in enumerate((["ecrm_core.group_ecrm_user"], ["base.group_user", "base.group_partner_manager"],
                                         ["base.group_portal"])):
            user = self.make_user("dup_no_merge_%d_t" % number, groups)
            for action in ("action_merge", "action_open_merge_wizard"):
                with self.assertRaises(AccessError, msg="%s %s" % (groups, action)):
                    getattr(group.sudo(user), action)()
        self.assertEqual(group.state, "open")
        self.assertTrue(self.variant.exists())


class TestMergeFieldByField(DuplicateCase):

    def test_the_host_wizard_opens_on_the_kept_customer_and_its_merge_closes_the_group(self):
        _count, group = self.scan()
        group.survivor_id = self.original  # the host alone would propose the newest, the variant
        action = group.action_open_merge_wizard()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual((wizard.state, wizard.dst_partner_id, wizard.partner_ids),
                         ("selection", self.original, self.original | self.variant))
        wizard.action_merge()
        self.assertFalse(self.variant.exists())
        self.assertEqual((group.state, group.survivor_id, group.name),
                         ("merged", self.original, self.original.display_name))


class TestDropMember(DuplicateCase):

    def setUp(self):
        super().setUp()
        self.third = self.add_third()
        _count, self.group = self.scan()
        self.ecrm_user = self.make_user("dup_drop_user_t", ["ecrm_core.group_ecrm_user"])

    def test_an_ecrm_user_drops_a_customer_and_a_rescan_does_not_bring_it_back(self):
        self.assertEqual(self.group.partner_ids, self.original | self.variant | self.third)
        self.drop(self.group, self.third, self.ecrm_user, reason="their Halifax depot (dup test)")
        self.assertIn("their Halifax depot (dup test)", self.group.message_ids[0].body)
        self.assertEqual((self.group.state, self.group.partner_ids), ("open", self.original | self.variant))
        self.assertEqual(self.group.dropped_partner_ids, self.third)
        self.assertNotIn("Calderdale Hoists (dup test)", self.group.name.split(" / "))
        count, again = self.scan()
        self.assertEqual((count, again), (1, self.group), "the same proposal, without the dropped customer")

    def test_dropping_the_kept_customer_keeps_another(self):
        self.group.survivor_id = self.variant
        self.drop(self.group, self.variant)
        self.assertIn(self.group.survivor_id, self.original | self.third)

    def test_a_group_left_with_one_customer_is_closed_and_its_last_cannot_be_dropped(self):
        self.drop(self.group, self.third)
        self.drop(self.group, self.variant)
        self.assertEqual((self.group.state, self.group.partner_ids), ("dismissed", self.original))
        with self.assertRaises(UserError):
            self.drop(self.group, self.original)
        self.assertEqual(self.group.partner_ids, self.original)

    def test_only_a_member_can_be_dropped(self):
        with self.assertRaises(UserError):
            self.drop(self.group, self.individual)

    def test_users_without_ecrm_groups_cannot_drop(self):
        for number, groups in enumerate((["base.group_user", "base.group_partner_manager"], ["base.group_portal"])):
            user = self.make_user("dup_no_drop_%d_t" % number, groups)
            with self.assertRaises(AccessError, msg=groups):
                self.drop(self.group, self.third, user)
        self.assertEqual(self.group.partner_ids, self.original | self.variant | self.third)
