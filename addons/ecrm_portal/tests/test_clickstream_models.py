import datetime

from odoo import fields
from odoo.exceptions import AccessError

from .common import PortalCase


class TestClickstream(PortalCase):

    def test_record_is_one_row_and_touches_the_visitor(self):
        visitor = self.env["ecrm.visitor"].create({})
        View = self.env["ecrm.page.view"]
        View._record({"visitor_id": visitor.id, "path": "/shop/product/office-chair-%d" %
                      self.env.ref("product.product_product_8_product_template").id, "new_visit": True,
                      "utm_source": "nhs_newsletter"})
        View._record({"visitor_id": visitor.id, "path": "/shop"})
        visitor.invalidate_cache()
        views = View.search([("visitor_id", "=", visitor.id)], order="id")
        self.assertEqual(len(views), 2)
        self.assertEqual(views[0].product_tmpl_id, self.env.ref("product.product_product_8_product_template"))
        self.assertEqual(views[0].utm_source, "nhs_newsletter")
        self.assertEqual(visitor.visit_count, 1)

    def test_login_merges_the_browsers_anonymous_history_only(self):
        Visitor, View = self.env["ecrm.visitor"], self.env["ecrm.page.view"]
        browser, elsewhere = Visitor.create({}), Visitor.create({})
        View._record({"cookie_key": browser.cookie_key, "path": "/shop"})
        View._record({"cookie_key": elsewhere.cookie_key, "path": "/shop"})
        View._record({"cookie_key": browser.cookie_key, "partner_id": self.buyer.id, "path": "/my"})
        View._record({"cookie_key": browser.cookie_key, "partner_id": self.other.id, "path": "/my"})
        (browser | elsewhere).invalidate_cache()
        self.assertEqual(browser.partner_id, self.other)  # the last customer who logged in on it
        self.assertEqual([view.partner_id for view in browser.page_view_ids.sorted("id")],
                         [self.buyer, self.buyer, self.other])
        self.assertFalse(elsewhere.page_view_ids.partner_id)
        stored = View.search_count([])
        View._record({"cookie_key": "no-such-cookie", "path": "/shop"})
        self.assertEqual(View.search_count([]), stored)

    def test_purge_keeps_aggregates_and_rule_counts(self):
        rule = self.env["ecrm.personalisation.rule"].create({"name": "Old banner (test)", "placement": "cart",
                                                            "content": "<p>x</p>"})
        visitor = self.env["ecrm.visitor"].create({})
        View = self.env["ecrm.page.view"]
        for _ in range(3):
            View._record({"visitor_id": visitor.id, "path": "/shop", "rule_ids": {rule.id}})
        View._record({"visitor_id": visitor.id, "path": "/shop", "control_rule_ids": {rule.id}})
        View._record({"visitor_id": visitor.id, "path": "/shop", "clicked_rule_id": rule.id})
        View._record({"visitor_id": visitor.id, "path": "/contactus"})
        old = fields.Datetime.to_string(datetime.datetime.now() - datetime.timedelta(days=200))
        self.env.cr.execute("UPDATE ecrm_page_view SET date = %s WHERE visitor_id = %s AND path = '/shop'",
                            (old, visitor.id))
        purged = View.cron_purge(days=90)
        self.assertEqual(purged, 5)
        self.assertEqual(View.search([("visitor_id", "=", visitor.id)]).mapped("path"), ["/contactus"])
        daily = self.env["ecrm.page.view.daily"].search([("path", "=", "/shop")])
        self.assertEqual(sum(daily.mapped("views")), 5)
        self.assertEqual((rule.archived_impression_count, rule.archived_control_count, rule.archived_click_count),
                         (3, 1, 1))
        self.assertEqual((rule.impression_count, rule.control_count, rule.click_count), (3, 1, 1))

    def test_only_the_cron_and_ecrm_managers_purge(self):
        View = self.env["ecrm.page.view"]
        View._record({"visitor_id": self.env["ecrm.visitor"].create({}).id, "path": "/shop"})
        self.env.cr.execute("UPDATE ecrm_page_view SET date = '2001-01-01'")
        user = self.make_staff_user("ecrm.user.purge", "ecrm_core.group_ecrm_user")
        for caller in (self.buyer_user, self.make_staff_user("employee.purge"), user):
            with self.assertRaises(AccessError):
                View.sudo(caller).cron_purge(days=90)
        self.assertTrue(View.search_count([]))
        manager = self.make_staff_user("ecrm.manager.purge", "ecrm_core.group_ecrm_manager")
        self.assertTrue(View.sudo(manager).cron_purge(days=90))
        self.assertFalse(View.search_count([]))

    def test_path_report_entry_exit_and_cart_without_order(self):
        visitor = self.env["ecrm.visitor"].create({})
        View = self.env["ecrm.page.view"]
        since = fields.Datetime.now()
        for session, path in (("s1", "/"), ("s1", "/shop"), ("s1", "/shop/cart"),
                              ("s2", "/shop"), ("s2", "/shop/cart"), ("s2", "/shop/confirmation")):
            View._record({"visitor_id": visitor.id, "session_key": "report-%s" % session, "path": path})
        # same second for all rows: order by id keeps each session's sequence
        report = View.ecrm_path_report(since)
        self.assertEqual(dict(report["entry"]), {"/": 1, "/shop": 1})
        self.assertEqual(dict(report["exit"]), {"/shop/cart": 1, "/shop/confirmation": 1})
        self.assertEqual(report["cart_without_order"], [(("/", "/shop", "/shop/cart"), 1)])

    def test_path_report_screen_lists_entries_exits_and_abandoned_paths(self):
        visitor = self.env["ecrm.visitor"].create({})
        for session, path in (("p1", "/"), ("p1", "/shop/category/chairs-3"), ("p1", "/shop/cart")):
            self.env["ecrm.page.view"]._record({"visitor_id": visitor.id, "session_key": "screen-" + session,
                                                "path": path})
        wizard = self.env["ecrm.path.report"].create({"date_from": fields.Date.context_today(visitor)})
        self.assertIn("/ &gt; /shop/category/chairs-3 &gt; /shop/cart", wizard.result_html)
        self.assertIn("<td>/shop/cart</td>", wizard.result_html)  # the exit page
        with self.assertRaises(AccessError):
            self.env["ecrm.path.report"].sudo(self.buyer_user).create({"date_from": "2026-01-01"}).result_html
