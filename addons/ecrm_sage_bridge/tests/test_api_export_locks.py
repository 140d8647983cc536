from unittest.mock import patch

from psycopg2 import errorcodes

from odoo.addons.ecrm_sage_bridge.models.ecrm_sage_api_transport import EcrmSageApiTransport

from .common import SageCase

BATCH = "odoo.addons.ecrm_sage_bridge.models.ecrm_sage_batch."


class TestNoSageCallWhileHoldingRowLocks(SageCase):
    """While the export talks to Sage, another connection can lock every customer row: the
    export has not written (and so not locked) any yet. Only the backend's sync lock is held."""

    def test_customers_already_sent_are_not_locked_while_the_next_page_goes_to_sage(self):
        self.backend.write({"transport": "sage_bca_api", "api_url": "http://sage.invalid", "api_business_id": "b"})
        pushed, observed = [], []

        def push(transport, backend, kind, plan):
            # demo customers are committed rows another connection can try to lock
            sent_before = [record_id for page in pushed for record_id in page]
            with self.registry.cursor() as other:
                if sent_before:
                    try:
                        other.execute("SELECT id FROM res_partner WHERE id IN %s FOR UPDATE NOWAIT",
                                      (tuple(sent_before),))
                        observed.append(("free", len(other.fetchall())))
                    except Exception as error:
                        observed.append(("locked", getattr(error, "pgcode", None)))
                        other.rollback()
                other.execute("SELECT 1 FROM ecrm_sage_backend WHERE id = %s FOR KEY SHARE NOWAIT", (backend.id,))
                other.rollback()
            pushed.append([values["partner_id"] for values in plan["bindings"]])
            for values in plan["bindings"]:
                values["sage_id"] = "contact-%s" % values["partner_id"]

        with patch(BATCH + "PAGE_SIZE", 3), patch.object(EcrmSageApiTransport, "_push", push):
            result = self.export("customers")
        self.assertGreater(len(pushed), 2, "the export had several pages")
        self.assertEqual(result["exported"], sum(len(page) for page in pushed))
        self.assertTrue(observed)
        self.assertNotIn(("locked", errorcodes.LOCK_NOT_AVAILABLE), observed)
        self.assertEqual({state for state, _count in observed}, {"free"})
        bound = self.Binding.search([("backend_id", "=", self.backend.id), ("res_model", "=", "res.partner")])
        self.assertEqual(len(bound), result["exported"])
        self.assertEqual(set(bound.mapped("sage_id")), {"contact-%s" % partner for page in pushed for partner in page})
