"""Exports and Business Cloud syncs run as queue jobs on their batch: queued at once, sent a
chunk per job with no lock held while Sage is called, retried when Sage may recover, failed
with the reason when it will not."""
from decimal import Decimal
from unittest.mock import patch

from psycopg2 import OperationalError

from odoo.exceptions import UserError
from odoo.tools import mute_logger

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.ecrm_core.models.ecrm_job_mixin import Progress
from odoo.addons.ecrm_sage_bridge.models.ecrm_sage_api_transport import EcrmSageApiTransport
from odoo.addons.ecrm_sage_bridge.models.ecrm_sage_backend import EcrmSageBackend
from odoo.addons.ecrm_sage_bridge.models.ecrm_sage_receipt import EcrmSageReceipt
from odoo.addons.ecrm_sage_bridge.sage_formats.bca_api import SageApiError
from odoo.addons.ecrm_sage_bridge.sage_formats.inbound import ParseResult, Receipt

from .common import SageCase

BATCH = "odoo.addons.ecrm_sage_bridge.models.ecrm_sage_batch."


class SerializationFailure(OperationalError):
    pgcode = "40001"


class SyncJobCase(SageCase):

    def setUp(self):
        super().setUp()
        # as the runner sees it: jobs queued, not run at once
        self.queued_env = self.env(context=dict(self.env.context, test_queue_job_no_delay=False))
        self.events = []
        self.pushed = []

    def use_api(self):
        self.backend.write({"transport": "sage_bca_api", "api_url": "http://sage.invalid", "api_business_id": "b"})

    def fake_push(self, fail=None):
        """A Sage that takes every record (ids ``sage-<res_id>``), or raises ``fail(chunk number)``."""
        def push(transport, backend, kind, plan):
            self.events.append("push")
            error = fail(len(self.pushed) + 1) if fail else None
            if error:
                raise error
            self.pushed.append([values["res_id"] for values in plan["bindings"]]
                               + [update.binding_id for update in plan.get("updates", ())])
            for values in plan["bindings"]:
                values["sage_id"] = "sage-%s" % values["res_id"]
        return patch.object(EcrmSageApiTransport, "_push", push)

    def watch_lock(self):
        original = EcrmSageBackend._lock

        def lock(backend):
            self.events.append("lock")
            return original(backend)
        return patch.object(EcrmSageBackend, "_lock", lock)

    def watch_progress(self):
        """What the jobs report: the progress row itself is written apart (another transaction)."""
        original, updates = Progress.update, []

        def update(progress, done, total=None, force=False):
            updates.append((done, total))
            return original(progress, done, total, force)
        self.updates = updates
        return patch.object(Progress, "update", update)

    def start_export(self, kind="customers"):
        result = self.queued_env["ecrm.sage.backend"].export_batch(self.backend.id, kind, False)
        return result, self.queued_env["ecrm.sage.batch"].browse(result["batch_id"])

    def jobs(self, batch, state=None):
        jobs = self.env["queue.job"].browse(batch._job_ids()).sorted("id")
        return jobs.filtered(lambda job: job.state == state) if state else jobs

    def run_jobs(self, batch, limit=50):
        """Run the batch's pending jobs one after the other, as the runner would."""
        for _ in range(limit):
            pending = self.jobs(batch, "pending")
            if not pending:
                return
            job = pending[0]
            job.write({"state": "started"})
            getattr(batch, job.method_name)(*job.args)
            job.write({"state": "done"})
        self.fail("jobs still queued after %d runs" % limit)

    def bindings(self, model="res.partner"):
        return self.Binding.search([("backend_id", "=", self.backend.id), ("res_model", "=", model)])


