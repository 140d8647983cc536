"""What each step action does: activities, mailing lists, leads, and the timeline entry each leaves."""
from odoo.tests.common import at_install, post_install

from .common import ProgramCase, at


@at_install(False)
@post_install(True)
class TestProgramActions(ProgramCase):

    def timeline(self, interaction_type):
        return self.env["ecrm.interaction"].search([("interaction_type", "=", interaction_type),
                                                    ("campaign_id", "=", self.campaign.id)])

    def test_activity_goes_to_the_salesperson_of_customers_who_accept_calls(self):
        salesperson = self.make_user("mkt_sales_test", ["sales_team.group_sale_salesman"])
        self.ann.user_id = salesperson
        (self.ann | self.bob).ecrm_set_consent("phone", "opted_in", "form", "Call me")
        self.cat.ecrm_set_consent("phone", "opted_out", "form", "No calls")
        program = self.make_program([{"trigger": "start", "action": "activity"}])
        program.action_start()
        step = program.step_ids
        self.assertEqual(program.run(now=at(0)), {str(step.id): 2})
        self.assertEqual(program.run(now=at(0)), {str(step.id): 0})
        activities = self.env["mail.activity"].search([("summary", "=", "Program (test): Step 1")])
        self.assertEqual({(activity.res_id, activity.user_id) for activity in activities},
                         {(self.ann.id, salesperson), (self.bob.id, program.user_id)})
        self.assertEqual(set(activities.mapped("res_model")), {"res.partner"})
        self.assertEqual(activities.mapped("activity_type_id"), self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual(self.ann.activity_ids, activities.filtered(lambda activity: activity.res_id == self.ann.id))
        self.assertEqual(activities[0].date_deadline, at(0)[:10])
        self.assertEqual(self.results(step), {self.ann: "done", self.bob: "done", self.cat: "skipped_consent",
                                              self.dan: "skipped_consent"})
        self.assertEqual(self.timeline("marketing_call_task").mapped("partner_id"), self.ann | self.bob)

    def test_activity_counts_towards_the_frequency_cap(self):
        self.env.user.company_id.ecrm_contact_cap = 1
        (self.ann | self.bob).ecrm_set_consent("phone", "opted_in", "form", "Call me")
        program = self.make_program([{"trigger": "start", "action": "activity"},
                                     {"trigger": "delay", "delay_days": 1, "action": "email"}])
        program.action_start()
        program.run(now=at(0))
        program.run(now=at(1))
        second = program.step_ids.sorted("sequence")[1]
        results = self.results(second)
        self.assertEqual((results[self.ann], results[self.bob]), ("skipped_cap", "skipped_cap"))

    def test_list_add_then_remove(self):
        mailing_list = self.env["mail.mass_mailing.list"].create({"name": "Stairlift news (test)"})
        existing = self.env["mail.mass_mailing.contact"].create({"name": "Ann", "email": "Ann@Example.com"})
        program = self.make_program([
            {"trigger": "start", "action": "list_add", "mailing_list_id": mailing_list.id},
            {"trigger": "delay", "delay_days": 30, "action": "list_remove", "mailing_list_id": mailing_list.id}])
        program.action_start()
        program.run(now=at(0))
        members = self.env["mail.mass_mailing.contact"].search([("list_ids", "in", mailing_list.ids)])
        self.assertEqual(sorted(members.mapped("email")), ["Ann@Example.com", "bob@example.com"])
        self.assertIn(existing, members)  # the contact Ann already had (any case), not a second one
        self.assertEqual(members.filtered(lambda contact: contact != existing).name, "Bob (progtest)")
        program.run(now=at(0))  # a second run adds nobody twice
        self.assertEqual(len(self.env["mail.mass_mailing.contact"].search([("list_ids", "in", mailing_list.ids)])), 2)
        self.assertEqual(self.timeline("marketing_list_add").mapped("partner_id"), self.ann | self.bob)
        program.run(now=at(29))
        self.assertEqual(len(self.env["mail.mass_mailing.contact"].search([("list_ids", "in", mailing_list.ids)])), 2)
        program.run(now=at(30))
        self.assertFalse(self.env["mail.mass_mailing.contact"].search([("list_ids", "in", mailing_list.ids)]))
        self.assertTrue(existing.exists())  # removed from the list, not deleted

    def test_lead_carries_the_campaign_utm_and_needs_no_consent(self):
        self.ann.user_id = self.make_user("mkt_sales_lead_test", ["sales_team.group_sale_salesman"])
        program = self.make_program([{"trigger": "start", "action": "lead"}])
        program.source_id = self.env.ref("utm.utm_source_newsletter")
        program.action_start()
        program.run(now=at(0))
        leads = self.env["crm.lead"].search([("campaign_id", "=", self.campaign.id)])
        self.assertEqual(leads.mapped("partner_id"), self.ann | self.bob | self.cat | self.dan)
        self.assertEqual(set(leads.mapped("type")), {"lead"})
        self.assertEqual(leads.mapped("medium_id"), self.env.ref("utm.utm_medium_email"))
        self.assertEqual(leads.mapped("source_id"), self.env.ref("utm.utm_source_newsletter"))
        self.assertEqual(leads.filtered(lambda lead: lead.partner_id == self.ann).user_id, self.ann.user_id)
        self.assertEqual(self.Campaign.ecrm_roi_report([self.campaign.id])[str(self.campaign.id)]["lead_count"], 4)
        self.assertEqual(len(self.timeline("marketing_lead")), 4)

    def test_log_interaction_writes_the_chosen_type(self):
        brochure = self.env["ecrm.interaction.type"].create({"code": "brochure_posted", "name": "Brochure posted"})
        program = self.make_program([{"trigger": "start", "action": "interaction", "log_channel": "letter",
                                      "log_type_id": brochure.id}])
        program.action_start()
        program.run(now=at(0))
        logged = self.timeline("brochure_posted")
        self.assertEqual(logged.mapped("partner_id"), self.ann | self.bob | self.cat | self.dan)
        self.assertEqual(set(logged.mapped("channel")), {"letter"})
