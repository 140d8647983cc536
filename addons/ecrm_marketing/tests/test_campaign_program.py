"""Programs: consent, frequency cap, idempotent runs, triggers and mode switches."""
import datetime
from unittest.mock import patch

from odoo.tests.common import at_install, post_install

from .common import T0, ProgramCase, at


@at_install(False)
@post_install(True)
class TestCampaignProgram(ProgramCase):

    def test_run_twice_sends_nothing_twice_and_logs_skips(self):
        program = self.make_program([{"trigger": "start", "action": "email"}])
        program.action_start()
        step = program.step_ids
        self.assertEqual(program.run(now=at(0)), {str(step.id): 2})
        self.assertEqual(program.run(now=at(0)), {str(step.id): 0})
        program._cron_run()
        self.assertEqual(self.mailed(step), sorted((self.ann | self.bob).ids))
        self.assertEqual(self.results(step), {self.ann: "done", self.bob: "done", self.cat: "skipped_consent",
                                              self.dan: "skipped_consent"})
        reasons = self.env["ecrm.campaign.step.log"].search([("step_id", "=", step.id),
                                                             ("partner_id", "=", self.cat.id)])
        self.assertIn("opted_out", reasons.reason)
        timeline = self.env["ecrm.interaction"].search([("interaction_type", "=", "marketing_email"),
                                                        ("campaign_id", "=", self.campaign.id)])
        self.assertEqual(timeline.mapped("partner_id"), self.ann | self.bob)
        self.assertEqual(program.participant_ids.filtered(lambda p: p.partner_id == self.ann).last_step_id, step)

    def test_opt_out_mid_program_gets_nothing_more(self):
        program = self.make_program([{"trigger": "start", "action": "email"},
                                     {"trigger": "delay", "delay_days": 3, "action": "email"}])
        program.action_start()
        first, second = program.step_ids.sorted("sequence")
        program.run(now=at(0))
        self.assertEqual(program.run(now=at(1))[str(second.id)], 0)  # the delay has not passed
        self.bob.ecrm_set_consent("email", "opted_out", "staff", "Asked us to stop")
        program.run(now=at(4))
        self.assertEqual(self.mailed(second), self.ann.ids)
        self.assertEqual(self.results(second)[self.bob], "skipped_consent")

    def test_frequency_cap_holds_across_two_programs(self):
        self.env.user.company_id.ecrm_contact_cap = 1
        first = self.make_program([{"trigger": "start", "action": "email"}])
        second = self.make_program([{"trigger": "start", "action": "email"}])
        (first | second).action_start()
        first.run(now=at(0))
        second.run(now=at(2))
        self.assertEqual(self.results(second.step_ids)[self.ann], "skipped_cap")
        self.assertEqual(self.mailed(second.step_ids), [])
        third = self.make_program([{"trigger": "start", "action": "email"}])
        third.action_start()
        third.run(now=at(8))  # the window has rolled past the first contact
        self.assertEqual(self.mailed(third.step_ids), sorted((self.ann | self.bob).ids))

    def set_dormant(self, partner, days):
        last = T0.date() - datetime.timedelta(days=days)
        self.env.cr.execute("UPDATE res_partner SET ecrm_last_order_date = %s, ecrm_days_since_last_order = %s "
                            "WHERE id = %s", (last, days, partner.id))
        partner.invalidate_cache()

    def test_dormancy_fires_exactly_once(self):
        program = self.make_program([{"trigger": "dormancy", "dormancy_days": 180, "action": "lead"}],
                                    mode="triggered")
        program.action_start()
        self.set_dormant(self.ann, 200)
        self.set_dormant(self.bob, 30)
        program.run(now=at(0))
        program.run(now=at(1))
        leads = self.env["crm.lead"].search([("campaign_id", "=", self.campaign.id)])
        self.assertEqual(leads.mapped("partner_id"), self.ann)
        self.set_dormant(self.bob, 181)
        program.run(now=at(2))
        leads = self.env["crm.lead"].search([("campaign_id", "=", self.campaign.id)])
        self.assertEqual(sorted(leads.mapped("partner_id").ids), sorted((self.ann | self.bob).ids))
        self.assertEqual(len(leads), 2)

    def test_interaction_on_the_stream_triggers_the_step(self):
        enquiry = self.env.ref("ecrm_core.interaction_type_enquiry")
        program = self.make_program([{"trigger": "interaction", "trigger_type_id": enquiry.id,
                                      "action": "email"}], mode="triggered", segment=False)
        program.action_start()
        self.assertFalse(program.participant_ids)
        self.env["ecrm.interaction"].log({"partner_id": self.ann.id, "channel": "portal",
                                          "interaction_type": "enquiry"})
        self.env["ecrm.interaction"].log({"partner_id": self.bob.id, "channel": "portal",
                                          "interaction_type": "call_me"})
        self.assertEqual(program.participant_ids.mapped("partner_id"), self.ann)
        program.run()
        self.assertEqual(self.mailed(program.step_ids), self.ann.ids)

    def test_condition_on_previous_email(self):
        program = self.make_program([{"trigger": "start", "action": "email"},
                                     {"trigger": "opened", "action": "interaction"},
                                     ])
        program.action_start()
        first, second = program.step_ids.sorted("sequence")
        program.run(now=at(0))
        self.env["mail.mail.statistics"].search([("mass_mailing_id", "=", first.mailing_id.id),
                                                 ("res_id", "=", self.ann.id)]).write({"opened": at(1)})
        program.run(now=at(1))
        self.assertEqual(self.results(second), {self.ann: "done"})

    def test_mode_switch_keeps_participants_and_history(self):
        program = self.make_program([{"trigger": "start", "action": "email"},
                                     {"trigger": "delay", "delay_days": 1, "action": "email"}], mode="single")
        program.action_start()
        first, second = program.step_ids.sorted("sequence")
        program.run(now=at(0))
        self.assertEqual(program.run(now=at(5))[str(first.id)], 0)
        self.assertNotIn(str(second.id), program.run(now=at(5)))  # single: the first step only
        program.mode = "multistep"
        self.assertEqual(program.participant_count, 4)
        program.run(now=at(5))
        self.assertEqual(self.mailed(second), sorted((self.ann | self.bob).ids))
        program.mode = "triggered"
        self.assertEqual(program.run(now=at(6)), {str(first.id): 0, str(second.id): 0})
        self.assertEqual(program.participant_count, 4)

    def test_a_run_killed_half_way_leaves_nothing_and_the_next_run_sends_once(self):
        program = self.make_program([{"trigger": "start", "action": "email"}])
        program.action_start()
        step = program.step_ids
        Step = type(step)
        with patch.object(Step, "_log_on_timeline", side_effect=RuntimeError("worker killed")), \
                self.assertRaises(RuntimeError), self.env.cr.savepoint():
            program.run(now=at(0))
        self.env.clear()
        self.assertEqual(self.mailed(step), [])
        self.assertFalse(self.results(step))
        self.assertEqual(program.run(now=at(0)), {str(step.id): 2})
        self.assertEqual(self.mailed(step), sorted((self.ann | self.bob).ids))
