"""Accepting an order apart from processing it: one queued job per exchange, run once."""
from .common import EprocurementCase


class TestIntakeJobs(EprocurementCase):

    def accept(self, payload, here=False):
        return self.Exchange._accept(self.trading_partner, "peppol-order", payload, here=here)

    def age(self, exchanges, minutes=60):
        self.env.cr.execute("UPDATE ecrm_exchange SET create_date = create_date - %s * interval '1 minute' "
                            "WHERE id IN %s", (minutes, tuple(exchanges.ids)))
        exchanges.invalidate_cache(["create_date"])

    def test_an_accepted_order_is_stored_with_its_document_id_and_one_queued_job(self):
        exchange = self.accept(self.order("PO-J1"), here=True)
        self.assertEqual((exchange.state, exchange.buyer_document_id, exchange.line_count), ("received", "PO-J1", 3))
        job = exchange.job_id
        self.assertEqual((job.state, job.channel, job.method_name),
                         ("pending", "root.ecrm.eprocurement", "_ecrm_job_process"))
        self.assertTrue(job.eta, "held back while the request that received it processes it")
        exchange._enqueue_processing()
        self.assertEqual(exchange.job_id, job)
        self.assertEqual(self.env["queue.job"].search_count([("identity_key", "=", job.identity_key)]), 1)

    def test_a_malformed_document_is_refused_at_once_without_a_job(self):
        exchange = self.accept(b"<Order>")
        self.assertEqual((exchange.state, exchange.http_status, exchange.retryable), ("error", 400, False))
        self.assertFalse(exchange.job_id)

    def test_the_job_processes_the_order_and_a_second_run_does_nothing(self):
        exchange = self.accept(self.order("PO-J2"))
        self.run_job(exchange.job_id)
        self.assertEqual((exchange.state, exchange.http_status, exchange.job_id.state), ("processed", 201, "done"))
        # a requeued job (its worker died after the commit) finds the work done
        self.assertIn("processed already", exchange._ecrm_job_process())
        self.assertEqual(len(self.orders_for("PO-J2")), 1)

    def test_the_request_processes_a_small_order_and_closes_its_job(self):
        exchange = self.accept(self.order("PO-J3"), here=True)
        self.assertTrue(exchange._inline_allowed())
        exchange._process_in_request()
        self.assertEqual((exchange.state, exchange.http_status), ("processed", 201))
        self.assertEqual((exchange.job_id.state, exchange.job_id.result),
                         ("done", "processed in the request that received it"))

    def test_a_larger_order_is_left_to_its_job(self):
        self.env["ir.config_parameter"].set_param("ecrm_eprocurement.inline_max_lines", "2")
        exchange = self.accept(self.order("PO-J4"), here=True)
        self.assertFalse(exchange._inline_allowed())
        self.assertEqual(exchange.state, "received")
        self.assertFalse(exchange.job_id.eta, "its job starts at once")

    def test_a_duplicate_keeps_the_buyers_document_id(self):
        first = self.accept(self.order("PO-J5"))
        self.run_job(first.job_id)
        second = self._raced_duplicate("PO-J5", first)
        self.assertEqual((second.state, second.http_status, second.duplicate_of_id), ("error", 409, first))
        self.assertEqual(self.Exchange.search([("buyer_document_id", "=", "PO-J5")]), first | second)
        self.assertEqual(len(self.orders_for("PO-J5")), 1)

    def _raced_duplicate(self, document_id, first):
        """A second delivery queued while the first was still being processed, run after it."""
        second = self.Exchange._receive(self.trading_partner, "peppol-order", self.order(document_id))
        second._enqueue_processing()
        self.run_job(second.job_id)
        return second

    def test_the_sweep_queues_orphans_and_fails_exchanges_whose_job_failed(self):
        orphan = self.Exchange._receive(self.trading_partner, "peppol-order", self.order("PO-J6"))
        failed = self.accept(self.order("PO-J7"))
        failed.job_id.write({"state": "failed", "exc_info": "Traceback (most recent call last):\nValueError: boom"})
        live = self.accept(self.order("PO-J8"))
        live_job = live.job_id
        recent = self.Exchange._receive(self.trading_partner, "peppol-order", self.order("PO-J9"))
        self.age(orphan | failed | live)
        self.Exchange._ecrm_cron_sweep_stale()
        self.assertEqual((orphan.state, orphan.job_id.state), ("received", "pending"))
        self.assertEqual((failed.state, failed.http_status, failed.retryable), ("error", 503, True))
        self.assertIn("ValueError: boom", failed.error_message)
        self.assertEqual((live.state, live.job_id), ("received", live_job))
        self.assertFalse(recent.job_id, "younger than ecrm_eprocurement.stale_minutes")
        # the orphan's job processes it, once
        self.run_job(orphan.job_id)
        self.assertEqual((orphan.state, len(self.orders_for("PO-J6"))), ("processed", 1))

    def test_a_resend_of_a_processed_order_is_a_duplicate_at_once_without_a_job(self):
        first = self.accept(self.order("PO-J10"))
        self.run_job(first.job_id)
        again = self.accept(self.order("PO-J10"), here=True)
        self.assertEqual((again.state, again.http_status, again.duplicate_of_id), ("error", 409, first))
        self.assertFalse(again.job_id)
        self.assertEqual(self.Exchange._status_exchange(self.trading_partner, "PO-J10"), first)

    def test_status_shows_the_processed_delivery_while_a_later_one_is_being_handled(self):
        first = self.accept(self.order("PO-J11"))
        racing = self.accept(self.order("PO-J11"))  # queued before the first was processed
        self.run_job(first.job_id)
        self.assertEqual(racing.state, "received")
        self.assertEqual(self.Exchange._status_exchange(self.trading_partner, "PO-J11"), first)

    def test_a_request_that_gives_up_releases_its_job_at_once(self):
        exchange = self.accept(self.order("PO-J12"), here=True)
        self.assertTrue(exchange.job_id.eta)
        exchange._release_job()
        self.assertFalse(exchange.job_id.eta)

    def test_an_exchange_stalled_for_more_than_a_day_is_failed_for_a_person_to_decide(self):
        ancient = self.Exchange._receive(self.trading_partner, "peppol-order", self.order("PO-J13"))
        self.age(ancient, minutes=3 * 24 * 60)
        self.Exchange._ecrm_cron_sweep_stale()
        self.assertEqual((ancient.state, ancient.http_status, ancient.retryable), ("error", 503, True))
        self.assertIn("never processed", ancient.error_message)
        self.assertFalse(ancient.job_id)
