"""queue_job's garbage collector also takes back jobs whose worker died while running them."""
import datetime

from odoo import fields
from odoo.tests.common import TransactionCase
from odoo.tools import config

PARAM = "ecrm_core.job_started_timeout_minutes"


class TestDeadWorkerJobs(TransactionCase):

    def started_job(self, minutes_ago, retry=0, max_retries=5):
        queued = self.env.user.company_id.with_delay(max_retries=max_retries)._ecrm_job_scan_duplicates()
        record = queued.db_record()
        started = datetime.datetime.utcnow() - datetime.timedelta(minutes=minutes_ago)
        record.write({"state": "started", "date_started": fields.Datetime.to_string(started), "retry": retry})
        return record

    def test_a_job_started_longer_ago_than_the_limit_is_requeued_and_counted_as_a_try(self):
        self.env["ir.config_parameter"].set_param(PARAM, "3")
        dead, running = self.started_job(minutes_ago=10), self.started_job(minutes_ago=1)
        self.env["queue.job"].requeue_stuck_jobs()
        self.assertEqual((dead.state, dead.retry), ("pending", 1))
        self.assertEqual((running.state, running.retry), ("started", 0))

    def test_a_job_that_killed_its_worker_every_time_fails_with_the_reason(self):
        self.env["ir.config_parameter"].set_param(PARAM, "3")
        poison = self.started_job(minutes_ago=10, retry=2, max_retries=3)
        self.env.ref("queue_job.ir_cron_queue_job_garbage_collector").method_direct_trigger()
        self.assertEqual(poison.state, "failed")
        self.assertIn("Tried 3 times, the last time its worker died", poison.exc_info)

    def test_a_job_stranded_for_more_than_a_day_is_failed_not_run(self):
        self.env["ir.config_parameter"].set_param(PARAM, "3")
        ancient = self.started_job(minutes_ago=3 * 24 * 60)
        self.env["queue.job"].requeue_stuck_jobs()
        self.assertEqual(ancient.state, "failed")
        self.assertIn("was not run again since", ancient.exc_info)

    def test_the_limit_follows_the_servers_real_time_limit(self):
        Job = self.env["queue.job"]
        saved = config["workers"], config["limit_time_real"]
        self.addCleanup(config.__setitem__, "workers", saved[0])
        self.addCleanup(config.__setitem__, "limit_time_real", saved[1])
        config["workers"], config["limit_time_real"] = 0, 120
        self.assertEqual(Job._ecrm_started_timeout(), 0, "threaded: a long job may still be running")
        config["workers"] = 2
        self.assertEqual(Job._ecrm_started_timeout(), 3)
        self.env["ir.config_parameter"].set_param(PARAM, "0")
        self.assertEqual(Job._ecrm_started_timeout(), 0, "0 turns it off")
