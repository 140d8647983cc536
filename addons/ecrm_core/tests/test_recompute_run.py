"""Everyone's figures recomputed as jobs: one ranking job, then a job per page of customers."""
from unittest import mock

from odoo.exceptions import AccessError

from .common import OrderCase, new_user
from .test_customer360_rfm import SCORES

RUN = "odoo.addons.ecrm_core.models.ecrm_recompute_run."


class TestRecomputeRun(OrderCase):

    def setUp(self):
        super().setUp()
        self.Partner = self.env["res.partner"]
        # as the runner sees it: jobs queued, not run at once
        self.Run = self.env["ecrm.recompute.run"].with_context(test_queue_job_no_delay=False)
        self.order(self.individual, 120.0)
        self.order(self.contact, 640.0)

    def everyone(self):
        self.env.cr.execute("SELECT id, ecrm_interaction_count, ecrm_data_quality_score, %s FROM res_partner "
                            "ORDER BY id" % ", ".join(SCORES))
        return self.env.cr.fetchall()

    def jobs(self, run):
        # record_ids is a serialized column: found in SQL
        self.env.cr.execute("SELECT id FROM queue_job WHERE model_name = %s AND record_ids::text = %s",
                            (run._name, "[%d]" % run.id))
        return self.env["queue.job"].browse(sorted(row[0] for row in self.env.cr.fetchall()))

    def scramble(self):
        """Wrong figures on everyone who has some (and a wrong score on everyone): what a run corrects."""
        self.env.cr.execute("UPDATE res_partner SET ecrm_data_quality_score = 7")
        self.env.cr.execute("UPDATE res_partner SET ecrm_interaction_count = ecrm_interaction_count + 5 "
                            "WHERE ecrm_interaction_count > 0")
        self.env.cr.execute("UPDATE res_partner SET ecrm_order_count = ecrm_order_count + 1, "
                            "ecrm_rfm_segment = NULL WHERE ecrm_order_count > 0")
        self.Partner.invalidate_cache()
        return self.everyone()

    def test_pages_write_what_one_full_recompute_writes(self):
        self.Partner.ecrm_recompute_360()
        self.Partner.ecrm_recompute_quality()
        expected = self.everyone()
        scrambled = self.scramble()
        self.assertNotEqual(scrambled, expected)
        run = self.Run.browse(self.Run.start())
        self.assertEqual(run.ecrm_job_state, "queued")
        self.assertEqual(run.partner_count, len(expected))
        self.assertEqual(self.everyone(), scrambled, "nothing is recomputed in the request")
        with mock.patch(RUN + "PAGE_SIZE", len(expected) // 3 + 1):
            run._ecrm_job_recompute()          # ranks, queues the first page
            after, done = 0, 0
            for _page in range(3):
                after, done = self.jobs(run)[-1].args
                run._ecrm_job_recompute(after, done)
        self.assertEqual(len(self.jobs(run)), 4, "ranking, then three pages, the last queuing nothing")
        self.assertEqual(self.everyone(), expected)

    def test_a_second_start_while_one_is_under_way_is_the_same_run(self):
        first = self.Run.start()
        self.assertEqual(self.Run.start(), first)
        self.assertEqual(self.Partner.with_context(test_queue_job_no_delay=False).ecrm_cron_recompute(), first)
        self.assertEqual(len(self.jobs(self.Run.browse(first))), 1)

    def test_the_nightly_run_tells_nobody_and_a_manager_started_one_tells_the_manager(self):
        nightly = self.Run.browse(self.Partner.with_context(test_queue_job_no_delay=False).ecrm_cron_recompute())
        self.assertFalse(nightly.ecrm_job_user_id)
        self.jobs(nightly).write({"state": "done"})  # as the runner leaves it
        manager = new_user(self.env, "recompute_manager_t", ["ecrm_core.group_ecrm_manager"])
        started = self.Run.browse(self.Run.sudo(manager).start())
        self.assertNotEqual(started, nightly)
        self.assertEqual(started.ecrm_job_user_id, manager)

    def test_only_managers_and_administrators_start_one(self):
        for login, groups in (("recompute_user_t", ["ecrm_core.group_ecrm_user"]),
                              ("recompute_employee_t", ["base.group_user"]),
                              ("recompute_portal_t", ["base.group_portal"])):
            with self.assertRaises(AccessError, msg=login):
                self.Run.sudo(new_user(self.env, login, groups)).start()
        self.assertFalse(self.Run.search([]).filtered(lambda run: run.ecrm_job_state == "queued"))
