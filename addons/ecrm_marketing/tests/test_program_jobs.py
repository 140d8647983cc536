"""A program run from the button or the cron is queued jobs, a chunk of customers per step per job."""
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests.common import at_install, post_install

from .common import ProgramCase, at

PROGRAM = "odoo.addons.ecrm_marketing.models.ecrm_campaign_program."


@at_install(False)
@post_install(True)
class TestProgramJobs(ProgramCase):

    def setUp(self):
        super().setUp()
        # as the runner sees it: jobs queued, not run at once
        self.queued_env = self.env(context=dict(self.env.context, test_queue_job_no_delay=False))
        (self.cat | self.dan).ecrm_set_consent("email", "opted_in", "form", "Ticked the box")
        self.program = self.make_program([{"trigger": "start", "action": "email"},
                                          {"trigger": "delay", "delay_days": 0, "action": "interaction",
                                           "log_type_id": self.env.ref(
                                               "ecrm_marketing.interaction_type_marketing_note").id}])
        self.program.action_start()
        self.first, self.second = self.program.step_ids.sorted("sequence")

    def queued_jobs(self):
        return self.env["queue.job"].search([("model_name", "=", "ecrm.campaign.program"),
                                             ("method_name", "=", "_ecrm_job_run")])

    def test_the_button_queues_a_run_and_refuses_a_second_click(self):
        program = self.queued_env["ecrm.campaign.program"].browse(self.program.id)
        program.action_run()
        self.assertEqual(program.ecrm_job_state, "queued")
        self.assertEqual(self.results(self.first), {}, "nothing is done in the request")
        jobs = self.queued_jobs()
        self.assertEqual((len(jobs), jobs.state, jobs.channel), (1, "pending", "root.ecrm"))
        with self.assertRaisesRegex(UserError, "already being worked on"):
            program.action_run()
        self.assertEqual(len(self.queued_jobs()), 1)

    def test_the_cron_queues_each_running_program_once_and_tells_nobody(self):
        Program = self.queued_env["ecrm.campaign.program"]
        Program._cron_run()
        Program._cron_run()  # the first run is still queued: not queued again
        self.assertEqual(len(self.queued_jobs()), 1)
        progress = self.env["ecrm.job.progress"].search([("res_model", "=", "ecrm.campaign.program"),
                                                         ("res_id", "=", self.program.id)])
        self.assertFalse(progress.user_id, "a routine run notifies nobody")

    def test_each_chunk_takes_every_step_for_its_customers_and_queues_the_next(self):
        program = self.queued_env["ecrm.campaign.program"].browse(self.program.id)
        program.action_run()
        now = self.queued_jobs().args[0]
        with patch(PROGRAM + "RUN_CHUNK", 3):
            program._ecrm_job_run(now)
            self.assertEqual(len(self.results(self.first)), 3)
            self.assertEqual(len(self.results(self.second)), 3, "the follow-up goes with its chunk")
            follow_up = self.queued_jobs().filtered(lambda job: job.args == [now, 6])
            self.assertEqual(len(follow_up), 1, "the rest is queued by the first chunk")
            program._ecrm_job_run(now, 6)
        self.assertEqual(self.mailed(self.first), sorted((self.ann | self.bob | self.cat | self.dan).ids))
        self.assertEqual(len(self.results(self.second)), 4)
        self.assertEqual(len(self.queued_jobs()), 2, "the last chunk queues nothing more")
        # a chunk run again (its worker died after the commit) sends nobody a second mail
        with patch(PROGRAM + "RUN_CHUNK", 3):
            program._ecrm_job_run(now, 6)
        self.assertEqual(len(self.mailed(self.first)), 4)

    def test_a_chunk_of_a_program_paused_meanwhile_does_nothing(self):
        program = self.queued_env["ecrm.campaign.program"].browse(self.program.id)
        program.action_run()
        now = self.queued_jobs().args[0]
        program.action_pause()
        self.assertIn("nothing to run", program._ecrm_job_run(now))
        self.assertEqual(self.results(self.first), {})
        with self.assertRaisesRegex(UserError, "not running"):
            program.action_run()

    def test_run_in_the_request_stays_for_small_programs(self):
        self.assertEqual(self.program.run(now=at(0)), {str(self.first.id): 4, str(self.second.id): 4})
