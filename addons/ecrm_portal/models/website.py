# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Server-side personalisation of a page: the profile, the decision, the placement hooks."""
import logging
from collections import OrderedDict, namedtuple

from odoo import api, fields, models
from odoo.http import request

from ..personalisation import clickstream, engine

_logger = logging.getLogger(__name__)

Visitor = namedtuple("Visitor", "id cookie_key visit_count")
CONSENT_COOKIE = "ecrm_consent"
VISITOR_COOKIE = "ecrm_vid"


def tracking_allowed():
    cookies = request.httprequest.cookies
    do_not_track = request.httprequest.headers.get("DNT") == "1"
    return cookies.get(CONSENT_COOKIE) == "yes" and not do_not_track


class Website(models.Model):
    _inherit = "website"

    # ---- per-request state, kept on the request so a page evaluates its rules once ----

    def _ecrm_state(self):
        state = getattr(request, "_ecrm_state", None)
        if state is None:
            state = request._ecrm_state = {"decision": None, "profile": None, "shown": set(), "held": set(),
                                           "visitor": None, "visitor_loaded": False}
        return state

    def _ecrm_page(self):
        """Whether this website is serving a page of its own: the only time the QWeb hooks below answer.

        Over XML-RPC there is no web request at all, over JSON-RPC and the backend a request that is
        not the website's: the hooks then answer nothing (they would read the rules and the visitor
        of whoever calls, with sudo, and crash on what is not there).
        """
        if not request or len(self) != 1 or not getattr(request, "is_frontend", False):
            return False
        website = getattr(request, "website", None)
        return bool(website) and website.id == self.id

    def _ecrm_visitor(self):
        """The consenting visitor of this request as a plain Visitor(id, cookie_key, visit_count), or None.

        One query, once per request; rules read it, tracking does not need it.
        """
        state = self._ecrm_state()
        if not state["visitor_loaded"]:
            state["visitor_loaded"] = True
            key = request.httprequest.cookies.get(VISITOR_COOKIE)
            if key and tracking_allowed():
                self.env.cr.execute("SELECT id, cookie_key, visit_count FROM ecrm_visitor WHERE cookie_key = %s",
                                    (key,))
                row = self.env.cr.fetchone()
                state["visitor"] = Visitor(*row) if row else None
        return state["visitor"]

    def _ecrm_decision(self):
        """Evaluate this website's rules for the current visitor, once per request; never raises."""
        self.ensure_one()
        state = self._ecrm_state()
        if state["decision"] is None:
            try:
                rules = self.env["ecrm.personalisation.rule"]._compiled_rules(self.id)
                state["profile"] = self._ecrm_profile(rules) if rules else {}
                Rule = self.env["ecrm.personalisation.rule"]
                state["decision"] = engine.decide(rules, state["profile"],
                                                  on_error=lambda rule, exc: Rule._disable_broken(rule["id"], exc))
            except Exception:
                _logger.exception("Personalisation skipped for this request")
                state["decision"] = engine.Decision()
        return state["decision"]

    @api.multi
    def _ecrm_profile(self, rules):
        """The plain visitor profile the rules read; looks up only the facts some rule needs."""
        user = self.env.user
        partner_id = user.partner_id.id if user.id != self.user_id.id else None
        visitor = self._ecrm_visitor()
        profile = self._ecrm_base_profile(
            rules, partner_id, visitor.id if visitor else None, visit_count=visitor.visit_count if visitor else 0,
            utm=clickstream.utm_from_query(request.httprequest.args))
        profile["visitor_key"] = visitor.cookie_key if visitor else (
            "partner:%d" % partner_id if partner_id else request.session.sid)
        if "country" in rules.needs and not profile["country_code"]:
            profile["country_code"] = (request.session.get("geoip") or {}).get("country_code")
        if "pricelist" in rules.needs:
            # the visitor's own pricelist, before any rule applies one
            profile["pricelist_id"] = super(Website, self).get_current_pricelist().id
        return profile

    @api.multi
    def _ecrm_base_profile(self, rules, partner_id, visitor_id, visit_count=0, utm=None):
        """What the website knows of a customer (a contact or company id, or None) and a browser.

        Shared by page renders and the backend preview: the customer's facts come from
        one query and the customer filters from one more, each only when a rule uses them.
        """
        profile = {
            "visitor_key": None, "logged_in": bool(partner_id), "visit_count": visit_count, "utm": utm or {},
            "today": fields.Date.from_string(fields.Date.context_today(self)),
            "pricelist_id": None, "partner_rule_ids": set(), "segment_ids": set(), "country_code": None,
        }
        profile.update(self._ecrm_facts(rules, partner_id, visitor_id))
        if partner_id and "partner_domain" in rules.needs:
            profile["partner_rule_ids"] = self.env["ecrm.personalisation.rule"]._partner_matches(rules, partner_id)
        if profile.get("company_id") and "segments" in rules.needs and "ecrm.segment" in self.env:
            profile["segment_ids"] = self._ecrm_segments(profile["company_id"])
        return profile

    def _ecrm_facts(self, rules, partner_id, visitor_id):
        """The customer's company, country, interests, categories bought and viewed: one query.

        Facts no rule reads are not selected and come back empty. Interests and views
        of the contact and of its company both count.
        """
        wanted = [fact for fact in FACT_SQL if fact in rules.needs]
        facts = {"company_id": None, "interest_category_ids": set(), "purchased_category_ids": set(),
                 "viewed_category_days": {}, "viewed_category_counts": {}}
        if not (partner_id and (wanted or "segments" in rules.needs)) and not (visitor_id and "viewed" in wanted):
            return facts
        # FACT_SQL holds constant SQL only: every value is a bound parameter
        self.env.cr.execute("""
            SELECT me.company, %s
              FROM (SELECT %%(partner)s::int AS id,
                           (SELECT commercial_partner_id FROM res_partner WHERE id = %%(partner)s) AS company) me
        """ % ", ".join([FACT_SQL[fact] for fact in wanted] or ["NULL"]),
            {"partner": partner_id, "visitor": visitor_id or 0, "days": rules.viewed_days})
        company_id, *values = self.env.cr.fetchone()
        row = dict(zip(wanted, values))
        facts["company_id"] = company_id
        facts["country_code"] = row.get("country")
        facts["interest_category_ids"] = set(row.get("interests") or ())
        facts["purchased_category_ids"] = set(row.get("purchased") or ())
        for category, days, views in row.get("viewed") or ():
            facts["viewed_category_days"][category] = days
            facts["viewed_category_counts"][category] = views
        return facts

    def _ecrm_segments(self, partner_id):
        Segment = self.env["ecrm.segment"].sudo()
        for method in ("ecrm_segment_ids_of_partner", "_segment_ids_of_partner"):
            if hasattr(Segment, method):
                return set(getattr(Segment, method)(partner_id))
        return set()

    # ---- QWeb hooks: public for the templates, they answer nothing outside a page (see _ecrm_page) ----

    @api.multi
    def ecrm_block(self, placement):
        """The compiled rule whose content fills a placement on this page, or False."""
        if not self._ecrm_page():
            return False
        try:
            return self._ecrm_slot(("block", placement))
        except Exception as error:  # a broken rule never breaks the page
            self._ecrm_fail(error)
            return False

    def _ecrm_slot(self, slot):
        """The rule that won ``slot`` if the visitor is in its treatment arm.

        Either arm counts as one impression of the rule on this page view, so treatment
        and control are counted alike: where the slot is on the page.
        """
        rule, arm = self._ecrm_decision().claimed(slot)
        if rule:
            self._ecrm_state()["shown" if arm == "treatment" else "held"].add(rule["id"])
        return rule if arm == "treatment" else None

    @api.multi
    def ecrm_block_html(self, rule):
        """The block's HTML for visitors, from the per-worker cache; editors get the field itself.

        Only the rule this page's block shows: ``rule`` is what ecrm_block gave the template.
        """
        if not (self._ecrm_page() and self._ecrm_shows(rule)):
            return ""
        content = self.env["ecrm.personalisation.rule"]._content_html(rule["id"], self.env.lang)
        return self.env["ir.qweb.field.html"].value_to_html(content, {"template_options": {}})

    @api.multi
    @api.returns("ecrm.personalisation.rule")
    def ecrm_rule_record(self, rule):
        """The rule behind a block, for the website editor's t-field (designers may write it)."""
        Rule = self.env["ecrm.personalisation.rule"]
        if not (self._ecrm_page() and self._ecrm_shows(rule)):
            return Rule
        # sudo: visitors cannot read rules; this is only the rule this page's block shows (checked above)
        return Rule.sudo().browse(rule["id"])

    def _ecrm_shows(self, rule):
        """Whether ``rule`` (a compiled rule) is one this page put in a block."""
        return isinstance(rule, dict) and rule.get("id") in self._ecrm_state()["shown"]

    @api.multi
    @api.returns("product.template")
    def ecrm_promoted_products(self, limit=4):
        """Products the winning promotion rule puts forward, as the visitor may see them."""
        if not self._ecrm_page():
            return self.env["product.template"]
        rule = None
        try:
            rule = self._ecrm_slot(("promotion",))
            if not rule:
                return self.env["product.template"]
            top_sellers = {}
            if rule["actions"]["promote"] == "top_sellers":
                category = engine.most_viewed_category(self._ecrm_state()["profile"])
                if category:
                    top_sellers[category] = self._ecrm_top_sellers(category, limit)
            ids = engine.promoted_product_ids(rule, self._ecrm_state()["profile"], top_sellers, limit)
            published = self.env["product.template"].search([("id", "in", ids), ("website_published", "=", True)])
            return published.sorted(lambda product: ids.index(product.id))
        except Exception as error:
            self._ecrm_fail(error, rule["id"] if rule else None)
            return self.env["product.template"]

    def _ecrm_top_sellers(self, category_id, limit):
        self.env.cr.execute("""
            SELECT pp.product_tmpl_id FROM sale_order_line l
              JOIN sale_order o ON o.id = l.order_id AND o.state IN ('sale', 'done')
              JOIN product_product pp ON pp.id = l.product_id
              JOIN product_public_category_product_template_rel rel
                ON rel.product_template_id = pp.product_tmpl_id AND rel.product_public_category_id = %s
          GROUP BY pp.product_tmpl_id ORDER BY SUM(l.product_uom_qty) DESC, pp.product_tmpl_id LIMIT %s
        """, (category_id, limit))
        return [row[0] for row in self.env.cr.fetchall()]

    def _ecrm_fail(self, error, rule_id=None):
        """Log, disable the rule at fault when we know it, and show the page without personalisation."""
        _logger.error("Personalisation failed on %s: %s", request.httprequest.path, error)
        if rule_id:
            self.env["ecrm.personalisation.rule"]._disable_broken(rule_id, error)
        self._ecrm_state()["decision"] = engine.Decision()

    @api.multi
    def get_current_pricelist(self):
        """A matching rule's pricelist holds for the rest of the session; the customer's own choice wins."""
        if request and not request.session.get("website_sale_current_pl"):
            pricelist = self._ecrm_session_pricelist()
            if pricelist:
                return pricelist
        return super().get_current_pricelist()

    def _ecrm_session_pricelist(self):
        """The pricelist a rule gave this session, while that rule still gives it; or None.

        Remembered in the session because the rule's conditions (a UTM campaign, say)
        may hold on the landing page only.
        """
        rules = self.env["ecrm.personalisation.rule"]._compiled_rules(self.id)
        if not rules.has_pricelists:
            return None
        granted = self._ecrm_slot(("pricelist",))
        if granted:
            remembered = [granted["id"], granted["actions"]["pricelist_id"]]
            if request.session.get(SESSION_PRICELIST) != remembered:
                request.session[SESSION_PRICELIST] = remembered
        rule_id, pricelist_id = request.session.get(SESSION_PRICELIST) or (None, None)
        if not any(rule["id"] == rule_id and rule["actions"]["pricelist_id"] == pricelist_id for rule in rules):
            return None
        pricelist = self.env["product.pricelist"].sudo().browse(pricelist_id).exists()
        usable = pricelist.active and pricelist.website_id.id in (False, self.id) and \
            pricelist.company_id.id in (False, self.company_id.id)
        return self.env["product.pricelist"].browse(pricelist_id) if usable else None


