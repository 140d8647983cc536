from odoo.exceptions import ValidationError

from .common import InteractionCase


class TestInteractionLog(InteractionCase):

    def test_log_stores_the_row_with_defaults_and_company_roll_up(self):
        interaction = self.Interaction.browse(self.Interaction.log(self.row(campaign_id=self.campaign.id)))
        self.assertEqual(interaction.partner_id, self.contact)
        self.assertEqual(interaction.commercial_partner_id, self.company_partner)
        self.assertEqual(interaction.channel, "phone")
        self.assertEqual(interaction.direction, "inbound")
        self.assertEqual(interaction.subject, "Call me")
        self.assertEqual(interaction.company_id, self.env.user.company_id)
        self.assertEqual(interaction.user_id, self.env.user)
        self.assertEqual(interaction.campaign_id, self.campaign)
        self.assertTrue(interaction.date)
        self.assertEqual(interaction.create_uid, self.env.user)

    def test_log_many_returns_ids_in_input_order(self):
        ids = self.Interaction.log_many([
            self.row(subject="first"),
            self.row(partner_id=self.individual.id, channel="email", direction="outbound",
                     interaction_type="quotation_sent", subject="second", date="2026-10-01 09:30:00"),
            self.row(subject="third", body="Rang back; wants a home visit."),
        ])
        interactions = self.Interaction.browse(ids)
        self.assertEqual(interactions.mapped("subject"), ["first", "second", "third"])
        second = interactions[1]
        self.assertEqual((second.partner_id, second.commercial_partner_id), (self.individual, self.individual))
        self.assertEqual(second.date, "2026-10-01 09:30:00")
        self.assertEqual(second.direction, "outbound")

    def test_logging_in_pages_keeps_every_row_in_input_order(self):
        ids = self.Interaction._log_in_pages([self.row(subject="row %d" % n) for n in range(5)], page_size=2)
        self.assertEqual(len(set(ids)), 5)
        self.assertEqual(self.Interaction.browse(ids).mapped("subject"), ["row %d" % n for n in range(5)])

    def test_source_document_reference(self):
        order = self.env["sale.order"].create({"partner_id": self.company_partner.id})
        interaction = self.Interaction.browse(self.Interaction.log(
            self.row(channel="eprocurement", interaction_type="order_received",
                     res_model="sale.order", res_id=order.id)))
        self.assertEqual(interaction.source_ref, order)
        order.unlink()
        interaction.invalidate_cache()
        self.assertFalse(interaction.source_ref, "a deleted source must not break the timeline")

    def test_bad_batch_names_every_bad_row_and_writes_nothing(self):
        before = self.Interaction.search_count([])
        bad_batch = [
            self.row(),
            self.row(partner_id=987654321),
            {"channel": "phone", "interaction_type": "call_me"},
            self.row(channel="pigeon"),
            self.row(res_model="sale.order", res_id=987654321),
        ]
        with self.assertRaises(ValidationError) as caught:
            self.Interaction.log_many(bad_batch)
        message = caught.exception.name
        self.assertIn("4 interaction row(s) rejected, nothing was logged", message)
        self.assertIn("row 1: unknown partner 987654321", message)
        self.assertIn("row 2: missing partner_id", message)
        self.assertIn("row 3: unknown channel 'pigeon'", message)
        self.assertIn("row 4: source document sale.order,987654321 does not exist", message)
        self.assertNotIn("row 0", message)
        self.assertEqual(self.Interaction.search_count([]), before)

    def test_single_log_rejects_bad_input_with_a_clear_error(self):
        with self.assertRaisesRegex(ValidationError, "unknown field\\(s\\) partner"):
            self.Interaction.log({"partner": self.contact.id, "channel": "phone", "interaction_type": "x"})
        with self.assertRaisesRegex(ValidationError, "expected a list of dictionaries"):
            self.Interaction.log_many("not a list")
        with self.assertRaisesRegex(ValidationError, "the batch is empty"):
            self.Interaction.log_many([])

    def test_archived_partner_is_still_a_customer(self):
        self.individual.active = False
        interaction = self.Interaction.browse(self.Interaction.log(self.row(partner_id=self.individual.id)))
        self.assertEqual(interaction.partner_id, self.individual)

    def test_ui_create_obeys_the_same_type_rule(self):
        with self.assertRaisesRegex(ValidationError, "lower-case code"):
            self.Interaction.create({"partner_id": self.contact.id, "channel": "phone",
                                     "interaction_type": "Call Me!"})
        with self.assertRaisesRegex(ValidationError, "go together"):
            self.Interaction.create({"partner_id": self.contact.id, "channel": "phone",
                                     "interaction_type": "call_me", "res_model": "sale.order"})

    def test_batch_insert_fills_computed_fields_added_by_extensions(self):
        """Stored computed fields are recomputed after the one-statement insert."""
        ids = self.Interaction.log_many([self.row(), self.row(partner_id=self.individual.id)])
        self.env.cr.execute(
            "SELECT commercial_partner_id FROM ecrm_interaction WHERE id IN %s ORDER BY id", (tuple(ids),))
        self.assertEqual([row[0] for row in self.env.cr.fetchall()],
                         [self.company_partner.id, self.individual.id])

    def test_a_deleted_entry_no_longer_counts_for_the_customer_or_its_company(self):
        first, second = self.Interaction.log_many([self.row(date="2026-01-05"), self.row(date="2026-03-01")])
        self.assertEqual((self.contact.ecrm_interaction_count, self.company_partner.ecrm_interaction_count), (2, 2))
        manager = self.make_user("interaction_manager_t", ["base.group_user", "ecrm_core.group_ecrm_manager"])
        self.Interaction.sudo(manager).browse(second).unlink()
        self.assertEqual((self.contact.ecrm_interaction_count, self.company_partner.ecrm_interaction_count), (1, 1))
        self.assertEqual(self.company_partner.ecrm_last_interaction_date, "2026-01-05 00:00:00")
        self.Interaction.sudo(manager).browse(first).unlink()
        self.assertEqual(self.company_partner.ecrm_interaction_count, 0)
        self.assertFalse(self.company_partner.ecrm_last_interaction_date)
        self.assertFalse(self.company_partner.ecrm_preferred_channel)
