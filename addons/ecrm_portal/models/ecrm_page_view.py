# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..personalisation import clickstream

# The whole tracking write of a page view, one statement: touch the visitor (found by id or
# by its cookie), on login give it the customer and merge its anonymous history, store the view.
INSERT_VIEW = """
    WITH visitor AS (
        UPDATE ecrm_visitor
           SET last_seen = %(now)s, visit_count = visit_count + %(new_visit)s,
               partner_id = COALESCE(%(partner_id)s, partner_id)
         WHERE id = %(visitor_id)s OR cookie_key = %(cookie_key)s
     RETURNING id, partner_id
    ), merged AS (
        UPDATE ecrm_page_view anonymous SET partner_id = visitor.partner_id
          FROM visitor
         WHERE %(partner_id)s IS NOT NULL AND anonymous.visitor_id = visitor.id AND anonymous.partner_id IS NULL
    )
    INSERT INTO ecrm_page_view (create_uid, create_date, write_uid, write_date, date, visitor_id, partner_id,
                                session_key, website_id, company_id, path, product_tmpl_id, public_categ_id,
                                referrer, utm_source, utm_medium, utm_campaign, rule_ids, control_rule_ids,
                                clicked_rule_id)
    SELECT %(uid)s, %(now)s, %(uid)s, %(now)s, %(now)s, visitor.id, visitor.partner_id, %(session_key)s,
           %(website_id)s, %(company_id)s, %(path)s, %(product_tmpl_id)s, %(public_categ_id)s, %(referrer)s,
           %(utm_source)s, %(utm_medium)s, %(utm_campaign)s, %(rule_ids)s, %(control_rule_ids)s, %(clicked_rule_id)s
      FROM visitor
"""
# the page view need not survive a crash: do not wait for the WAL flush at commit
LAZY_COMMIT = "SET LOCAL synchronous_commit TO OFF;"


