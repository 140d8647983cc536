from odoo.exceptions import AccessError, UserError

from .common import InteractionCase


class TestJobMixin(InteractionCase):
    """Starting long work: one claim per record, queued as a queue_job job, for managers only.

    Running the job, its progress and its notification are proven against a real server
    with the job runner (tests/e2e/test_jobs.py): here no runner runs.
    """

    def setUp(self):
        super().setUp()
        self.company = self.env.user.company_id

    def queued_scans(self):
        return self.env["queue.job"].search([
            ("model_name", "=", "res.company"), ("method_name", "=", "_ecrm_job_scan_duplicates"),
            ("record_ids", "like", str(self.company.id)), ("state", "=", "pending")])

    def test_a_scan_is_queued_as_a_job_and_shows_queued(self):
        before = self.queued_scans()
        self.company.action_ecrm_scan_duplicates()
        self.assertEqual(len(self.queued_scans() - before), 1)
        self.assertEqual(self.company.ecrm_job_state, "queued")
        self.assertEqual(self.company.ecrm_job_user_id, self.env.user)
        self.assertEqual(self.queued_scans().channel, "root.ecrm")

    def test_a_second_start_is_refused_while_the_first_is_queued(self):
        self.company.action_ecrm_scan_duplicates()
        queued = self.queued_scans()
        with self.assertRaises(UserError):
            self.company.action_ecrm_scan_duplicates()
        self.assertEqual(self.queued_scans(), queued)

    def test_the_nightly_cron_skips_a_company_already_queued(self):
        self.company.action_ecrm_scan_duplicates()
        queued = self.queued_scans()
        self.env["res.company"]._ecrm_cron_scan_duplicates()  # no error, no second job
        self.assertEqual(self.queued_scans(), queued)

    def test_a_finished_job_can_be_started_again(self):
        self.company.action_ecrm_scan_duplicates()
        self.queued_scans().write({"state": "done"})
        self.company.invalidate_cache()
        self.assertEqual(self.company.ecrm_job_state, "done")
        self.company.action_ecrm_scan_duplicates()
        self.assertEqual(self.company.ecrm_job_state, "queued")

    def test_a_job_that_died_is_shown_failed_with_its_last_error_line(self):
        self.company.action_ecrm_scan_duplicates()
        self.queued_scans().write({"state": "failed", "exc_info": "Traceback ...\nMemoryError: out of memory"})
        self.company.invalidate_cache()
        self.assertEqual(self.company.ecrm_job_state, "failed")
        self.assertEqual(self.company.ecrm_job_message, "MemoryError: out of memory")

    def test_only_managers_start_a_scan(self):
        for groups in (["base.group_user"], ["base.group_user", "ecrm_core.group_ecrm_user"]):
            user = self.make_user("scan_%d" % len(groups), groups)
            with self.assertRaises(AccessError):
                self.company.sudo(user).action_ecrm_scan_duplicates()
        self.assertFalse(self.queued_scans())
