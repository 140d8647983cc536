"""Incremental RFM: an order confirmation scores its customer against the cut points of the
last full ranking (cached on the reporting company); the nightly job re-ranks everyone."""
from unittest import mock

from ..customer360 import rfm
from .common import OrderCase

SCORES = ("ecrm_order_count", "ecrm_revenue", "ecrm_recency_score", "ecrm_frequency_score",
          "ecrm_monetary_score", "ecrm_rfm_segment", "ecrm_lifetime_value", "ecrm_days_since_last_order")


class TestIncrementalRfm(OrderCase):

    def setUp(self):
        super().setUp()
        self.Partner = self.env["res.partner"]
        self.company = self.env["res.company"]._ecrm_reporting_company()

    def figures(self, partners):
        self.env.cr.execute("SELECT id, %s FROM res_partner WHERE id IN %%s ORDER BY id" % ", ".join(SCORES),
                            (tuple(partners.ids),))
        return self.env.cr.fetchall()

    def all_figures(self):
        self.env.cr.execute("SELECT id, %s FROM res_partner WHERE ecrm_order_count > 0 ORDER BY id"
                            % ", ".join(SCORES))
        return self.env.cr.fetchall()

    def aggregated_scopes(self):
        """Wrap _ecrm_order_aggregates: the scope each call aggregated over (None: every order)."""
        calls = []
        original = type(self.Partner)._ecrm_order_aggregates

        def spy(model, company, tz, scope=None):
            calls.append(scope)
            return original(model, company, tz, scope)
        return calls, mock.patch.object(type(self.Partner), "_ecrm_order_aggregates", spy)

    def test_confirmation_aggregates_only_the_customer_and_scores_against_the_cached_cut_points(self):
        self.Partner.ecrm_recompute_360()  # last night
        cached = self.company._ecrm_rfm_thresholds()
        self.assertIsNotNone(cached)
        calls, spy = self.aggregated_scopes()
        with spy:
            self.order(self.contact, 5000000.0)
        self.assertTrue(calls)
        for scope in calls:
            self.assertIsNotNone(scope, "a confirmation aggregated every order in the database")
            self.assertIn(self.company_partner.id, scope)
            self.assertNotIn(self.individual.id, scope)
        self.assertEqual(self.company._ecrm_rfm_thresholds(), cached, "a confirmation left the cut points alone")
        self.company_partner.invalidate_cache()
        # the biggest spender of the database today: top recency and monetary at once, not at the next re-rank
        self.assertEqual(self.company_partner.ecrm_recency_score, 5)
        self.assertEqual(self.company_partner.ecrm_monetary_score, 5)
        self.assertEqual(self.company_partner.ecrm_order_count, 1)

    def test_incremental_equals_full_recompute_when_the_population_did_not_change(self):
        self.order(self.individual, 120.0)
        self.order(self.contact, 640.0)
        self.order(self.contact, 90.0)
        self.Partner.ecrm_recompute_360()
        full = self.all_figures()
        # wipe everyone's figures, then rescore each customer on its own against the cached cut points
        customers = self.Partner.browse([row[0] for row in full])
        self.env.cr.execute("UPDATE res_partner SET ecrm_recency_score = NULL, ecrm_frequency_score = NULL, "
                            "ecrm_monetary_score = NULL, ecrm_rfm_segment = NULL WHERE id IN %s",
                            (tuple(customers.ids),))
        calls, spy = self.aggregated_scopes()
        with spy:
            for customer in customers:
                self.Partner.ecrm_recompute_360(customer.ids)
        self.assertNotIn(None, calls)
        self.assertEqual(self.all_figures(), full)

    def test_the_nightly_job_re_ranks_everyone_and_refreshes_the_cut_points(self):
        self.Partner.ecrm_recompute_360()
        before = self.company._ecrm_rfm_thresholds()
        self.assertNotIn(9000000.0, before.monetary.cuts)
        # two customers bigger than anyone the cut points were taken from
        whales = [self.Partner.create({"name": "Whale %d (test)" % n}) for n in range(2)]
        for whale in whales:
            self.order(whale, 9000000.0)
        self.assertEqual(self.company._ecrm_rfm_thresholds(), before)
        cron = self.env.ref("ecrm_core.ir_cron_ecrm_recompute_360")
        self.assertTrue(cron.active)
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        cron.with_context(test_queue_job_no_delay=True).method_direct_trigger()  # its jobs, at once
        after = self.company._ecrm_rfm_thresholds()
        self.assertNotEqual(after, before)
        # the cut points are today's population's: ranking everyone now gives the same ones
        self.env.cr.execute("SELECT ecrm_revenue, ecrm_order_count, ecrm_last_order_date FROM res_partner "
                            "WHERE ecrm_order_count > 0")
        population = self.env.cr.fetchall()
        # (ranked on unrounded converted revenue, stored to the cent)
        self.assertEqual([round(cut, 2) for cut in after.monetary.cuts],
                         list(rfm.thresholds_from([float(revenue) for revenue, _n, _d in population]).cuts))
        self.assertEqual(after.frequency, rfm.thresholds_from([count for _r, count, _d in population]))
        self.assertEqual(len(population), len({row[0] for row in self.all_figures()}))
        self.assertTrue(self.company.ecrm_rfm_thresholds_date)

    def test_a_fresh_database_ranks_everyone_once_and_stores_the_cut_points(self):
        self.order(self.individual, 300.0)
        self.Partner.ecrm_recompute_360()
        ranked = self.all_figures()
        self.env.cr.execute("UPDATE res_company SET ecrm_rfm_thresholds = NULL, ecrm_rfm_thresholds_date = NULL")
        calls, spy = self.aggregated_scopes()
        with spy:
            self.Partner.ecrm_recompute_360(self.individual.ids)
        self.assertEqual(calls, [None], "without cut points the first recompute ranks everyone")
        self.assertIsNotNone(self.company._ecrm_rfm_thresholds())
        self.assertEqual(self.all_figures(), ranked)
        calls[:] = []
        with spy:
            self.order(self.individual, 50.0)
        self.assertNotIn(None, calls, "once stored, the cut points serve the next confirmation")

    def test_an_ecrm_user_rescoring_a_customer_uses_the_cached_cut_points_too(self):
        self.order(self.individual, 300.0)
        user = self.make_user("rfm_user_test", ["base.group_user", "sales_team.group_sale_salesman_all_leads",
                                                "ecrm_core.group_ecrm_user"])
        calls, spy = self.aggregated_scopes()
        with spy:
            self.Partner.sudo(user).ecrm_recompute_360(self.individual.ids)
        self.assertNotIn(None, calls)

    def test_unreadable_cut_points_are_ranked_afresh_not_a_traceback(self):
        self.order(self.individual, 300.0)
        self.env.cr.execute("UPDATE res_company SET ecrm_rfm_thresholds = %s", ('{"recency": [1, 2',))
        calls, spy = self.aggregated_scopes()
        with spy:
            self.order(self.individual, 40.0)
        self.assertEqual(calls, [None])
        self.assertIsNotNone(self.company._ecrm_rfm_thresholds())
        self.individual.invalidate_cache()
        self.assertEqual(self.individual.ecrm_order_count, 2)