class EcrmPageView(models.Model):
    """One page a consenting visitor saw: the raw clickstream, purged after the retention period."""

    _name = "ecrm.page.view"
    _description = "Website page view"
    _order = "date desc, id desc"
    _rec_name = "path"

    date = fields.Datetime(required=True, index=True, readonly=True)
    visitor_id = fields.Many2one("ecrm.visitor", required=True, index=True, ondelete="cascade", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", index=True, ondelete="set null", readonly=True)
    session_key = fields.Char(index=True, readonly=True, help="Hash of the browser session: groups a visit.")
    website_id = fields.Many2one("website", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    path = fields.Char(required=True, readonly=True)
    product_tmpl_id = fields.Many2one("product.template", "Product", readonly=True, index=True)
    public_categ_id = fields.Many2one("product.public.category", "Shop category", readonly=True)
    referrer = fields.Char(readonly=True)
    utm_source = fields.Char(readonly=True)
    utm_medium = fields.Char(readonly=True)
    utm_campaign = fields.Char(readonly=True)
    rule_ids = fields.Char("Rules shown", readonly=True, help="Comma-wrapped ids, e.g. ,3,7,")
    control_rule_ids = fields.Char("Rules held back (control)", readonly=True)
    clicked_rule_id = fields.Many2one("ecrm.personalisation.rule", "Click on rule", readonly=True,
                                      ondelete="set null")

    @api.model_cr
    def init(self):
        # the login merge looks for a visitor's views without a customer: usually none
        self.env.cr.execute("""CREATE INDEX IF NOT EXISTS ecrm_page_view_anonymous_visitor_index
                               ON ecrm_page_view (visitor_id) WHERE partner_id IS NULL""")

    @api.model
    def _record(self, values):
        """The tracking write of a page view, one round trip: see INSERT_VIEW.

        ``values`` names the visitor by ``visitor_id`` or by ``cookie_key`` (a cookie no
        visitor has stores nothing); ``partner_id`` is the logged-in customer, if any.
        """
        row = dict.fromkeys(("visitor_id", "cookie_key", "partner_id", "session_key", "website_id", "company_id",
                             "product_tmpl_id", "public_categ_id", "referrer", "utm_source", "utm_medium",
                             "utm_campaign", "clicked_rule_id"))
        row.update(values)
        row.update(uid=self.env.uid, now=fields.Datetime.now(), new_visit=int(bool(values.get("new_visit"))),
                   rule_ids=_wrap(values.get("rule_ids")), control_rule_ids=_wrap(values.get("control_rule_ids")),
                   path=(values["path"] or "/")[:500], referrer=(values.get("referrer") or "")[:500] or None)
        if row["product_tmpl_id"] is None:
            row["product_tmpl_id"] = clickstream.product_template_id(row["path"])
        if row["public_categ_id"] is None:
            row["public_categ_id"] = clickstream.category_id(row["path"])
        self.env.cr.execute((LAZY_COMMIT if values.get("lazy_commit") else "") + INSERT_VIEW, row)

    @api.model
    def ecrm_path_report(self, date_from, date_to=None, limit=20):
        """Entry pages, exit pages and the paths that reached the cart without an order.

        Returns plain data for the backend and for integrators:
        {"entry": [(path, sessions)], "exit": [(path, sessions)], "cart_without_order": [(path tuple, sessions)]}
        """
        self.check_access_rights("read")
        domain = [("date", ">=", date_from)] + ([("date", "<=", date_to)] if date_to else [])
        views = self.search_read(domain, ["session_key", "date", "path"], order="date, id")
        steps = [(view["session_key"] or "visitor", view["date"], view["path"]) for view in views]
        summaries = clickstream.summarise_sessions(steps)

        def top(values):
            counts = {}
            for value in values:
                counts[value] = counts.get(value, 0) + 1
            return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]

        return {
            "entry": top(summary.entry for summary in summaries),
            "exit": top(summary.exit for summary in summaries),
            "cart_without_order": top(clickstream.cart_without_order_paths(steps)),
        }

    @api.model
    def cron_purge(self, days=None):
        """Roll raw views older than the retention period into the daily aggregates, then drop them.

        It works on everyone's page views with plain SQL: the cron (as the superuser) or an eCRM Manager.
        """
        if not (self.env.user._is_superuser() or self.env.user.has_group("ecrm_core.group_ecrm_manager")):
            raise AccessError(_("Only an eCRM manager may purge page views."))
        if days is None:
            days = int(self.env["ir.config_parameter"].sudo().get_param("ecrm_portal.page_view_retention_days", 90))
        cutoff = fields.Datetime.to_string(
            fields.Datetime.from_string(fields.Datetime.now()) - datetime.timedelta(days=days))
        self.env["ecrm.page.view.daily"]._aggregate_before(cutoff)
        self.env.cr.execute("""
            WITH old AS (SELECT rule_ids, control_rule_ids, clicked_rule_id FROM ecrm_page_view WHERE date < %s),
            counts AS (
                SELECT rule_id::int AS id, SUM(shown) AS shown, SUM(held) AS held, SUM(clicks) AS clicks
                  FROM (SELECT unnest(string_to_array(trim(BOTH ',' FROM rule_ids), ',')) AS rule_id,
                               1 AS shown, 0 AS held, 0 AS clicks
                          FROM old WHERE rule_ids IS NOT NULL
                        UNION ALL
                        SELECT unnest(string_to_array(trim(BOTH ',' FROM control_rule_ids), ',')), 0, 1, 0
                          FROM old WHERE control_rule_ids IS NOT NULL
                        UNION ALL
                        SELECT clicked_rule_id::text, 0, 0, 1 FROM old WHERE clicked_rule_id IS NOT NULL) flat
              GROUP BY rule_id)
            UPDATE ecrm_personalisation_rule r
               SET archived_impression_count = COALESCE(archived_impression_count, 0) + counts.shown,
                   archived_control_count = COALESCE(archived_control_count, 0) + counts.held,
                   archived_click_count = COALESCE(archived_click_count, 0) + counts.clicks
              FROM counts WHERE counts.id = r.id
        """, (cutoff,))
        self.env.cr.execute("DELETE FROM ecrm_page_view WHERE date < %s", (cutoff,))
        purged = self.env.cr.rowcount
        self.invalidate_cache()
        self.env["ecrm.personalisation.rule"].invalidate_cache()
        return purged


def _wrap(ids):
    return ",%s," % ",".join(str(rule_id) for rule_id in sorted(ids)) if ids else None
