# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Server-side personalisation of a page: the profile, the decision, the placement hooks."""
import logging

from odoo import api, fields, models
from odoo.http import request

from ..personalisation import clickstream, engine

_logger = logging.getLogger(__name__)

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

    @api.multi
    def ecrm_visitor(self):
        """The consenting visitor of this request (sudo record) or None; read once per request."""
        state = self._ecrm_state()
        if not state["visitor_loaded"]:
            state["visitor_loaded"] = True
            key = request.httprequest.cookies.get(VISITOR_COOKIE)
            if key and tracking_allowed():
                visitor = self.env["ecrm.visitor"].sudo().search([("cookie_key", "=", key)], limit=1)
                state["visitor"] = visitor or None
        return state["visitor"]

    @api.multi
    def ecrm_decision(self):
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
        """The plain visitor profile the rules read; queries only what some rule needs."""
        needs = _needs(rules)
        user = self.env.user
        logged_in = user.id != self.user_id.id
        partner = user.partner_id.commercial_partner_id if logged_in else self.env["res.partner"]
        visitor = self.ecrm_visitor()
        profile = {
            "visitor_key": visitor.cookie_key if visitor else ("partner:%d" % partner.id if partner else
                                                               request.session.sid),
            "logged_in": logged_in,
            "today": fields.Date.from_string(fields.Date.context_today(self)),
            "visit_count": visitor.visit_count if visitor else 0,
            "utm": clickstream.utm_from_query(request.httprequest.args),
            "country_code": (partner.country_id.code if partner else None) or _geoip_country(),
            "pricelist_id": (request.session.get("website_sale_current_pl")
                             or (partner.property_product_pricelist.id if partner else None)),
            "partner_rule_ids": set(), "segment_ids": set(), "purchased_category_ids": set(),
            "viewed_category_days": {}, "viewed_category_counts": {}, "interest_category_ids": set(),
        }
        if partner:
            profile["partner_rule_ids"] = self.env["ecrm.personalisation.rule"]._partner_matches(rules, partner.id)
            profile["interest_category_ids"] = set(
                partner.sudo().ecrm_interest_category_ids.ids + user.partner_id.sudo().ecrm_interest_category_ids.ids)
            if "purchased" in needs:
                profile["purchased_category_ids"] = self._ecrm_purchased_categories(partner.id)
            if "segments" in needs and "ecrm.segment" in self.env:
                profile["segment_ids"] = self._ecrm_segments(partner.id)
        if "viewed" in needs and (visitor or partner):
            days, counts = self._ecrm_viewed_categories(visitor.id if visitor else 0, partner.id if partner else 0)
            profile["viewed_category_days"], profile["viewed_category_counts"] = days, counts
        return profile

    def _ecrm_purchased_categories(self, commercial_partner_id):
        self.env.cr.execute("""
            SELECT DISTINCT rel.product_public_category_id
              FROM sale_order_line l
              JOIN sale_order o ON o.id = l.order_id AND o.state IN ('sale', 'done')
              JOIN res_partner p ON p.id = o.partner_id AND p.commercial_partner_id = %s
              JOIN product_product pp ON pp.id = l.product_id
              JOIN product_public_category_product_template_rel rel ON rel.product_template_id = pp.product_tmpl_id
        """, (commercial_partner_id,))
        return {row[0] for row in self.env.cr.fetchall()}

    def _ecrm_viewed_categories(self, visitor_id, partner_id):
        self.env.cr.execute("""
            SELECT categ_id, MIN(EXTRACT(DAY FROM (now() at time zone 'UTC') - date))::int, COUNT(*)
              FROM (SELECT v.date, COALESCE(v.public_categ_id, rel.product_public_category_id) AS categ_id
                      FROM ecrm_page_view v
                 LEFT JOIN product_public_category_product_template_rel rel
                        ON rel.product_template_id = v.product_tmpl_id
                     WHERE v.visitor_id = %s OR v.partner_id = %s) seen
             WHERE categ_id IS NOT NULL GROUP BY categ_id
        """, (visitor_id, partner_id))
        rows = self.env.cr.fetchall()
        return {row[0]: row[1] for row in rows}, {row[0]: row[2] for row in rows}

    def _ecrm_segments(self, partner_id):
        Segment = self.env["ecrm.segment"].sudo()
        for method in ("ecrm_segment_ids_of_partner", "_segment_ids_of_partner"):
            if hasattr(Segment, method):
                return set(getattr(Segment, method)(partner_id))
        return set()

    # ---- QWeb hooks ----

    @api.multi
    def ecrm_block(self, placement):
        """The rule whose content fills a placement on this page (sudo record), or None."""
        try:
            decision = self.ecrm_decision()
            state = self._ecrm_state()
            rule = decision.block(placement)
            held = [rule_id for rule_id, arm in decision.impressions.items() if arm == "control"]
            state["held"].update(held)
            if not rule:
                return None
            state["shown"].add(rule["id"])
            return self.env["ecrm.personalisation.rule"].sudo().browse(rule["id"])
        except Exception as error:  # a broken rule never breaks the page
            self._ecrm_fail(error)
            return None

    @api.multi
    def ecrm_promoted_products(self, limit=4):
        """Products the winning promotion rule puts forward, as the visitor may see them."""
        rule = None
        try:
            decision = self.ecrm_decision()
            rule = decision.promotion
            if not rule:
                return self.env["product.template"]
            self._ecrm_state()["shown"].add(rule["id"])
            top_sellers = {}
            if rule["actions"]["promote"] == "top_sellers":
                category = engine.most_viewed_category(self._ecrm_state()["profile"])
                if category:
                    top_sellers[category] = self._ecrm_top_sellers(category, limit)
            ids = engine.promoted_product_ids(rule, self._ecrm_state()["profile"], top_sellers, limit)
            return self.env["product.template"].browse(ids).exists().filtered("website_published")
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
        """A matching rule may set the session pricelist; the customer's own choice still wins."""
        if request and not request.session.get("website_sale_current_pl") and _has_pricelist_rules(self):
            decision = self.ecrm_decision()
            if decision.pricelist_id:
                pricelist = self.env["product.pricelist"].sudo().browse(decision.pricelist_id).exists()
                if pricelist and pricelist.selectable:
                    return pricelist
        return super().get_current_pricelist()


def _has_pricelist_rules(website):
    rules = website.env["ecrm.personalisation.rule"]._compiled_rules(website.id)
    return any(rule["actions"]["pricelist_id"] for rule in rules)


def _needs(rules):
    needs = set()
    for rule in rules:
        conditions, actions = rule["conditions"], rule["actions"]
        if conditions.get("purchased_category_ids"):
            needs.add("purchased")
        if conditions.get("viewed_category_ids") or actions.get("promote") == "top_sellers":
            needs.add("viewed")
        if conditions.get("segment_ids"):
            needs.add("segments")
    return needs


def _geoip_country():
    geoip = request.session.get("geoip") or {}
    return geoip.get("country_code")
