import datetime

from odoo.addons.ecrm_portal.personalisation import engine

from .common import PortalCase


def rule_set(**conditions):
    return engine.RuleSet([{"id": 1, "name": "r", "priority": 1, "conditions": conditions, "actions": {}}])


class TestVisitorFacts(PortalCase):

    def setUp(self):
        super().setUp()
        self.website = self.env.ref("website.default_website")
        Category = self.env["product.public.category"]
        self.seating = Category.create({"name": "Seating (test)"})
        self.hoists = Category.create({"name": "Hoists (test)"})
        self.chair = self.env.ref("product.product_product_8_product_template")
        self.chair.public_categ_ids = self.seating
        self.trust.write({"country_id": self.env.ref("base.uk").id,
                          "ecrm_interest_category_ids": [(6, 0, self.hoists.ids)]})
        self.visitor = self.env["ecrm.visitor"].create({})
        View = self.env["ecrm.page.view"]
        View._record({"visitor_id": self.visitor.id, "path": "/shop/product/chair-%d" % self.chair.id})
        View._record({"visitor_id": self.visitor.id, "path": "/shop/category/hoists-%d" % self.hoists.id})
        self.env.cr.execute("UPDATE ecrm_page_view SET date = %s WHERE visitor_id = %s AND public_categ_id = %s",
                            (datetime.datetime.utcnow() - datetime.timedelta(days=60), self.visitor.id, self.hoists.id))

    def test_the_customers_facts_as_the_rules_read_them(self):
        rules = rule_set(country_codes=["GB"], interest_category_ids=[self.hoists.id],
                         viewed_category_ids=[self.seating.id], viewed_days=30)
        facts = self.website._ecrm_facts(rules, self.buyer.id, self.visitor.id)
        self.assertEqual(facts["company_id"], self.trust.id)
        self.assertEqual(facts["country_code"], "GB")  # the company's, the contact has none
        self.assertEqual(facts["interest_category_ids"], {self.hoists.id})  # declared by the company
        # the product page counts for its category; the hoists page is outside the 30-day window
        self.assertEqual(facts["viewed_category_days"], {self.seating.id: 0})
        self.assertEqual(facts["viewed_category_counts"], {self.seating.id: 1})
        wider = self.website._ecrm_facts(rule_set(viewed_category_ids=[self.hoists.id], viewed_days=90), None,
                                         self.visitor.id)
        self.assertEqual(set(wider["viewed_category_days"]), {self.seating.id, self.hoists.id})

    def test_facts_no_rule_reads_are_not_looked_up(self):
        facts = self.website._ecrm_facts(rule_set(min_visits=2), self.buyer.id, self.visitor.id)
        self.assertEqual((facts["company_id"], facts["interest_category_ids"], facts["viewed_category_days"]),
                         (None, set(), {}))
        self.assertNotIn("country_code", facts)

    def test_purchased_categories_of_the_company(self):
        order = self.env["sale.order"].create({"partner_id": self.trust.id, "order_line": [(0, 0, {
            "product_id": self.chair.product_variant_id.id, "product_uom_qty": 1})]})
        order.action_confirm()
        facts = self.website._ecrm_facts(rule_set(purchased_category_ids=[self.seating.id]), self.buyer.id, None)
        self.assertEqual(facts["purchased_category_ids"], {self.seating.id})
        self.assertEqual(self.website._ecrm_facts(rule_set(purchased_category_ids=[self.seating.id]),
                                                  self.other.id, None)["purchased_category_ids"], set())
