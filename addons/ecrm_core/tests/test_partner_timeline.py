from .common import InteractionCase


class TestPartnerTimeline(InteractionCase):

    def test_company_counts_its_contacts_and_a_contact_only_its_own(self):
        self.Interaction.log_many([
            self.row(),
            self.row(partner_id=self.company_partner.id),
            self.row(partner_id=self.company_partner.id),
            self.row(partner_id=self.individual.id),
        ])
        partners = self.company_partner | self.contact | self.individual
        partners.invalidate_cache()
        self.assertEqual(partners.mapped("ecrm_interaction_count"), [3, 1, 1])

    def test_smart_button_opens_the_matching_timeline(self):
        self.Interaction.log_many([self.row(), self.row(partner_id=self.company_partner.id)])
        for partner, expected in ((self.company_partner, 2), (self.contact, 1)):
            action = partner.action_view_ecrm_interactions()
            self.assertEqual(action["res_model"], "ecrm.interaction")
            self.assertEqual(self.Interaction.search_count(action["domain"]), expected)
            self.assertEqual(action["context"]["default_partner_id"], partner.id)
