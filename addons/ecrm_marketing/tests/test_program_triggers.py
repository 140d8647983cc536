"""Step triggers on the previous e-mail (clicked, replied, not opened) and yearly anniversaries."""
from odoo.tests.common import at_install, post_install

from .common import ProgramCase, at


@at_install(False)
@post_install(True)
class TestProgramTriggers(ProgramCase):

    def two_steps(self, trigger, **second):
        program = self.make_program([{"trigger": "start", "action": "email"},
                                     dict({"trigger": trigger, "action": "interaction"}, **second)])
        program.action_start()
        program.run(now=at(0))
        return program.step_ids.sorted("sequence")

    def test_clicked_fires_for_the_customer_who_clicked_a_tracked_link(self):
        first, second = self.two_steps("clicked")
        tracker = self.env["link.tracker"].search([("mass_mailing_id", "=", first.mailing_id.id)])
        self.assertEqual(tracker.campaign_id, self.campaign)  # the link carries the campaign's UTM
        self.env["link.tracker.click"].add_click(tracker.code, "10.0.0.1", "GB",
                                                 stat_id=self.statistics(first, self.bob).id)
        self.first_then_second(second, {self.bob: "done"})

    def first_then_second(self, second, expected, day=1):
        second.program_id.run(now=at(day))
        self.assertEqual(self.results(second), expected)
        second.program_id.run(now=at(day + 1))
        self.assertEqual(self.results(second), expected)

    def test_replied_fires_for_the_customer_who_replied(self):
        first, second = self.two_steps("replied")
        self.env["mail.mail.statistics"].set_replied(mail_message_ids=[self.statistics(first, self.ann).message_id])
        self.first_then_second(second, {self.ann: "done"})

    def test_opened_but_not_clicked_does_not_fire_clicked(self):
        first, second = self.two_steps("clicked")
        self.statistics(first, self.ann).set_opened()
        program = second.program_id
        self.assertEqual(program.run(now=at(1))[str(second.id)], 0)

    def test_not_opened_waits_then_fires_for_those_who_did_not_open(self):
        first, second = self.two_steps("not_opened", delay_days=3)
        self.env["mail.mail.statistics"].set_opened(mail_mail_ids=self.statistics(first, self.ann).mail_mail_id.ids)
        program = second.program_id
        self.assertEqual(program.run(now=at(2))[str(second.id)], 0)  # Bob may still open it
        self.assertEqual(program.run(now=at(3))[str(second.id)], 1)
        self.assertEqual(self.results(second), {self.bob: "done"})  # Cat and Dan were never mailed

    def set_first_order(self, partner, date):
        self.env.cr.execute("UPDATE res_partner SET ecrm_first_order_date = %s WHERE id = %s", (date, partner.id))
        partner.invalidate_cache()

    def test_anniversary_fires_once_a_year(self):
        self.set_first_order(self.ann, "2023-03-02")  # T0 is 2 March 2026
        self.set_first_order(self.bob, "2023-03-03")
        program = self.make_program([{"trigger": "anniversary", "anniversary_field": "ecrm_first_order_date",
                                      "action": "email"}], mode="triggered")
        program.action_start()
        step = program.step_ids
        self.assertEqual(program.run(now=at(0)), {str(step.id): 1})
        self.assertEqual(program.run(now=at(0)), {str(step.id): 0})
        self.assertEqual(program.run(now=at(1)), {str(step.id): 1})  # Bob's day
        self.assertEqual(program.run(now=at(2)), {str(step.id): 0})
        self.assertEqual(program.run(now=at(365)), {str(step.id): 1})  # 2 March 2027: Ann again
        self.assertEqual(program.run(now=at(365)), {str(step.id): 0})
        logs = self.env["ecrm.campaign.step.log"].search([("step_id", "=", step.id), ("partner_id", "=", self.ann.id)])
        self.assertEqual(sorted(logs.mapped("occurrence")), [2026, 2027])
        self.assertEqual(len(self.statistics(step, self.ann)), 2)

    def test_follow_up_of_an_anniversary_comes_every_year_too(self):
        self.set_first_order(self.ann, "2023-03-02")
        program = self.make_program([
            {"trigger": "anniversary", "anniversary_field": "ecrm_first_order_date", "action": "email"},
            {"trigger": "delay", "delay_days": 2, "action": "interaction"}], mode="triggered")
        program.action_start()
        first, second = program.step_ids.sorted("sequence")
        for day in (0, 2, 3, 365, 366, 367, 368):
            program.run(now=at(day))
        logs = self.env["ecrm.campaign.step.log"].search([("step_id", "=", second.id)])
        self.assertEqual(sorted(logs.mapped("date")), [at(2), at(367)])

    def test_engagement_looks_at_the_nearest_email_before_the_step(self):
        program = self.make_program([{"trigger": "start", "action": "email"},
                                     {"trigger": "opened", "action": "interaction"},
                                     {"trigger": "clicked", "action": "lead"}])
        program.action_start()
        first, second, third = program.step_ids.sorted("sequence")
        program.run(now=at(0))
        tracker = self.env["link.tracker"].search([("mass_mailing_id", "=", first.mailing_id.id)])
        self.env["link.tracker.click"].add_click(tracker.code, "10.0.0.1", "GB",
                                                 stat_id=self.statistics(first, self.bob).id)
        self.statistics(first, self.ann).set_opened()
        program.run(now=at(1))
        self.assertEqual(self.results(second), {self.ann: "done", self.bob: "done"})  # a click is an open too
        self.assertEqual(self.results(third), {self.bob: "done"})
