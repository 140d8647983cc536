import datetime

from odoo import fields
from odoo.tests.common import TransactionCase

from odoo.addons.ecrm_core.tests.common import new_user

T0 = datetime.datetime(2026, 3, 2, 9, 0)


def at(days):
    """The program's clock, ``days`` after T0, as Odoo writes datetimes."""
    return fields.Datetime.to_string(T0 + datetime.timedelta(days=days))


class MarketingCase(TransactionCase):
    """A campaign, customers and a product shared by the marketing tests."""

    def setUp(self):
        super().setUp()
        self.Campaign = self.env["utm.campaign"]
        Partner = self.env["res.partner"]
        self.campaign = self.Campaign.create({"name": "Spring stairlift offer (test)"})
        self.other_campaign = self.Campaign.create({"name": "Autumn bath lift offer (test)"})
        self.customer_a = Partner.create({"name": "Willow Bank Care (test)", "is_company": True, "customer": True,
                                          "email": "office@willowbank.example"})
        self.customer_b = Partner.create({"name": "Kirklees Council (test)", "is_company": True, "customer": True,
                                          "email": "procurement@kirklees.example"})
        self.product = self.env["product.product"].create({"name": "Stairlift service (test)", "type": "service",
                                                           "list_price": 100.0, "taxes_id": [(6, 0, [])]})

    def make_user(self, login, groups, company=None):
        return new_user(self.env, login, groups, company)

    def make_order(self, partner, amount, campaign=None, confirm=False):
        order = self.env["sale.order"].create({
            "partner_id": partner.id,
            "campaign_id": (campaign or self.campaign).id,
            "order_line": [(0, 0, {"product_id": self.product.id, "product_uom_qty": 1, "price_unit": amount,
                                   "tax_id": [(6, 0, [])]})],
        })
        if confirm:
            order.action_confirm()
        return order


class ProgramCase(MarketingCase):
    """Four customers (Ann and Bob opted in to e-mail, Cat opted out, Dan unknown), a segment and a template."""

    def setUp(self):
        super().setUp()
        Partner = self.env["res.partner"]
        self.ann, self.bob, self.cat, self.dan = [
            Partner.create({"name": "%s (progtest)" % name, "email": "%s@example.com" % name.lower()})
            for name in ("Ann", "Bob", "Cat", "Dan")]
        (self.ann | self.bob).ecrm_set_consent("email", "opted_in", "form", "Ticked the box")
        self.cat.ecrm_set_consent("email", "opted_out", "form", "Unsubscribed")
        self.segment = self.env["ecrm.segment"].create({
            "name": "Prog test", "domain": "[('name', 'like', '(progtest)')]"})
        self.template = self.env["mail.template"].create({
            "name": "Offer (test)", "model_id": self.env.ref("base.model_res_partner").id,
            "subject": "An offer for ${object.name}",
            "body_html": "<p>Hello ${object.name}, <a href='https://shop.example.com/offer'>see it</a></p>"})
        self.env.user.company_id.write({"ecrm_contact_cap": 3, "ecrm_contact_cap_days": 7})

    def make_program(self, steps, mode="multistep", segment=True):
        return self.env["ecrm.campaign.program"].create({
            "name": "Program (test)", "campaign_id": self.campaign.id, "mode": mode,
            "segment_id": segment and self.segment.id,
            "step_ids": [(0, 0, dict({"name": "Step %d" % index, "sequence": index,
                                      "mail_template_id": self.template.id}, **step))
                         for index, step in enumerate(steps, 1)],
        })

    def results(self, step):
        logs = self.env["ecrm.campaign.step.log"].search([("step_id", "=", step.id)])
        return {log.partner_id: log.result for log in logs}

    def mailed(self, step):
        stats = self.env["mail.mail.statistics"].search([("mass_mailing_id", "=", step.mailing_id.id)])
        return sorted(stats.mapped("res_id"))

    def statistics(self, step, partner):
        return self.env["mail.mail.statistics"].search([("mass_mailing_id", "=", step.mailing_id.id),
                                                        ("res_id", "=", partner.id)])
