from odoo import fields

from .common import OrderCase


class TestCustomer360(OrderCase):

    def test_confirming_an_order_updates_only_that_customer(self):
        self.order(self.individual, 80.0)
        # a stale figure on a bystander shows whether an event rewrites everyone
        self.env.cr.execute("UPDATE res_partner SET ecrm_days_since_last_order = 999 WHERE id = %s",
                            (self.individual.id,))
        self.order(self.contact, 300.0)
        self.order(self.company_partner, 100.0)
        self.order(self.contact, 999.0, confirm=False)  # a quotation is not revenue
        company = self.company_partner
        self.env["res.partner"].invalidate_cache()
        self.assertEqual(company.ecrm_order_count, 2, "orders of contacts roll up to the company")
        self.assertAlmostEqual(company.ecrm_revenue, 400.0)
        self.assertAlmostEqual(company.ecrm_avg_order_value, 200.0)
        self.assertEqual(company.ecrm_last_order_date, fields.Date.context_today(company))
        self.assertEqual(company.ecrm_days_since_last_order, 0)
        self.assertIn(company.ecrm_rfm_segment, ("new", "champion", "loyal", "occasional"))
        self.assertTrue(1 <= company.ecrm_recency_score <= 5)
        self.assertGreater(company.ecrm_lifetime_value, 0)
        self.assertEqual(self.individual.ecrm_days_since_last_order, 999)
        self.env["res.partner"].ecrm_recompute_360()
        self.individual.invalidate_cache()
        self.assertEqual(self.individual.ecrm_days_since_last_order, 0)

    def test_cancelling_the_last_order_resets_the_figures(self):
        order = self.order(self.individual, 250.0)
        self.assertEqual(self.individual.ecrm_order_count, 1)
        order.action_cancel()
        self.individual.invalidate_cache()
        self.assertEqual(self.individual.ecrm_order_count, 0)
        self.assertFalse(self.individual.ecrm_revenue)
        self.assertFalse(self.individual.ecrm_rfm_segment)

    def test_full_recompute_matches_a_plain_sql_aggregate(self):
        self.order(self.individual, 120.0)
        self.order(self.individual, 80.0)
        self.env["res.partner"].ecrm_recompute_360()
        # every customer whose orders are all in the company currency: no conversion to muddle the sums
        self.env.cr.execute("""
            SELECT p.commercial_partner_id, count(*), sum(s.amount_untaxed) FROM sale_order s
              JOIN res_partner p ON p.id = s.partner_id
              JOIN product_pricelist pp ON pp.id = s.pricelist_id
              JOIN res_company c ON c.id = s.company_id
             WHERE s.state IN ('sale', 'done')
             GROUP BY p.commercial_partner_id HAVING bool_and(pp.currency_id = c.currency_id)""")
        expected = {pid: (count, total) for pid, count, total in self.env.cr.fetchall()}
        partners = self.env["res.partner"].browse(list(expected))
        actual = {p.id: (p.ecrm_order_count, p.ecrm_revenue) for p in partners}
        self.assertIn(self.individual.id, actual)
        for pid, (count, total) in expected.items():
            self.assertEqual(actual[pid][0], count)
            self.assertAlmostEqual(actual[pid][1], float(total), places=2)

    def test_foreign_currency_orders_count_in_company_currency(self):
        company = self.env.user.company_id
        euro = self.env.ref("base.EUR")
        if company.currency_id == euro:
            self.skipTest("the company already sells in euros")
        euro.active = True
        today = fields.Date.context_today(company)
        Rate = self.env["res.currency.rate"]
        for currency, rate in ((company.currency_id, 1.0), (euro, 1.25)):  # 1 company unit = 1.25 EUR today
            existing = Rate.search([("currency_id", "=", currency.id), ("company_id", "=", company.id),
                                    ("name", "=", today)])
            (existing or Rate.create({"currency_id": currency.id, "company_id": company.id, "name": today})).rate = rate
        pricelist = self.env["product.pricelist"].create({"name": "Euro (test)", "currency_id": euro.id})
        order = self.order(self.individual, 125.0, confirm=False)
        order.pricelist_id = pricelist
        order.action_confirm()
        self.order(self.individual, 50.0)
        self.individual.invalidate_cache()
        self.assertEqual(self.individual.ecrm_order_count, 2)
        self.assertAlmostEqual(self.individual.ecrm_revenue, 100.0 + 50.0)  # 125 EUR at 1.25

    def test_interaction_figures_and_preferred_channel(self):
        self.Interaction.log_many([
            self.row(channel="phone"), self.row(channel="phone"), self.row(channel="email"),
            self.row(channel="email", direction="outbound"), self.row(channel="email", direction="outbound"),
            self.row(partner_id=self.company_partner.id, channel="portal", date="2026-01-01"),
        ])
        company, contact = self.company_partner, self.contact
        (company | contact).invalidate_cache()
        self.assertEqual(company.ecrm_interaction_count, 6)
        self.assertEqual(contact.ecrm_interaction_count, 5)
        self.assertEqual(company.ecrm_preferred_channel, "phone", "outbound mailings are not a preference")
        self.assertTrue(company.ecrm_last_interaction_date > "2026-01-01")

    def test_new_interactions_add_up_to_what_a_full_recount_gives(self):
        """Each batch adds to the figures in place; the nightly recount must find nothing to correct."""
        company, contact = self.company_partner, self.contact
        self.Interaction.log_many([self.row(channel="phone"), self.row(channel="email")])
        self.Interaction.log_many([self.row(channel="email"), self.row(channel="email")])
        self.Interaction.log_many([self.row(channel="letter", direction="outbound"),
                                   self.row(partner_id=company.id, channel="portal", direction="outbound")])
        self.Interaction.log_many([self.row(channel="phone", date="2020-01-01")])   # an old call typed in late

        def figures():
            (company | contact).invalidate_cache()
            return [(partner.ecrm_interaction_count, partner.ecrm_last_interaction_date,
                     partner.ecrm_preferred_channel) for partner in (company, contact)]
        added = figures()
        self.assertEqual([count for count, _date, _channel in added], [7, 6])
        self.assertEqual(added[0][2], "email", "outbound batches leave the preference alone")
        self.assertGreater(added[0][1], "2020-01-02", "an older entry does not move the last date back")
        self.env["res.partner"].ecrm_recompute_360((company | contact).ids)
        self.assertEqual(figures(), added)

    def test_tab_lists_open_business_and_recent_timeline(self):
        quotation = self.order(self.contact, 50.0, confirm=False)
        self.Interaction.log_many([self.row(subject="n%d" % i) for i in range(12)])
        self.company_partner.invalidate_cache()
        self.assertIn(quotation, self.company_partner.ecrm_open_quotation_ids)
        self.assertEqual(len(self.company_partner.ecrm_recent_interaction_ids), 10)

    def test_admin_adds_a_field_to_the_tab_without_code(self):
        field = self.env["ir.model.fields"].search([("model", "=", "res.partner"), ("name", "=", "ref")])
        config = self.env["ecrm.customer360.field"].create({"field_id": field.id, "label": "Sage account"})
        arch = self.env["res.partner"].fields_view_get(view_id=self.env.ref("base.view_partner_form").id)["arch"]
        self.assertIn('string="Sage account"', arch)
        self.assertIn('name="ref"', arch.split('name="ecrm_360_custom"')[1])
        config.unlink()
        arch = self.env["res.partner"].fields_view_get(view_id=self.env.ref("base.view_partner_form").id)["arch"]
        self.assertNotIn("Sage account", arch)

    def test_sales_report_labels_uk_financial_years(self):
        import datetime
        from ..customer360 import fiscal
        order = self.order(self.individual, 10.0)
        order.write({"date_order": "2014-03-31 12:00:00"})
        company = self.env.user.company_id
        company.write({"fiscalyear_last_month": 3, "fiscalyear_last_day": 31})  # accounting's year end
        self.env["sale.report"].invalidate_cache()
        rows = self.env["sale.report"].search_read([("name", "=", order.name)], ["ecrm_financial_year",
                                                                                   "ecrm_sector_id"])
        self.assertEqual(rows[0]["ecrm_financial_year"], fiscal.financial_year_of(datetime.date(2014, 3, 31), 3, 31)[2])
        self.assertEqual(rows[0]["ecrm_financial_year"], "2013/14")