class TestExportJobs(SyncJobCase):

    def test_a_real_export_answers_with_its_batch_queued_and_sends_nothing(self):
        self.use_api()
        with self.fake_push():
            result, batch = self.start_export()
        self.assertEqual((result["state"], result["exported"], result["file"]), ("exporting", 0, False))
        self.assertEqual((batch.state, batch.ecrm_job_state), ("exporting", "queued"))
        self.assertEqual((self.pushed, self.events), ([], []))
        self.assertFalse(self.bindings())
        job = self.jobs(batch)
        self.assertEqual((len(job), job.method_name, job.channel, job.args),
                         (1, "_sage_job_export", "root.ecrm.sage", []))

    def test_a_second_start_while_the_first_is_queued_queues_nothing(self):
        self.use_api()
        _result, batch = self.start_export()
        again, same = self.start_export()
        self.assertEqual((same, again["state"]), (batch, "exporting"), "the call answers with the batch queued")
        with self.assertRaisesRegex(UserError, "already being worked on"):
            batch._ecrm_job_enqueue("_sage_job_export")
        self.assertEqual(len(self.jobs(batch)), 1)
        self.assertEqual(self.env["ecrm.sage.batch"].search_count([("backend_id", "=", self.backend.id)]), 1)
        # another kind is other work; and once the first has run, a new start is taken
        self.start_export("invoices")
        with self.fake_push():
            self.run_jobs(batch)
        self.assertEqual(batch.state, "done")
        self.assertEqual(self.start_export()[1].state, "exporting")

    def test_a_batch_whose_job_died_is_closed_by_the_next_start(self):
        self.use_api()
        _result, batch = self.start_export()
        self.jobs(batch).write({"state": "failed", "exc_info": "Traceback...\nWorker killed"})
        self.assertEqual((batch.state, batch.ecrm_job_state), ("exporting", "failed"))
        _again, new = self.start_export()
        self.assertNotEqual(new, batch)
        self.assertEqual((batch.state, new.state), ("failed", "exporting"))
        self.assertIn("Worker killed", batch.log)

    def test_each_job_sends_one_chunk_before_it_locks_and_stores_it(self):
        self.use_api()
        customers = self.env["res.partner"].search_count([
            ("customer", "=", True), ("parent_id", "=", False), ("company_id", "in", (self.company.id, False))])
        _result, batch = self.start_export()
        with patch(BATCH + "API_RECORDS_PER_JOB", 3), self.fake_push(), self.watch_lock(), self.watch_progress():
            batch._sage_job_export(0, 0)
            self.assertEqual(len(self.bindings()), 3, "the first job stored its own chunk only")
            self.assertEqual(self.events, ["push", "lock"], "Sage is called before the lock is taken")
            self.assertEqual(self.jobs(batch, "pending").mapped("args")[-1][1], 3)
            self.jobs(batch)[0].write({"state": "done"})
            self.run_jobs(batch)
        self.assertEqual(self.events, ["push", "lock"] * len(self.pushed))
        self.assertTrue(all(len(chunk) <= 3 for chunk in self.pushed))
        self.assertEqual(len(self.pushed), -(-customers // 3))
        bound = self.bindings()
        self.assertEqual((len(bound), batch.record_count, batch.state), (customers, customers, "done"))
        self.assertEqual(set(bound.mapped("sage_id")), {"sage-%d" % partner for partner in bound.mapped("res_id")})
        self.assertEqual(self.updates[0], (3, customers), "running 3 of N")
        self.assertEqual(self.updates[-1], (customers, customers))
        self.assertNotEqual(self.backend.reconciliation_state, "not_run", "the last job reconciles")
        self.assertEqual(batch._export_result()["exported"], customers)

    def test_a_file_export_is_one_job_that_leaves_the_file_on_the_batch(self):
        self.post_invoice(self.hudd, [10.0])
        self.export("customers")
        preview = self.export("invoices", dry_run=True)
        result, batch = self.start_export("invoices")
        self.assertEqual((result["state"], result["file"]), ("exporting", False))
        self.run_jobs(batch)
        done = batch._export_result()
        self.assertEqual((batch.state, done["state"], done["exported"]), ("exported", "exported", 1))
        self.assertEqual(done["file"], preview["file"])
        self.assertTrue(batch.file_name.endswith("-invoices.csv"))

    @mute_logger("odoo.sql_db")
    def test_errors_that_may_pass_are_retried_by_queue_job(self):
        self.use_api()
        _result, batch = self.start_export()
        for error in (SageApiError("POST contacts answered 429", 429, retryable=True, retry_after=7),
                      SageApiError("Sage did not answer in time", retryable=True, uncertain=True),
                      SerializationFailure("could not serialize access")):
            with self.fake_push(fail=lambda chunk: error), self.assertRaises(RetryableJobError) as caught:
                batch._sage_job_export(0, 0)
            self.assertEqual(batch.state, "exporting", "left for queue_job to run again")
            self.assertFalse(self.bindings())
        self.assertEqual(caught.exception.seconds, None)
        with self.fake_push(fail=lambda chunk: SageApiError("429", 429, retryable=True, retry_after=7)), \
                self.assertRaises(RetryableJobError) as caught:
            batch._sage_job_export(0, 0)
        self.assertEqual(caught.exception.seconds, 7, "Sage's Retry-After")
        with self.fake_push():
            batch._sage_job_export(0, 0)
        self.assertEqual(batch.state, "done")

    def test_a_lasting_error_fails_the_batch_and_keeps_only_the_chunks_sage_has(self):
        self.use_api()
        _result, batch = self.start_export()
        refused = SageApiError("POST contacts answered 422: reference is too long", 422)
        with patch(BATCH + "API_RECORDS_PER_JOB", 2), self.fake_push(fail=lambda chunk: chunk == 2 and refused):
            self.run_jobs(batch)
        self.assertEqual(len(self.pushed), 1)
        self.assertEqual(batch.state, "failed")
        self.assertIn("The export to Sage stopped: POST contacts answered 422: reference is too long", batch.log)
        self.assertEqual(sorted(self.bindings().mapped("res_id")), sorted(self.pushed[0]),
                         "the failed chunk wrote nothing; the one before is in Sage and stays bound")
        self.assertEqual(batch.record_count, 2)
        told = self.env["mail.message"].search([("model", "=", "ecrm.sage.batch"), ("res_id", "=", batch.id)])
        self.assertIn("reference is too long", " ".join(told.mapped("body")))

    def test_the_last_try_of_an_error_that_may_pass_fails_the_batch(self):
        self.use_api()
        _result, batch = self.start_export()
        self.jobs(batch).write({"state": "started", "retry": 4, "max_retries": 5})
        with self.fake_push(fail=lambda chunk: SageApiError("GET contacts answered 503: busy", 503, retryable=True)):
            reason = batch._sage_job_export(0, 0)
        self.assertIn("answered 503", reason)
        self.assertEqual(batch.state, "failed")
        self.assertIn("answered 503", batch.log)
        self.assertFalse(self.bindings())


class TestApiImportJobs(SyncJobCase):

    def setUp(self):
        super().setUp()
        self.export("customers")
        self.invoices = [self.post_invoice(partner, [amount]) for partner, amount in (
            (self.hudd, 10.0), (self.wake, 20.0), (self.hudd, 30.0))]
        self.export("invoices")
        self.use_api()

    def payments(self):
        self.events.append("fetch")
        return ParseResult([
            Receipt(number, "SR", self.ref_of(invoice.partner_id), "", "2026-11-03", invoice.number, "BACS",
                    Decimal(str(invoice.amount_total)), "API|pay-%d" % number)
            for number, invoice in enumerate(self.invoices, 1)], [])

    def test_receipts_are_read_by_a_job_before_the_lock_then_booked_by_chunk_jobs(self):
        Receipt_ = self.env["ecrm.sage.receipt"]
        with patch.object(EcrmSageReceipt, "_receipts_from_api", lambda receipts, backend, already: self.payments()):
            result = self.queued_env["ecrm.sage.backend"].import_api_receipts(self.backend.id)
            self.assertEqual((result["errors"], result["state"], result["applied"]), ([], "importing", 0))
            self.assertEqual(self.events, [], "the call itself does not call Sage")
            batch = self.queued_env["ecrm.sage.batch"].browse(result["batch_id"])
            self.assertEqual((batch.kind, batch.ecrm_job_state), ("receipts", "queued"))
            with self.watch_lock(), patch(BATCH + "RECEIPTS_PER_JOB", 2):
                self.run_jobs(batch)
        self.assertEqual(self.events[:2], ["fetch", "lock"])
        self.assertEqual([job.method_name for job in self.jobs(batch)],
                         ["_sage_job_import_api", "_sage_job_book_receipts", "_sage_job_book_receipts"])
        self.assertEqual((batch.state, batch.record_count), ("done", 3))
        self.assertEqual(len(Receipt_.search([("batch_id", "=", batch.id), ("state", "=", "matched")])), 3)
        self.assertEqual({invoice.state for invoice in self.invoices}, {"paid"})
        again = batch._import_api_result()
        self.assertEqual((again["applied"], again["matched"], again["state"]), (3, 3, "done"))

    def test_a_second_poll_while_the_first_is_queued_queues_nothing(self):
        Backend = self.queued_env["ecrm.sage.backend"]
        first = Backend.import_api_receipts(self.backend.id)
        self.assertEqual(Backend.import_api_receipts(self.backend.id)["batch_id"], first["batch_id"])
        self.assertEqual(len(self.jobs(self.env["ecrm.sage.batch"].browse(first["batch_id"]))), 1)
        self.assertNotEqual(Backend.import_api_balances(self.backend.id)["batch_id"], first["batch_id"])

    def test_an_api_failure_fails_the_batch_and_writes_nothing(self):
        result = self.queued_env["ecrm.sage.backend"].import_api_balances(self.backend.id)
        batch = self.queued_env["ecrm.sage.batch"].browse(result["batch_id"])
        broken = SageApiError("the TLS connection to sage.invalid failed: check the API URL")
        with patch.object(EcrmSageApiTransport, "_balances", side_effect=broken):
            self.run_jobs(batch)
        self.assertEqual(batch.state, "failed")
        self.assertTrue(batch.log.startswith("Sage API: the TLS connection"), batch.log)
        self.assertFalse(self.env["ecrm.sage.balance.snapshot"].search([("backend_id", "=", self.backend.id)]))
        self.assertEqual(batch._import_api_result()["errors"], [{"row": 0, "message": batch.log}])

    def test_a_rate_limit_is_retried_after_what_sage_asked(self):
        result = self.queued_env["ecrm.sage.backend"].import_api_balances(self.backend.id)
        batch = self.queued_env["ecrm.sage.batch"].browse(result["batch_id"])
        limited = SageApiError("GET contacts answered 429", 429, retryable=True, retry_after=30)
        with patch.object(EcrmSageApiTransport, "_balances", side_effect=limited), \
                self.assertRaises(RetryableJobError) as caught:
            batch._sage_job_import_api()
        self.assertEqual(caught.exception.seconds, 30)
        self.assertEqual(batch.state, "importing", "left for queue_job to run again")
        self.assertFalse(self.env["ecrm.sage.balance.snapshot"].search([("backend_id", "=", self.backend.id)]))

    def test_a_dry_run_answers_at_once_and_queues_nothing(self):
        with patch.object(EcrmSageReceipt, "_receipts_from_api", lambda receipts, backend, already: self.payments()):
            checked = self.queued_env["ecrm.sage.backend"].import_api_receipts(self.backend.id, True)
        self.assertEqual((checked["applied"], checked["matched"], checked["batch_id"]), (3, 3, False))
        self.assertFalse(self.env["ecrm.sage.batch"].search([("backend_id", "=", self.backend.id),
                                                             ("kind", "=", "receipts")]))
        with patch.object(EcrmSageApiTransport, "_balances", side_effect=SageApiError("503", 503, retryable=True)):
            failed = self.queued_env["ecrm.sage.backend"].import_api_balances(self.backend.id, True)
        self.assertTrue(failed["errors"][0]["message"].startswith("Sage API: "))
