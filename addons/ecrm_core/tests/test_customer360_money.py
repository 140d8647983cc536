"""Customer 360 money and dates: one stated currency, one timezone, the accounting financial year."""
from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests.common import TransactionCase

D1, D2 = "2026-08-03", "2026-09-01"   # after every demo rate, so these rates are the ones in force


class TestCustomer360Money(TransactionCase):

    def setUp(self):
        super().setUp()
        self.gbp, self.eur = self.env.ref("base.GBP"), self.env.ref("base.EUR")
        (self.gbp | self.eur).write({"active": True})
        self.uk = self.env.ref("base.main_company")
        self.uk.currency_id = self.gbp
        self.uk.partner_id.tz = "Europe/London"
        self.de = self.env["res.company"].create({"name": "Calder Mobility GmbH (test)", "currency_id": self.eur.id})
        self.rate(self.uk, self.gbp, D1, 1.0)
        self.rate(self.uk, self.eur, D1, 1.25)     # 1 GBP = 1.25 EUR on D1
        self.rate(self.uk, self.gbp, D2, 1.0)
        self.rate(self.uk, self.eur, D2, 1.10)     # 1 GBP = 1.10 EUR on D2
        # the German company's own table: never used to state the group's figures
        self.rate(self.de, self.eur, D1, 1.0)
        self.rate(self.de, self.gbp, D1, 0.5)
        self.product = self.env["product.product"].create({"name": "Stairlift service (test)", "type": "service",
                                                           "list_price": 1.0, "company_id": False})
        self.pricelists = {
            self.uk: self.env["product.pricelist"].create({"name": "GBP (test)", "currency_id": self.gbp.id,
                                                           "company_id": self.uk.id}),
            self.de: self.env["product.pricelist"].create({"name": "EUR (test)", "currency_id": self.eur.id,
                                                           "company_id": self.de.id}),
        }
        self.customer = self.env["res.partner"].create({"name": "Hebden Care Homes (test)", "is_company": True,
                                                        "company_id": False})

    def rate(self, company, currency, day, rate):
        Rate = self.env["res.currency.rate"]
        existing = Rate.search([("currency_id", "=", currency.id), ("company_id", "=", company.id), ("name", "=", day)])
        (existing or Rate.create({"currency_id": currency.id, "company_id": company.id, "name": day})).rate = rate

    def order(self, company, amount, date_order, partner=None):
        values = {"partner_id": (partner or self.customer).id, "company_id": company.id,
                  "pricelist_id": self.pricelists[company].id,
                  "order_line": [(0, 0, {"product_id": self.product.id, "product_uom_qty": 1,
                                         "price_unit": amount})]}
        if "warehouse_id" in self.env["sale.order"]._fields:
            values["warehouse_id"] = self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1).id
        order = self.env["sale.order"].create(values)
        order.action_confirm()
        order.date_order = date_order
        return order

    def recompute(self, now):
        self.env["res.partner"].with_context(ecrm_now=now).ecrm_recompute_360(self.customer.ids)
        self.customer.invalidate_cache()

    # ---- currencies ----

    def test_orders_of_two_companies_add_up_in_one_stated_currency(self):
        self.order(self.uk, 50.0, D1 + " 10:00:00")     # 50 GBP
        self.order(self.de, 125.0, D1 + " 11:00:00")    # 125 EUR at 1.25 = 100 GBP
        self.order(self.de, 110.0, D2 + " 11:00:00")    # 110 EUR at 1.10 = 100 GBP
        self.recompute(D2 + " 12:00:00")
        customer = self.customer
        self.assertEqual(customer.ecrm_currency_id, self.gbp, "the group's figures are in the parent company's currency")
        self.assertEqual(customer.ecrm_order_count, 3)
        self.assertAlmostEqual(customer.ecrm_revenue, 250.0, places=2)
        self.assertAlmostEqual(customer.ecrm_avg_order_value, 250.0 / 3, places=2)
        self.assertGreater(customer.ecrm_lifetime_value, 0)

    def test_the_form_shows_the_currency_next_to_each_amount(self):
        arch = self.env["res.partner"].fields_view_get(view_id=self.env.ref("base.view_partner_form").id)["arch"]
        for name in ("ecrm_revenue", "ecrm_avg_order_value", "ecrm_lifetime_value"):
            self.assertRegex(arch, r'<field name="%s"[^>]*widget="monetary"' % name)
            self.assertEqual(self.env["res.partner"]._fields[name].currency_field, "ecrm_currency_id")
        self.assertIn('name="ecrm_currency_id"', arch)

    # ---- dates: one timezone (the company's, Europe/London), the clock frozen ----

    def test_an_order_half_past_midnight_in_summer_time_is_today(self):
        self.order(self.uk, 10.0, "2026-07-14 23:30:00")      # 00:30 BST on 15 July
        self.recompute("2026-07-15 00:15:00")                  # 01:15 BST on 15 July
        self.assertEqual(self.customer.ecrm_last_order_date, "2026-07-15")
        self.assertEqual(self.customer.ecrm_first_order_date, "2026-07-15")
        self.assertEqual(self.customer.ecrm_days_since_last_order, 0)

    def test_an_order_before_midnight_in_summer_time_was_yesterday(self):
        self.order(self.uk, 10.0, "2026-07-14 22:30:00")      # 23:30 BST on 14 July
        self.recompute("2026-07-14 23:15:00")                  # 00:15 BST on 15 July
        self.assertEqual(self.customer.ecrm_last_order_date, "2026-07-14")
        self.assertEqual(self.customer.ecrm_days_since_last_order, 1)

    def test_midnight_in_winter_is_utc_midnight(self):
        self.order(self.uk, 10.0, "2026-01-14 23:30:00")      # 23:30 GMT on 14 January
        self.recompute("2026-01-15 00:15:00")                  # 00:15 GMT on 15 January
        self.assertEqual(self.customer.ecrm_last_order_date, "2026-01-14")
        self.assertEqual(self.customer.ecrm_days_since_last_order, 1)
        self.order(self.uk, 10.0, "2026-01-15 00:05:00")
        self.recompute("2026-01-15 00:15:00")
        self.assertEqual(self.customer.ecrm_last_order_date, "2026-01-15")
        self.assertEqual(self.customer.ecrm_days_since_last_order, 0)

    def test_only_superuser_code_may_freeze_the_clock(self):
        self.order(self.uk, 10.0, "2026-01-14 12:00:00")
        user = self.env["res.users"].with_context(no_reset_password=True).create({
            "name": "360 clerk (test)", "login": "ecrm360clerk", "company_id": self.uk.id,
            "company_ids": [(6, 0, self.uk.ids)],
            "groups_id": [(6, 0, [self.env.ref("ecrm_core.group_ecrm_user").id, self.env.ref("base.group_user").id])]})
        self.env["res.partner"].sudo(user).with_context(ecrm_now="2026-01-15 12:00:00").ecrm_recompute_360(
            self.customer.ids)
        self.customer.invalidate_cache()
        today = fields.Date.from_string(fields.Date.context_today(self.customer))
        self.assertEqual(self.customer.ecrm_days_since_last_order,
                         (today - fields.Date.from_string("2026-01-14")).days)

    # ---- financial year: the accounting one (res.company fiscalyear_last_*) ----

    def report_year(self, order):
        self.env["sale.report"].invalidate_cache()
        rows = self.env["sale.report"].search_read([("name", "=", order.name)], ["ecrm_financial_year"])
        return rows[0]["ecrm_financial_year"]

    def test_sales_report_uses_the_accounting_year_end_and_local_dates(self):
        self.uk.write({"fiscalyear_last_month": 3, "fiscalyear_last_day": 31})
        noon = self.order(self.uk, 10.0, "2014-03-31 12:00:00")
        late = self.order(self.uk, 10.0, "2014-03-31 23:30:00")   # 00:30 BST on 1 April: the new year
        self.assertEqual(self.report_year(noon), "2013/14")
        self.assertEqual(self.report_year(late), "2014/15")
        self.uk.write({"fiscalyear_last_month": 12, "fiscalyear_last_day": 31})
        self.assertEqual(self.report_year(noon), "2014", "the report follows a change of year end at once")
        german = self.order(self.de, 10.0, "2014-03-31 12:00:00")
        self.assertEqual(self.report_year(german), "2014", "a new company has its years too")

    def test_an_impossible_year_end_is_refused(self):
        with self.assertRaises(ValidationError):
            self.uk.write({"fiscalyear_last_month": 4, "fiscalyear_last_day": 31})

    def test_settings_edit_the_accounting_year_end(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.ecrm_fiscalyear_last_month, self.env.user.company_id.fiscalyear_last_month)
        settings.write({"ecrm_fiscalyear_last_month": 3, "ecrm_fiscalyear_last_day": 31})
        settings.execute()
        self.assertEqual((self.env.user.company_id.fiscalyear_last_month,
                          self.env.user.company_id.fiscalyear_last_day), (3, 31))
        self.assertNotIn("ecrm_fiscal_year_start_month", self.env["res.company"]._fields)
