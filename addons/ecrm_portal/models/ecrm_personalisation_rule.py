# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import safe_eval

from ..personalisation import engine
from ..personalisation.urls import is_local_path

_logger = logging.getLogger(__name__)
_PARTNER = object()  # the slot of the visitor's partner id in a cached filter query
_COMPANY_OF = "(SELECT ecrm_c.commercial_partner_id FROM res_partner ecrm_c WHERE ecrm_c.id = %s)"
_FILTER_SQL = {}  # (dbname, rule ids) -> (compiled rules, sql, params); rebuilt when the rules recompile

PLACEMENT_SELECTION = [
    ("home_banner", "Home page banner"), ("shop_top", "Top of the shop"),
    ("product_aside", "Product page, beside the product"), ("cart", "Cart"),
]


class EcrmPersonalisationRule(models.Model):
    """If every condition holds for the visitor, the actions shape the page they see."""

    _name = "ecrm.personalisation.rule"
    _inherit = ["ecrm.cached.rules.mixin"]
    _description = "Website personalisation rule"
    _order = "priority desc, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    priority = fields.Integer(default=10, help="Higher wins when several rules want the same slot.")
    date_from = fields.Date("Valid from")
    date_to = fields.Date("Valid until")
    website_id = fields.Many2one("website", help="Empty: every website.")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.user.company_id)
    split_percent = fields.Integer(
        "Treatment share (%)", default=100,
        help="Share of matching visitors who get the actions; the rest form the control group and "
             "see the default page. 100 = no control group.")
    # ---- conditions: every one that is set must hold ----
    partner_domain = fields.Char("Customer filter", default="[]",
                                 help="Domain on res.partner, e.g. [('ecrm_sector_id.code', '=', 'nhs')].")
    segment_ids = fields.Many2many(
        "ecrm.portal.segment", "ecrm_rule_segment_rel", "rule_id", "segment_id", "In segments",
        help="eCRM Marketing segments (any of them). Without eCRM Marketing no customer is in a segment, "
             "so a rule that names segments does not match.")
    purchased_category_ids = fields.Many2many(
        "product.public.category", "ecrm_rule_purchased_categ_rel", "rule_id", "categ_id", "Bought from")
    viewed_category_ids = fields.Many2many(
        "product.public.category", "ecrm_rule_viewed_categ_rel", "rule_id", "categ_id", "Viewed")
    viewed_days = fields.Integer("Viewed within (days)", default=30)
    interest_category_ids = fields.Many2many(
        "product.public.category", "ecrm_rule_interest_categ_rel", "rule_id", "categ_id", "Declared interest in")
    pricelist_ids = fields.Many2many("product.pricelist", "ecrm_rule_pricelist_rel", "rule_id", "pricelist_id")
    country_ids = fields.Many2many("res.country", "ecrm_rule_country_rel", "rule_id", "country_id")
    audience = fields.Selection(
        [("any", "Everyone"), ("logged_in", "Logged-in customers"), ("anonymous", "Anonymous visitors")],
        default="any", required=True)
    min_visits = fields.Integer()
    max_visits = fields.Integer()
    utm_source = fields.Char("UTM source")
    utm_medium = fields.Char("UTM medium")
    utm_campaign = fields.Char("UTM campaign")
    # ---- actions ----
    placement = fields.Selection(PLACEMENT_SELECTION)
    content = fields.Html(translate=True, sanitize_attributes=False,
                          help="Edit it here or on the website in edit mode.")
    cta_url = fields.Char("Call-to-action URL", help="Clicks on the block's button go here and are counted: "
                                                       "a page of this website, such as /shop.")
    promote = fields.Selection(
        [("none", "Nothing"), ("fixed", "These products"), ("top_sellers", "Top sellers of the most-viewed category")],
        default="none", required=True)
    product_ids = fields.Many2many("product.template", "ecrm_rule_product_rel", "rule_id", "product_id",
                                   "Promoted products")
    redirect_from = fields.Char("Redirect landing URL")
    redirect_to = fields.Char("Redirect to")
    pricelist_id = fields.Many2one("product.pricelist", "Session pricelist")
    last_error = fields.Text(readonly=True)
    # ---- statistics (consenting visitors only) ----
    impression_count = fields.Integer("Impressions", compute="_compute_stats",
                                      help="Page views on which the rule shaped the page.")
    control_count = fields.Integer("Control impressions", compute="_compute_stats",
                                   help="Page views on which the rule matched but was held back (control group).")
    visitor_count = fields.Integer("Visitors", compute="_compute_stats")
    control_visitor_count = fields.Integer("Control visitors", compute="_compute_stats")
    click_count = fields.Integer("Clicks", compute="_compute_stats")
    order_count = fields.Integer(
        "Ordered within 7 days", compute="_compute_stats",
        help="Visitors whose customer confirmed an order within 7 days of first seeing the rule.")
    control_order_count = fields.Integer("Control: ordered within 7 days", compute="_compute_stats")
    archived_impression_count = fields.Integer(readonly=True, default=0, help="Impressions of purged page views.")
    archived_control_count = fields.Integer(readonly=True, default=0)
    archived_click_count = fields.Integer(readonly=True, default=0)

    _sql_constraints = [
        ("split_percent_range", "CHECK (split_percent BETWEEN 0 AND 100)", "The treatment share is 0-100%."),
        ("viewed_days_range", "CHECK (viewed_days BETWEEN 0 AND 3650)", "Look back at most ten years (3650 days)."),
    ]

    @api.constrains("partner_domain")
    def _check_partner_domain(self):
        for rule in self:
            try:
                domain = safe_eval(rule.partner_domain or "[]")
                self.env["res.partner"].sudo()._where_calc(domain)
            except Exception as exc:
                raise ValidationError(_("Customer filter of %s is not a valid domain: %s") % (rule.name, exc))

    @api.constrains("cta_url")
    def _check_cta_url(self):
        # the click route only follows paths of this website: another host would be an open redirect
        for rule in self:
            if rule.cta_url and not is_local_path(rule.cta_url):
                raise ValidationError(_("The call-to-action URL must be a page of this website: a path starting "
                                        "with a single / (such as /shop), not another host."))

    @api.constrains("redirect_from", "redirect_to")
    def _check_redirect(self):
        for rule in self:
            target = rule.redirect_to
            # browsers read "//host", "/\host" and "/.//host" as another website
            if target and not is_local_path(target):
                raise ValidationError(_("Redirect only to a page of this website (a path starting with /)."))
            if target and engine.normalise_path(target) == engine.normalise_path(rule.redirect_from):
                raise ValidationError(_("A page cannot redirect to itself."))

    # ---- cache: compiled rules per worker, cleared on any change (ecrm.cached.rules.mixin) ----

    @api.model
    @tools.ormcache("website_id")
    def _compiled_rules(self, website_id):
        """Active rules of a website as an engine.RuleSet of plain dicts, once per worker and rule change."""
        rules = self.sudo().search([("website_id", "in", [False, website_id])])
        segments = rules._segment_ids_by_rule()
        return engine.RuleSet(rule._compile(segments.get(rule.id, [])) for rule in rules)

    @api.multi
    def _segment_ids_by_rule(self):
        """The segments each rule names, from the relation itself: through the segment view they
        would vanish with ecrm_marketing, and the rule would then match everyone."""
        segments = {}
        if self.ids:
            self.env.cr.execute("SELECT rule_id, segment_id FROM ecrm_rule_segment_rel WHERE rule_id IN %s",
                                (tuple(self.ids),))
            for rule_id, segment_id in self.env.cr.fetchall():
                segments.setdefault(rule_id, []).append(segment_id)
        return segments

    @api.model
    @tools.ormcache("rule_id", "lang")
    def _content_html(self, rule_id, lang):
        """A rule's content block in one language, read once per worker and rule change.

        Translations written through ir.translation clear every cache as well.
        """
        return self.sudo().with_context(lang=lang).browse(rule_id).content or ""

    @api.multi
    def _compile(self, segment_ids):
        self.ensure_one()
        domain = safe_eval(self.partner_domain or "[]")
        return {
            "id": self.id, "name": self.name, "priority": self.priority,
            "date_from": fields.Date.from_string(self.date_from) if self.date_from else None,
            "date_to": fields.Date.from_string(self.date_to) if self.date_to else None,
            "split_percent": self.split_percent,
            "partner_domain": domain,
            "conditions": {
                "has_partner_domain": bool(domain),
                "segment_ids": segment_ids,
                "purchased_category_ids": self.purchased_category_ids.ids,
                "viewed_category_ids": self.viewed_category_ids.ids,
                "viewed_days": self.viewed_days,
                "interest_category_ids": self.interest_category_ids.ids,
                "pricelist_ids": self.pricelist_ids.ids,
                "country_codes": [code for code in self.country_ids.mapped("code") if code],
                "audience": self.audience,
                "min_visits": self.min_visits, "max_visits": self.max_visits,
                "utm_source": self.utm_source, "utm_medium": self.utm_medium, "utm_campaign": self.utm_campaign,
            },
            "actions": {
                "placement": self.placement, "content": bool(self.content and self.placement),
                "cta_url": self.cta_url,
                "promote": self.promote, "product_ids": self.product_ids.ids,
                "redirect_from": self.redirect_from, "redirect_to": self.redirect_to,
                "pricelist_id": self.pricelist_id.id,
            },
        }

    @api.model
    def _partner_matches(self, compiled_rules, partner_id):
        """Ids of the rules whose customer filter accepts the partner's company: one query for the set.

        If the set fails (a filter on a field that changed type, say), each filter
        is tried alone and the broken ones are disabled.
        """
        with_domain = tuple(rule for rule in compiled_rules if rule["partner_domain"])
        if not partner_id or not with_domain:
            return set()
        try:
            return self._run_partner_filters(self._partner_filter_sql(with_domain), partner_id)
        except Exception:
            matched = set()
            for rule in with_domain:
                try:
                    matched |= self._run_partner_filters(self._partner_filter_sql((rule,)), partner_id)
                except Exception as error:
                    self._disable_broken(rule["id"], error)
            return matched

    @api.model
    def _partner_filter_sql(self, rules):
        """One row of the customer's company with a CASE per rule filter, built once per rule set and worker.

        A single-row SELECT costs the planner far less than a UNION of one query per rule.
        A filter that needs more tables than res_partner becomes an EXISTS of its own.
        """
        key = (self.env.cr.dbname,) + tuple(rule["id"] for rule in rules)
        cached = _FILTER_SQL.get(key)
        if cached and all(old is new for old, new in zip(cached[0], rules)):
            return cached[1:]
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        cases, params = [], []
        for rule in rules:
            from_clause, where_clause, where_params = Partner._where_calc(rule["partner_domain"]).get_sql()
            if from_clause == '"res_partner"':
                cases.append("CASE WHEN (%s) THEN %%s END" % (where_clause or "TRUE"))
                params += list(where_params) + [rule["id"]]
            else:
                cases.append('CASE WHEN EXISTS (SELECT 1 FROM %s WHERE "res_partner"."id" = %s AND (%s)) THEN %%s END'
                             % (from_clause, _COMPANY_OF, where_clause or "TRUE"))
                params += [_PARTNER] + list(where_params) + [rule["id"]]
        sql = 'SELECT ARRAY[%s] FROM "res_partner" WHERE "res_partner"."id" = %s' % (", ".join(cases), _COMPANY_OF)
        if len(_FILTER_SQL) > 64:
            _FILTER_SQL.clear()
        _FILTER_SQL[key] = (rules, sql, params + [_PARTNER])
        return _FILTER_SQL[key][1:]

    @api.model
    def _run_partner_filters(self, sql_and_params, partner_id):
        sql, params = sql_and_params
        with self.env.cr.savepoint():
            self.env.cr.execute(sql, [partner_id if value is _PARTNER else value for value in params])
            row = self.env.cr.fetchone()
        return {rule_id for rule_id in (row[0] if row else ()) if rule_id}

    @api.model
    def _disable_broken(self, rule_id, error):
        """A rule that errors during render is switched off and logged; the page renders without it."""
        _logger.error("Personalisation rule %s failed and is disabled: %s", rule_id, error)
        self.sudo().browse(rule_id).exists().write({"active": False, "last_error": str(error)[:2000]})

    # ---- statistics ----

    @api.depends()
    def _compute_stats(self):
        stats = {rule.id: dict.fromkeys(("treatment", "control", "visitors", "control_visitors", "clicks", "orders",
                                         "control_orders"), 0)
                 for rule in self}
        ids = [rule_id for rule_id in stats if isinstance(rule_id, int)]
        if ids:
            # one pass over the page views: each view's rule list is unnested, not matched per rule
            self.env.cr.execute("""
                WITH exposure AS (
                    SELECT shown.rule_id::int AS rule_id, view.arm, view.visitor_id, view.partner_id, view.date
                      FROM (SELECT visitor_id, partner_id, date, 'treatment' AS arm, rule_ids AS ids
                              FROM ecrm_page_view WHERE rule_ids IS NOT NULL
                            UNION ALL
                            SELECT visitor_id, partner_id, date, 'control', control_rule_ids
                              FROM ecrm_page_view WHERE control_rule_ids IS NOT NULL) view,
                           unnest(string_to_array(trim(BOTH ',' FROM view.ids), ',')) AS shown(rule_id)
                ), shown AS (
                    SELECT rule_id, arm, visitor_id, partner_id, MIN(date) AS first_seen, COUNT(*) AS views
                      FROM exposure WHERE rule_id IN %s
                  GROUP BY rule_id, arm, visitor_id, partner_id
                )
                SELECT s.rule_id, s.arm, SUM(s.views), COUNT(*),
                       COUNT(*) FILTER (WHERE EXISTS (
                           SELECT 1 FROM sale_order o JOIN res_partner p ON p.id = o.partner_id
                            WHERE p.commercial_partner_id = (SELECT commercial_partner_id FROM res_partner
                                                              WHERE id = s.partner_id)
                              AND o.state IN ('sale', 'done')
                              AND o.date_order BETWEEN s.first_seen AND s.first_seen + INTERVAL '7 days'))
                  FROM shown s GROUP BY s.rule_id, s.arm
            """, (tuple(ids),))
            for rule_id, arm, views, visitors, orders in self.env.cr.fetchall():
                prefix = "" if arm == "treatment" else "control_"
                stats[rule_id]["treatment" if arm == "treatment" else "control"] = views
                stats[rule_id][prefix + "visitors"] = visitors
                stats[rule_id][prefix + "orders"] = orders
            self.env.cr.execute("""SELECT clicked_rule_id, COUNT(*) FROM ecrm_page_view
                                   WHERE clicked_rule_id IN %s GROUP BY clicked_rule_id""", (tuple(ids),))
            for rule_id, clicks in self.env.cr.fetchall():
                stats[rule_id]["clicks"] = clicks
        for rule in self:
            figures = stats[rule.id]
            rule.impression_count = figures["treatment"] + rule.archived_impression_count
            rule.control_count = figures["control"] + rule.archived_control_count
            rule.click_count = figures["clicks"] + rule.archived_click_count
            rule.visitor_count = figures["visitors"]
            rule.control_visitor_count = figures["control_visitors"]
            rule.order_count = figures["orders"]
            rule.control_order_count = figures["control_orders"]
