from unittest.mock import patch

from odoo.addons.ecrm_sage_bridge.models.ecrm_sage_api_transport import EcrmSageApiTransport

from .common import SageCase

BATCH = "odoo.addons.ecrm_sage_bridge.models.ecrm_sage_batch."


class TestNoSageCallWhileHoldingRowLocks(SageCase):
    """While an export job sends a chunk to Sage, another connection can lock the customers it
    sends: the job writes them (bindings, ledger figures) only once Sage has answered.

    (Each job commits its chunk, so the chunks before are not locked either; a test
    transaction cannot show that, as it never commits.)"""

    def test_the_customers_of_a_chunk_are_not_locked_while_it_goes_to_sage(self):
        self.backend.write({"transport": "sage_bca_api", "api_url": "http://sage.invalid", "api_business_id": "b"})
        queued = self.env(context=dict(self.env.context, test_queue_job_no_delay=False))
        pushed, observed = [], []
        own = (self.hudd | self.wake).ids    # created by this test's transaction: locked by it anyway

        def push(transport, backend, kind, plan):
            sending = [values["partner_id"] for values in plan["bindings"] if values["partner_id"] not in own]
            with self.registry.cursor() as other:
                try:
                    other.execute("SELECT id FROM res_partner WHERE id IN %s FOR UPDATE NOWAIT",
                                  (tuple(sending) or (0,),))
                    observed.append(("free", len(other.fetchall()), len(sending)))
                except Exception as error:
                    observed.append(("locked", getattr(error, "pgcode", None), len(sending)))
                other.rollback()
            pushed.append([values["partner_id"] for values in plan["bindings"]])
            for values in plan["bindings"]:
                values["sage_id"] = "contact-%s" % values["partner_id"]

        result = queued["ecrm.sage.backend"].export_batch(self.backend.id, "customers", False)
        batch = queued["ecrm.sage.batch"].browse(result["batch_id"])
        Job = self.env["queue.job"]
        with patch(BATCH + "API_RECORDS_PER_JOB", 3), patch.object(EcrmSageApiTransport, "_push", push):
            for _ in range(100):
                job = Job.browse(batch._job_ids()).filtered(lambda job: job.state == "pending")[:1]
                if not job:
                    break
                job.write({"state": "done"})
                batch._sage_job_export(*job.args)
        self.assertGreater(len(pushed), 2, "the export had several chunks, a job each")
        self.assertEqual(batch.state, "done")
        self.assertTrue(observed and all(count == sending for _state, count, sending in observed))
        self.assertEqual({state for state, _count, _sending in observed}, {"free"}, observed)
        bound = self.Binding.search([("backend_id", "=", self.backend.id), ("res_model", "=", "res.partner")])
        self.assertEqual(len(bound), batch.record_count)
        self.assertEqual(set(bound.mapped("sage_id")), {"contact-%s" % partner for page in pushed for partner in page})