SESSION_PRICELIST = "ecrm_pricelist"  # [rule id, pricelist id] granted to this browser session

# The customer facts a rule set may read, each one column of the single SELECT in
# Website._ecrm_facts, over ``me`` (the contact's id and its company's id). Constant SQL.
FACT_SQL = OrderedDict([
    # the company's country first, else the contact's
    ("country", """(SELECT country.code FROM res_partner customer
                      JOIN res_country country ON country.id = customer.country_id
                     WHERE customer.id IN (me.id, me.company)
                  ORDER BY customer.id = me.company DESC LIMIT 1)"""),
    ("interests", """ARRAY(SELECT DISTINCT categ_id FROM ecrm_partner_interest_categ_rel
                            WHERE partner_id IN (me.id, me.company))"""),
    ("purchased", """ARRAY(SELECT DISTINCT rel.product_public_category_id
                             FROM sale_order_line line
                             JOIN sale_order sale ON sale.id = line.order_id AND sale.state IN ('sale', 'done')
                             JOIN res_partner buyer ON buyer.id = sale.partner_id
                             JOIN product_product variant ON variant.id = line.product_id
                             JOIN product_public_category_product_template_rel rel
                               ON rel.product_template_id = variant.product_tmpl_id
                            WHERE buyer.commercial_partner_id = me.company)"""),
    # [[category, days since last view, views]] over the rules' look-back window
    ("viewed", """ARRAY(SELECT ARRAY[seen.categ_id, MIN(seen.days), COUNT(*)]
                          FROM (SELECT COALESCE(view.public_categ_id, rel.product_public_category_id) AS categ_id,
                                       EXTRACT(DAY FROM (now() AT TIME ZONE 'UTC') - view.date)::int AS days
                                  FROM ecrm_page_view view
                             LEFT JOIN product_public_category_product_template_rel rel
                                    ON rel.product_template_id = view.product_tmpl_id
                                 WHERE (view.visitor_id = %(visitor)s OR view.partner_id IN (me.id, me.company))
                                   AND (view.product_tmpl_id IS NOT NULL OR view.public_categ_id IS NOT NULL)
                                   AND view.date >= (now() AT TIME ZONE 'UTC') - make_interval(days => %(days)s)
                               ) seen
                         WHERE seen.categ_id IS NOT NULL
                      GROUP BY seen.categ_id)"""),
])
