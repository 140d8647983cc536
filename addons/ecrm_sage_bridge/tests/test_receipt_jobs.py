"""A receipts file is checked at once and booked by queue jobs, a chunk per job, whole or not at all."""
import base64
from unittest.mock import patch

from psycopg2 import OperationalError

from odoo.exceptions import UserError
from odoo.tools import mute_logger

from odoo.addons.queue_job.exception import RetryableJobError

from .common import SageCase
from .test_import import HEADER

BATCH = "odoo.addons.ecrm_sage_bridge.models.ecrm_sage_batch."


class SerializationFailure(OperationalError):
    pgcode = "40001"   # what PostgreSQL says when two transactions wrote the same rows


class TestReceiptJobs(SageCase):

    def setUp(self):
        super().setUp()
        self.export("customers")
        self.invoices = [self.post_invoice(partner, [amount]) for partner, amount in (
            (self.hudd, 10.0), (self.wake, 20.0), (self.hudd, 30.0), (self.wake, 40.0), (self.hudd, 50.0))]
        self.export("invoices")
        # as the runner sees it: jobs queued, not run at once
        self.queued_env = self.env(context=dict(self.env.context, test_queue_job_no_delay=False))
        self.Receipt = self.env["ecrm.sage.receipt"]

    def file(self):
        return base64.b64encode((HEADER + "".join(
            "SR,%s,1200,,03/11/2026,%s,BACS,%.2f,T9,0.00\r\n" % (
                self.ref_of(invoice.partner_id), invoice.number, invoice.amount_total)
            for invoice in self.invoices)).encode("cp1252"))

    def start(self):
        result = self.queued_env["ecrm.sage.backend"].import_file(self.backend.id, "receipts", self.file())
        return result, self.queued_env["ecrm.sage.batch"].browse(result["batch_id"])

    def jobs(self, batch):
        return self.env["queue.job"].browse(batch._job_ids())

    def test_the_call_returns_with_the_batch_queued_and_nothing_booked(self):
        result, batch = self.start()
        self.assertEqual((result["errors"], result["applied"], result["matched"], result["state"]),
                         ([], 5, 5, "importing"))
        self.assertEqual(batch.state, "importing")
        self.assertEqual(batch.ecrm_job_state, "queued")
        self.assertFalse(self.Receipt.search([("batch_id", "=", batch.id)]))
        job = self.jobs(batch)
        self.assertEqual((len(job), job.method_name, job.channel, job.state),
                         (1, "_sage_job_book_receipts", "root.ecrm.sage", "pending"))
        self.assertEqual(batch.job_count, 1)
        self.assertEqual(batch.action_view_jobs()["domain"], [("id", "in", job.ids)])

    def test_one_start_at_a_time(self):
        _result, batch = self.start()
        with self.assertRaisesRegex(UserError, "already being worked on"):
            batch._ecrm_job_enqueue("_sage_job_book_receipts", 0)
        # the same file again while the first is still being booked: its rows are duplicates, nothing staged
        again = self.queued_env["ecrm.sage.backend"].import_file(self.backend.id, "receipts", self.file())
        self.assertEqual((again["applied"], again["batch_id"]), (0, False))
        self.assertIn("duplicate transaction", again["errors"][0]["message"])
        self.assertEqual(len(self.jobs(batch)), 1)

    def test_each_job_books_its_chunk_and_queues_the_next(self):
        _result, batch = self.start()
        with patch(BATCH + "RECEIPTS_PER_JOB", 2):
            batch._sage_job_book_receipts(0)
            self.assertEqual(len(self.Receipt.search([("batch_id", "=", batch.id)])), 2)
            self.assertEqual(batch.state, "importing")
            next_jobs = self.jobs(batch).filtered(lambda job: job.args == [2])
            self.assertEqual(len(next_jobs), 1, "the second chunk is queued by the first")
            batch._sage_job_book_receipts(2)
            batch._sage_job_book_receipts(4)
        receipts = self.Receipt.search([("batch_id", "=", batch.id)])
        self.assertEqual((len(receipts), set(receipts.mapped("state"))), (5, {"matched"}))
        self.assertEqual({invoice.state for invoice in self.invoices}, {"paid"})
        self.assertEqual((batch.state, batch.record_count, batch.sudo().staged_rows), ("done", 5, False))
        self.assertNotEqual(self.backend.reconciliation_state, "not_run", "the last chunk reconciles the backend")
        # a chunk job run again (queue_job requeued it after a killed worker) books nothing twice
        batch._sage_job_book_receipts(4)
        self.assertEqual(len(self.Receipt.search([("batch_id", "=", batch.id)])), 5)

    @mute_logger("odoo.sql_db")
    def test_a_concurrency_error_is_retried_not_failed(self):
        _result, batch = self.start()
        for error in (SerializationFailure("could not serialize access"), RetryableJobError("lock", seconds=5)):
            with patch.object(type(self.Receipt), "_apply_rows", side_effect=error):
                # queue_job's RetryableJobError: tried again with the retry pattern's backoff
                with self.assertRaises(RetryableJobError):
                    batch._sage_job_book_receipts(0)
            self.assertEqual(batch.state, "importing", "left for queue_job to run again")
            self.assertTrue(batch.sudo().staged_rows)
        batch._sage_job_book_receipts(0)
        self.assertEqual((batch.state, len(self.Receipt.search([("batch_id", "=", batch.id)]))), ("done", 5))

    @mute_logger("odoo.sql_db")
    def test_a_concurrency_error_on_the_last_try_fails_the_batch_whole(self):
        _result, batch = self.start()
        with patch(BATCH + "RECEIPTS_PER_JOB", 2):
            batch._sage_job_book_receipts(0)
            self.jobs(batch).filtered(lambda job: job.args == [2]).write(
                {"state": "started", "retry": 4, "max_retries": 5})
            with patch.object(type(self.Receipt), "_apply_rows",
                              side_effect=SerializationFailure("could not serialize access")):
                reason = batch._sage_job_book_receipts(2)
        self.assertIn("could not be booked", reason)
        self.assertEqual(batch.state, "failed")
        self.assertFalse(self.Receipt.search([("batch_id", "=", batch.id)]), "the first chunk was undone")

    def test_a_lasting_error_mid_file_undoes_the_chunks_booked_before(self):
        _result, batch = self.start()
        apply_rows, calls = type(self.Receipt)._apply_rows, []

        def failing_third(receipts, backend, rows):
            calls.append(rows)
            if len(calls) == 3:
                raise UserError("journal locked by the accountant")
            return apply_rows(receipts, backend, rows)

        with patch(BATCH + "RECEIPTS_PER_JOB", 2), patch.object(type(self.Receipt), "_apply_rows", failing_third):
            batch._sage_job_book_receipts(0)
            batch._sage_job_book_receipts(2)
            self.assertEqual(len(self.Receipt.search([("batch_id", "=", batch.id)])), 4)
            reason = batch._sage_job_book_receipts(4)
        self.assertIn("journal locked by the accountant", reason)
        self.assertFalse(self.Receipt.search([("batch_id", "=", batch.id)]))
        self.assertFalse(self.env["account.partial.reconcile"].search([
            ("debit_move_id.invoice_id", "in", [invoice.id for invoice in self.invoices])]))
        self.assertEqual({invoice.state for invoice in self.invoices}, {"open"})
        self.assertFalse(self.env["ecrm.interaction"].search([("res_model", "=", "ecrm.sage.receipt"),
                                                              ("subject", "like", "Sage receipt")]).filtered(
            lambda entry: entry.partner_id in (self.hudd | self.wake)))
        self.assertEqual(batch.state, "failed")
        self.assertIn("import the file again", batch.log)
        # the file can then be imported whole
        result = self.Backend.import_file(self.backend.id, "receipts", self.file())
        self.assertEqual((result["errors"], result["applied"], result["state"]), ([], 5, "done"))

    def test_the_person_who_imported_is_who_the_jobs_run_as_and_who_is_told(self):
        manager = self.env["res.users"].create({
            "name": "Sage manager (jobs)", "login": "sage-manager-jobs", "email": "m@example.com",
            "groups_id": [(6, 0, [self.env.ref("ecrm_core.group_ecrm_manager").id,
                                  self.env.ref("base.group_user").id])]})
        result = self.queued_env["ecrm.sage.backend"].sudo(manager).import_file(
            self.backend.id, "receipts", self.file())
        job = self.jobs(self.env["ecrm.sage.batch"].browse(result["batch_id"]))
        self.assertEqual(job.user_id, manager)
        batch = self.env["ecrm.sage.batch"].sudo(manager).browse(result["batch_id"])
        batch._sage_job_book_receipts(0)
        self.assertEqual(batch.sudo().state, "done")
        told = self.env["mail.message"].search([("model", "=", "ecrm.sage.batch"), ("res_id", "=", batch.id)])
        self.assertIn(manager.partner_id, told.mapped("partner_ids"))

    def test_the_import_button_answers_with_the_batch_being_booked(self):
        wizard = self.queued_env["ecrm.sage.import.wizard"].create({
            "backend_id": self.backend.id, "kind": "receipts", "file": self.file()})
        wizard.action_import()
        self.assertEqual((wizard.state, wizard.applied_count), ("done", 5))
        self.assertFalse(wizard.errors_text)
        self.assertEqual((wizard.batch_state, wizard.batch_id.ecrm_job_state), ("importing", "queued"))
        form = self.env["ecrm.sage.batch"].fields_view_get(view_type="form")["arch"]
        self.assertIn('widget="progressbar"', form)
        self.assertIn("action_view_jobs", form)
