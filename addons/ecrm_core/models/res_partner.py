# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools.sql import create_index

from ..customer360 import rfm
from ..customer360.clock import local_date_sql
from ..customer360.currency_sql import converted_rows
from ..customer360.sql_arrays import array_literal
from ..quality import checks, score
from .ecrm_consent import CONSENT_CHANNELS, CONSENT_SOURCES, CONSENT_STATES, OPT_OUT_SYNC, trusted_context
from .ecrm_interaction import CHANNEL_SELECTION
from .ecrm_quality_rule import failed_rules

RFM_SEGMENTS = [(code, code.replace("_", " ").capitalize()) for code in rfm.SEGMENTS]
STAFF = "ecrm_core.group_ecrm_user"  # who may read the eCRM figures on a customer
QUALITY_BANDS = [("poor", "Poor (0-49)"), ("fair", "Fair (50-79)"), ("good", "Good (80-100)")]
ORDER_COLUMNS = ("order_count", "revenue", "avg_order_value", "first_order_date", "last_order_date",
                 "days_since_last_order", "recency_score", "frequency_score", "monetary_score",
                 "rfm_segment", "lifetime_value", "currency_id")
INTERACTION_COLUMNS = ("interaction_count", "last_interaction_date", "preferred_channel")
COLUMN_TYPES = {  # SQL array types of the ecrm_* columns written in bulk (int unless listed)
    "first_order_date": "date", "last_order_date": "date", "revenue": "numeric", "avg_order_value": "numeric",
    "lifetime_value": "numeric", "rfm_segment": "varchar", "last_interaction_date": "timestamp",
    "preferred_channel": "varchar", "quality_band": "varchar", "quality_issues": "text", "quality_flagged": "bool",
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ---- customer 360: stored, written in set-based batches by ecrm_recompute_360 ----
    # STAFF figures (README "Access"): eCRM Users and Managers only, whoever may read the
    # customer. The host refuses reading and writing them to others (base.py: grouping too)
    # and strips them from their views. Not copied: a duplicate has no orders of its own.
    ecrm_order_count = fields.Integer("Orders", readonly=True, copy=False, groups=STAFF)
    ecrm_revenue = fields.Monetary("Revenue", readonly=True, currency_field="currency_id", copy=False,
                                   groups=STAFF, help="Confirmed sales before tax, in company currency.")
    ecrm_avg_order_value = fields.Monetary("Average order", readonly=True, currency_field="currency_id",
                                           copy=False, groups=STAFF)
    ecrm_first_order_date = fields.Date("First order", readonly=True, copy=False, groups=STAFF)
    ecrm_last_order_date = fields.Date("Last order", readonly=True, copy=False, groups=STAFF)
    ecrm_days_since_last_order = fields.Integer("Days since last order", readonly=True, copy=False, groups=STAFF)
    ecrm_recency_score = fields.Integer("Recency (1-5)", readonly=True, copy=False, groups=STAFF)
    ecrm_frequency_score = fields.Integer("Frequency (1-5)", readonly=True, copy=False, groups=STAFF)
    ecrm_monetary_score = fields.Integer("Monetary (1-5)", readonly=True, copy=False, groups=STAFF)
    ecrm_rfm_segment = fields.Selection(RFM_SEGMENTS, "RFM segment", readonly=True, index=True, copy=False,
                                        groups=STAFF)
    ecrm_lifetime_value = fields.Monetary("Lifetime value", readonly=True, currency_field="currency_id",
                                          copy=False, groups=STAFF,
                                          help="Expected revenue over the company's horizon (Settings).")
    ecrm_interaction_count = fields.Integer("Interactions", readonly=True, copy=False, groups=STAFF)
    ecrm_last_interaction_date = fields.Datetime("Last interaction", readonly=True, copy=False, groups=STAFF)
    ecrm_preferred_channel = fields.Selection(
        CHANNEL_SELECTION, "Preferred channel", readonly=True, copy=False, groups=STAFF,
        help="The channel this customer most often contacts you through.")
    ecrm_sector_id = fields.Many2one("ecrm.sector", "Sector", index=True)
    ecrm_data_quality_score = fields.Integer("Data quality", readonly=True, default=100,
                                             group_operator="avg", copy=False, groups=STAFF)
    ecrm_quality_band = fields.Selection(QUALITY_BANDS, "Quality band", readonly=True, copy=False, groups=STAFF)
    ecrm_quality_issues = fields.Text("Data quality issues", readonly=True, copy=False, groups=STAFF)
    ecrm_quality_flagged = fields.Boolean("Looks like junk", readonly=True, copy=False, groups=STAFF,
                                          help="Placeholder name, keyboard mash or disposable e-mail.")

    # ---- consent: the current state per channel, kept stored for segment domains ----
    ecrm_consent_ids = fields.One2many("ecrm.consent", "partner_id", "Marketing consent")
    ecrm_consent_email = fields.Selection(CONSENT_STATES, "E-mail consent", compute="_compute_ecrm_consent",
                                          store=True, index=True)
    ecrm_consent_phone = fields.Selection(CONSENT_STATES, "Phone consent", compute="_compute_ecrm_consent",
                                          store=True)
    ecrm_consent_post = fields.Selection(CONSENT_STATES, "Post consent", compute="_compute_ecrm_consent",
                                         store=True)
    ecrm_consent_sms = fields.Selection(CONSENT_STATES, "SMS consent", compute="_compute_ecrm_consent",
                                        store=True)

    # ---- what the 360 tab lists (not stored) ----
    ecrm_recent_interaction_ids = fields.Many2many(
        "ecrm.interaction", compute="_compute_ecrm_360_lists", string="Last interactions")
    ecrm_open_opportunity_ids = fields.Many2many(
        "crm.lead", compute="_compute_ecrm_360_lists", string="Open opportunities")
    ecrm_open_quotation_ids = fields.Many2many(
        "sale.order", compute="_compute_ecrm_360_lists", string="Open quotations")
    ecrm_unpaid_invoice_ids = fields.Many2many(
        "account.invoice", compute="_compute_ecrm_360_lists", string="Unpaid invoices")


    def init(self):
        # contacts found by e-mail (a lead's or a mailing contact's sender) in one indexed query
        create_index(self.env.cr, "res_partner_ecrm_email_lower_index", self._table, ["lower(trim(email))"])
    @api.depends("ecrm_consent_ids.state", "ecrm_consent_ids.channel")
    def _compute_ecrm_consent(self):
        # the stored states are the record's own (whoever reads the customer reads them): they
        # follow the consent rows even when the change comes from someone who may not read those
        # (a salesman creating or copying a customer), hence sudo() for reading the rows only
        for partner in self:
            states = {consent.channel: consent.state for consent in partner.sudo().ecrm_consent_ids}
            for channel, _label in CONSENT_CHANNELS:
                partner["ecrm_consent_%s" % channel] = states.get(channel, "unknown")

    def _compute_ecrm_360_lists(self):
        lists = {
            # field: (model, extra domain); each list shows only what the user may read
            "ecrm_open_opportunity_ids": ("crm.lead", [("type", "=", "opportunity"), ("probability", "<", 100)]),
            "ecrm_open_quotation_ids": ("sale.order", [("state", "in", ("draft", "sent"))]),
            "ecrm_unpaid_invoice_ids": ("account.invoice", [("state", "=", "open"),
                                                            ("type", "in", ("out_invoice", "out_refund"))]),
        }
        readable = {model for model, _domain in lists.values()
                    if self.env[model].check_access_rights("read", raise_exception=False)}
        for partner in self:
            commercial = partner.commercial_partner_id
            partner.ecrm_recent_interaction_ids = self.env["ecrm.interaction"].search(
                [("commercial_partner_id", "=", commercial.id)], limit=10)
            for field, (model, domain) in lists.items():
                partner[field] = self.env[model].search(
                    [("partner_id", "child_of", commercial.id)] + domain) if model in readable else False

    # ---- consent API (used by every channel module) ----

    @api.multi
    def ecrm_set_consent(self, channel, state, source="staff", proof=None):
        """Record a consent decision for these customers on one channel (audited)."""
        if channel not in dict(CONSENT_CHANNELS) or state not in dict(CONSENT_STATES) \
                or source not in dict(CONSENT_SOURCES):
            raise ValidationError(_("Unknown consent channel %r, state %r or source %r.") % (channel, state, source))
        Consent = self.env["ecrm.consent"]
        existing = Consent.search([("partner_id", "in", self.ids), ("channel", "=", channel)])
        values = {"state": state, "source": source, "proof": proof or False}
        existing.write(values)
        for partner in self - existing.mapped("partner_id"):
            Consent.create(dict(values, partner_id=partner.id, channel=channel))
        self.env["ecrm.interaction"].log_many([{
            "partner_id": partner.id, "channel": "other", "interaction_type": "consent_%s" % state,
            "subject": _("%s consent: %s (%s)") % (dict(CONSENT_CHANNELS)[channel],
                                                 dict(CONSENT_STATES)[state], dict(CONSENT_SOURCES)[source]),
            "body": proof or False,
        } for partner in self])
        return True

    @api.model
    def _ecrm_check_consent_channel(self, channel):
        if channel not in dict(CONSENT_CHANNELS):
            raise ValidationError(_("Unknown consent channel %r.") % channel)

    @api.multi
    @api.returns("self")
    def ecrm_contactable(self, channel):
        """Batch form: the customers among these that opted in on ``channel`` (one query).

        Unknown and opted-out both mean "no" for marketing; on e-mail, so does Odoo's
        ``opt_out`` (the same fact, kept in step with consent; checked too for records
        written around the ORM), and so does an address that bounced (the host's
        ``message_bounce``, counted by its mail gateway; it starts again at 0 with a new address).
        """
        self._ecrm_check_consent_channel(channel)
        domain = [("id", "in", self.ids), ("ecrm_consent_%s" % channel, "=", "opted_in")]
        if channel == "email":
            domain += [("opt_out", "=", False), ("message_bounce", "=", 0)]
        return self.search(domain)

    @api.multi
    def ecrm_can_contact(self, channel):
        self.ensure_one()
        return bool(self.ecrm_contactable(channel))

    @api.model
    def ecrm_consent_summary(self, partner_ids, channel):
        """{'opted_in': n, 'opted_out': n, 'unknown': n} among ``partner_ids`` on ``channel``."""
        self._ecrm_check_consent_channel(channel)
        field = "ecrm_consent_%s" % channel
        summary = {state: 0 for state, _label in CONSENT_STATES}
        for group in self.read_group([("id", "in", list(partner_ids))], [field], [field]):
            summary[group[field] or "unknown"] += group["%s_count" % field]
        return summary

    # ---- timeline ----

    def _ecrm_interaction_domain(self):
        """A company sees its own timeline and its contacts'; a contact only its own."""
        self.ensure_one()
        if self.commercial_partner_id == self:
            return [("commercial_partner_id", "=", self.id)]
        return [("partner_id", "=", self.id)]

    @api.multi
    def action_view_ecrm_interactions(self):
        self.ensure_one()
        action = self.env.ref("ecrm_core.ecrm_interaction_action").read()[0]
        action["domain"] = self._ecrm_interaction_domain()
        action["context"] = {"default_partner_id": self.id}
        # a customer's timeline opens as the feed; the list, calendar and pivot stay a click away
        action["views"] = sorted(action["views"], key=lambda view: view[1] != "kanban")
        return action

    @api.multi
    def action_ecrm_recompute_360(self):
        self.ecrm_recompute_360(self.ids)
        return True

    # ---- who may recompute (the figures are written by SQL, so the ORM checks nothing) ----

    @api.model
    def _ecrm_is_manager(self):
        return self.env.uid == SUPERUSER_ID or self.env.user.has_group("ecrm_core.group_ecrm_manager")

    @api.model
    def _ecrm_check_recompute(self, partner_ids):
        """eCRM Users recompute customers they may read; everyone at once (None) is the Manager's."""
        if partner_ids is None:
            if not self._ecrm_is_manager():
                raise AccessError(_("Only an eCRM manager may recompute every customer."))
            return
        if not (self._ecrm_is_manager() or self.env.user.has_group("ecrm_core.group_ecrm_user")):
            raise AccessError(_("Only eCRM users may recompute customer figures."))
        # the caller's record rules on the customers named (AccessError names none of them)
        self.browse(list(partner_ids)).exists().check_access_rule("read")

    # ---- set-based recompute: one grouped query per figure, one UPDATE per figure set ----

    @api.model
    def ecrm_recompute_360(self, partner_ids=None):
        """Recompute the 360 figures of ``partner_ids`` (their companies), or of every customer.

        Everyone (no ids) ranks the whole population into RFM quintiles and caches the cut
        points on the reporting company; given customers are scored against those cached cut
        points from their own orders alone (the first time, with none cached, everyone is ranked).
        Returns the number of customers whose order figures were written.
        eCRM Users may recompute customers they can read; everyone is the eCRM Manager's.
        """
        self._ecrm_check_recompute(partner_ids)
        return self._ecrm_recompute_360(partner_ids)

    @api.model
    def _ecrm_recompute_360(self, partner_ids=None):
        """``ecrm_recompute_360`` without the rights check, for the suite's own triggers (an order
        confirmed, customers merged) that run under the rights of the change that caused them."""
        scope = self._ecrm_scope(partner_ids)
        orders = self._ecrm_order_figures(scope)
        interactions = self._ecrm_interaction_figures(scope)
        # one UPDATE for both sets: each row version written once, not twice
        columns = ORDER_COLUMNS + INTERACTION_COLUMNS
        no_orders, no_interactions = dict.fromkeys(ORDER_COLUMNS), dict.fromkeys(INTERACTION_COLUMNS)
        rows = []
        for pid in set(orders) | set(interactions):
            merged = dict(orders.get(pid, no_orders), **interactions.get(pid, no_interactions))
            rows.append((pid,) + tuple(merged[column] for column in columns))
        self._ecrm_bulk_update(rows, ("id",) + columns)
        self._ecrm_reset_lapsed_customers(scope, orders)
        self.invalidate_cache()
        return len(orders)

    @api.model
    def _ecrm_count_new_interactions(self, interaction_ids):
        """Timeline figures after ``interaction_ids`` were logged, updated in place.

        Counts grow by what was added and the last date only moves forward, so two
        transactions logging for one customer at once both count (a recount keeps
        whichever commits last). The preferred channel is recounted only for the
        companies that received an inbound interaction.
        """
        if not interaction_ids:
            return
        ids = list(interaction_ids)
        self.env.cr.execute("""
            WITH added AS (
                SELECT commercial_partner_id AS pid, date FROM ecrm_interaction WHERE id = ANY(%s)
                UNION ALL
                SELECT partner_id, date FROM ecrm_interaction
                 WHERE id = ANY(%s) AND partner_id <> commercial_partner_id
            ), delta AS (SELECT pid, count(*) AS n, max(date) AS last FROM added GROUP BY pid)
            UPDATE res_partner p
               SET ecrm_interaction_count = COALESCE(p.ecrm_interaction_count, 0) + delta.n,
                   ecrm_last_interaction_date = GREATEST(p.ecrm_last_interaction_date, delta.last)
              FROM delta WHERE p.id = delta.pid""", (ids, ids))
        self.env.cr.execute("""
            SELECT DISTINCT commercial_partner_id FROM ecrm_interaction
             WHERE id = ANY(%s) AND direction = 'inbound'""", (ids,))
        companies = tuple(row[0] for row in self.env.cr.fetchall())
        if companies:
            preferred = self._ecrm_preferred_channels(companies)
            self._ecrm_bulk_update([(pid, preferred.get(pid)) for pid in companies], ("id", "preferred_channel"))
        self.invalidate_cache(["ecrm_%s" % column for column in INTERACTION_COLUMNS])

    @api.model
    def _ecrm_recount_interactions(self, partner_ids):
        """Timeline figures of these customers and their companies counted afresh (after entries
        went): one with nothing left on its timeline goes back to no figures."""
        scope = self._ecrm_scope(partner_ids)
        if not scope:
            return
        figures = self._ecrm_interaction_figures(scope)
        none = {"interaction_count": 0, "last_interaction_date": None, "preferred_channel": None}
        self._ecrm_bulk_update([(pid,) + tuple(figures.get(pid, none)[column] for column in INTERACTION_COLUMNS)
                                for pid in scope], ("id",) + INTERACTION_COLUMNS)
        self.invalidate_cache(["ecrm_%s" % column for column in INTERACTION_COLUMNS])

    @api.model
    def _ecrm_scope(self, partner_ids):
        """None for everyone, else the partners and the companies they roll up to."""
        if partner_ids is None:
            return None
        if not partner_ids:
            return ()
        self.env.cr.execute(
            "SELECT id FROM res_partner WHERE id IN %s "
            "UNION SELECT commercial_partner_id FROM res_partner WHERE id IN %s",
            (tuple(partner_ids), tuple(partner_ids)))
        return tuple(row[0] for row in self.env.cr.fetchall())

    def _ecrm_order_aggregates(self, company, tz, scope=None):
        """(commercial partner, order count, revenue, first, last) for every customer, or only the
        commercial partners in ``scope``; one query.

        Revenue is in ``company``'s currency whichever company sold: each order converted at
        the rate of its order date in ``company``'s rate table (the one sale.report uses).
        Dates are the order dates in ``tz``, the timezone "today" is taken in.
        Raw SQL, so no record rule applies: the figures are the customer's whole history
        whoever triggered the recompute. A scope restricts on res_partner.commercial_partner_id
        (indexed) before grouping, so one customer's recompute reads that customer's orders only.
        """
        scope_sql = "" if scope is None else " AND partner.commercial_partner_id IN %(scope)s"
        self.env.cr.execute("""
            WITH currency_rate AS (%s),
            orders AS (%s)
            SELECT pid, count(*), sum(converted), min(date)::date, max(date)::date
              FROM orders GROUP BY pid
        """ % (self.env["res.currency"]._select_companies_rates(), converted_rows("""
                SELECT partner.commercial_partner_id AS pid, s.amount_untaxed AS amount,
                       pp.currency_id, %%(currency)s AS target_currency_id, %%(company)s AS company_id,
                       %s AS date
                  FROM sale_order s
                  JOIN res_partner partner ON partner.id = s.partner_id
                  JOIN product_pricelist pp ON pp.id = s.pricelist_id
                 WHERE s.state IN ('sale', 'done')%s""" % (local_date_sql("s.date_order", "%(tz)s"), scope_sql))),
            {"currency": company.currency_id.id, "company": company.id, "tz": tz, "scope": scope or (0,)})
        return self.env.cr.fetchall()

    def _ecrm_dated_aggregates(self, company, tz, scope):
        """``_ecrm_order_aggregates`` with revenue as a float and the dates as dates."""
        def to_date(text):  # Odoo's cursor hands dates over as 'YYYY-MM-DD' strings
            return datetime.date(int(text[:4]), int(text[5:7]), int(text[8:10]))
        return [(pid, count, float(revenue or 0.0), to_date(first), to_date(last))
                for pid, count, revenue, first, last in self._ecrm_order_aggregates(company, tz, scope)]

    def _ecrm_order_figures(self, scope):
        """{commercial partner: order figures} for ``scope`` (None: everyone).

        Everyone: ranked among themselves, and the cut points cached for the incremental path.
        A scope: its own orders only, scored against the cached cut points (last night's
        population), so the cost does not grow with the database; with none cached yet
        (fresh database) everyone is ranked once and the cut points stored.
        """
        company, tz, today = self._ecrm_360_basis()  # one currency, one timezone, for everyone
        horizon = company.ecrm_ltv_horizon_years or 3.0  # the reporting company's, like the currency
        if scope is not None and not scope:
            return {}
        thresholds = None if scope is None else company._ecrm_rfm_thresholds()
        aggregates = self._ecrm_dated_aggregates(company, tz, scope if thresholds else None)
        if thresholds is None:
            company._ecrm_store_rfm_thresholds(rfm.rfm_thresholds(aggregates))
        figures = rfm.score_customers(aggregates, today, horizon, thresholds)
        for values in figures.values():
            values["currency_id"] = company.currency_id.id
        if scope is not None and thresholds is None:
            wanted = set(scope)
            figures = {pid: values for pid, values in figures.items() if pid in wanted}
        return figures

    def _ecrm_reset_lapsed_customers(self, scope, figures):
        """Customers whose orders are all gone (cancelled, merged away) drop back to zero.

        The ones that had figures are listed first and the kept ones taken out in Python:
        an anti-join against an unnested array of every customer is planned as a nested
        loop whenever the statistics lag the bulk update just written (quadratic: minutes
        for the nightly run at 80,000 customers).
        """
        query, params = "SELECT id FROM res_partner WHERE ecrm_order_count > 0", []
        if scope is not None:
            if not scope:
                return
            query += " AND id IN %s"
            params.append(scope)
        self.env.cr.execute(query, params)
        lapsed = [row[0] for row in self.env.cr.fetchall() if row[0] not in figures]
        if lapsed:
            self.env.cr.execute("UPDATE res_partner SET %s WHERE id = ANY(%%s)" % ", ".join(
                "ecrm_%s = %s" % (column, "0" if column == "order_count" else "NULL") for column in ORDER_COLUMNS),
                (lapsed,))

    def _ecrm_interaction_figures(self, scope):
        """Companies count their contacts' interactions; contacts count their own."""
        where, params = ("", []) if scope is None else ("WHERE i.{key} IN %s", [scope])
        self.env.cr.execute("""
            SELECT i.commercial_partner_id, count(*), max(i.date) FROM ecrm_interaction i
              {where_commercial} GROUP BY i.commercial_partner_id
            UNION ALL
            SELECT i.partner_id, count(*), max(i.date) FROM ecrm_interaction i
              JOIN res_partner p ON p.id = i.partner_id AND p.commercial_partner_id <> p.id
              {where_contact} GROUP BY i.partner_id
        """.format(where_commercial=where.format(key="commercial_partner_id"),
                   where_contact=where.format(key="partner_id")), params * 2)
        counts = self.env.cr.fetchall()
        preferred = self._ecrm_preferred_channels(scope)
        return {pid: {"interaction_count": count, "last_interaction_date": last,
                      "preferred_channel": preferred.get(pid)} for pid, count, last in counts}

    def _ecrm_preferred_channels(self, scope):
        """Company -> the channel most of its inbound interactions came through (latest wins a tie)."""
        where, params = ("", []) if scope is None else ("AND i.commercial_partner_id IN %s", [scope])
        self.env.cr.execute("""
            SELECT DISTINCT ON (i.commercial_partner_id) i.commercial_partner_id, i.channel
              FROM ecrm_interaction i WHERE i.direction = 'inbound' {where}
             GROUP BY i.commercial_partner_id, i.channel
             ORDER BY i.commercial_partner_id, count(*) DESC, max(i.date) DESC
        """.format(where=where), params)
        return dict(self.env.cr.fetchall())

    def _ecrm_bulk_update(self, rows, columns):
        """UPDATE res_partner from column arrays (one parameter per column, however many rows).

        ``columns`` are ours (typed in COLUMN_TYPES), never caller input. Rows whose
        figures did not change are not rewritten: no dead tuples, no index churn.
        """
        if not rows:
            return
        arrays = ", ".join("%%s::%s[]" % COLUMN_TYPES.get(column, "int") for column in columns)
        params = [array_literal(values) for values in zip(*rows)]
        targets = ", ".join("ecrm_%s" % column for column in columns[1:])
        sources = ", ".join("v.%s" % column for column in columns[1:])
        self.env.cr.execute(
            "UPDATE res_partner p SET (%s) = ROW(%s) FROM unnest(%s) AS v(%s) "
            "WHERE p.id = v.id AND (%s) IS DISTINCT FROM (%s)"
            % (targets, sources, arrays, ", ".join(columns),
               ", ".join("p.ecrm_%s" % column for column in columns[1:]), sources),
            params)

    @api.model
    def ecrm_cron_recompute(self):
        """Nightly: queue everyone's 360 figures (days since last order move every day) and quality.

        The work is an ``ecrm.recompute.run``, in page jobs; returns its id. The cron runs as
        the administrator; over RPC only an eCRM Manager may start it.
        """
        if not self._ecrm_is_manager():
            raise AccessError(_("Only an eCRM manager may recompute every customer."))
        return self.env["ecrm.recompute.run"].start(unattended=self.env.uid == SUPERUSER_ID)

    @api.model
    def _ecrm_rank_everyone(self):
        """Cache the RFM cut points of the whole population on the reporting company: one grouped query."""
        company, tz, _today = self._ecrm_360_basis()
        company._ecrm_store_rfm_thresholds(rfm.rfm_thresholds(self._ecrm_dated_aggregates(company, tz, None)))

    @api.model
    def _ecrm_recompute_all(self):
        """Everyone's 360 figures and quality, without the rights check (callers check first)."""
        self._ecrm_recompute_360()
        self._ecrm_recompute_quality()

    # ---- data quality: blocking rules on create/write, score in batches ----

    # message_bounce: the host's mail gateway counts hard bounces of the address (its DSNs), see below
    QUALITY_FIELDS = ("name", "email", "phone", "mobile", "street", "zip", "city", "country_id", "vat",
                      "message_bounce")

    @api.model
    def create(self, vals):
        self._ecrm_check_blocking_rules([(None, vals)])
        partner = super().create(vals)
        partner._ecrm_recompute_quality(partner.ids)  # the host let the caller create it
        if vals.get("opt_out") and not self.env.context.get(OPT_OUT_SYNC):
            partner._ecrm_record_opt_out()
        return partner

    @api.multi
    def write(self, vals):
        rules = self.env["ecrm.quality.rule"]._partner_rules()
        relevant = set(self.QUALITY_FIELDS) | {rule[1] for rule in rules}
        touched = relevant & set(vals)
        if touched:
            self._ecrm_check_blocking_rules([(partner, vals) for partner in self])
        opting_out = self._ecrm_opting_out(vals)
        new_address = self._ecrm_changing_email(vals)
        result = super().write(vals)
        if new_address:
            # a new address has not bounced: the host's counter is about the old one
            new_address.sudo().write({"message_bounce": 0})
        if touched:
            self._ecrm_recompute_quality(self.ids)  # the host let the caller write them
        if opting_out:
            opting_out._ecrm_record_opt_out()
        return result

    def _ecrm_changing_email(self, vals):
        """The customers whose e-mail address this write changes, that had bounces counted."""
        if "email" not in vals or "message_bounce" in vals:
            return self.browse()
        new = (vals["email"] or "").strip().lower()
        return self.filtered(lambda partner: partner.message_bounce and (partner.email or "").strip().lower() != new)

    def _ecrm_opting_out(self, vals):
        """The customers this write opts out of e-mail (``opt_out`` set); refuses clearing ``opt_out``.

        Opting back in takes the customer's explicit consent: e-mail consent opted in (with its
        proof) clears ``opt_out``, nothing else does, so an import or a click cannot undo an
        unsubscribe.
        """
        if "opt_out" not in vals or self.env.context.get(OPT_OUT_SYNC):
            return self.browse()
        if not vals["opt_out"]:
            opting_in = self.filtered("opt_out")
            if opting_in:
                raise ValidationError(_(
                    "%s opted out of marketing e-mail. Only their explicit consent opts them back in: record "
                    "it as e-mail consent \"Opted in\" (Marketing consent), with what they agreed to and how.")
                    % ", ".join(opting_in[:5].mapped("display_name")))
            return self.browse()
        return self.filtered(lambda partner: not partner.opt_out or partner.ecrm_consent_email != "opted_out")

    def _ecrm_record_opt_out(self):
        """``opt_out`` was set on these customers: record their e-mail consent opted out, audited."""
        if not self:
            return
        source = trusted_context(self.env, "ecrm_consent_source")
        if source not in dict(CONSENT_SOURCES):
            source = "import" if self.env.context.get("import_file") else "staff"
        proof = trusted_context(self.env, "ecrm_consent_proof") or _(
            "Opt-out ticked on the customer record by %s.") % self.env.user.name
        # the caller was allowed to write opt_out on these customers (the write above checked it):
        # the consent is that same decision, recorded whatever the caller's eCRM rights, as the caller
        user_id = trusted_context(self.env, "ecrm_consent_uid") or self.env.uid
        self.sudo().with_context(**{OPT_OUT_SYNC: True, "ecrm_consent_uid": user_id}).ecrm_set_consent(
            "email", "opted_out", source, proof)

    def _ecrm_check_blocking_rules(self, changes):
        """Refuse the change if a blocking rule fails on a field being set (or on create)."""
        if self.pool._init:
            # module data being installed is not user input; its quality shows in the score.
            # (install_mode is no signal: ir.model.data sets it for every import too)
            return
        rules = [rule for rule in self.env["ecrm.quality.rule"]._partner_rules() if rule[4] == "blocking"]
        problems = []
        for partner, vals in changes:
            values = {rule[1]: partner[rule[1]] for rule in rules} if partner else {}
            values["country_id"] = partner.country_id.id if partner else False
            values.update(vals)
            checked = [rule for rule in rules if partner is None or rule[1] in vals or "country_id" in vals]
            problems += ["%s: %s" % (values.get("name") or (partner and partner.name) or _("New customer"),
                                     rule[5]) for rule in failed_rules(checked, values)]
        if problems:
            raise ValidationError("\n".join(problems))

    @api.model
    def ecrm_recompute_quality(self, partner_ids=None):
        """Score data quality 0-100 for ``partner_ids`` or everyone; one read, one update per chunk.

        eCRM Users may rescore customers they can read; everyone is the eCRM Manager's.
        """
        self._ecrm_check_recompute(partner_ids)
        return self._ecrm_recompute_quality(partner_ids)

    @api.model
    def _ecrm_recompute_quality(self, partner_ids=None):
        """``ecrm_recompute_quality`` without the rights check (create / write of the customers)."""
        rules = self.env["ecrm.quality.rule"]._partner_rules()
        rule_fields = sorted({rule[1] for rule in rules} - set(self.QUALITY_FIELDS))
        columns = ["id"] + [name for name in self.QUALITY_FIELDS] + rule_fields
        # translated before the query: _() reads the translation on this same cursor
        bounced_issue = _("E-mail address bounced: no mail is sent to it until it changes")
        query = "SELECT %s FROM res_partner" % ", ".join('"%s"' % name for name in columns)
        if partner_ids is not None:
            if not partner_ids:
                return 0
            query += " WHERE id IN %s"
        self.env.cr.execute(query, [tuple(partner_ids)] if partner_ids is not None else [])
        rows = []
        for record in self.env.cr.dictfetchall():
            record["country"] = record["country_id"]
            issues = [rule[5] for rule in failed_rules(rules, record)]
            junk = checks.junk_reasons(record["name"], record["email"])
            if record["message_bounce"]:
                # the address is invalid: it reaches the customer no more than a missing one would
                issues.append(bounced_issue)
                record["email"] = None
            value = score.quality_score(record, issues, junk)
            rows.append((record["id"], value, score.band(value), "\n".join(junk + issues) or None, bool(junk)))
        self._ecrm_bulk_update(rows, ("id", "data_quality_score", "quality_band", "quality_issues",
                                      "quality_flagged"))
        self.invalidate_cache(["ecrm_data_quality_score", "ecrm_quality_band", "ecrm_quality_issues",
                               "ecrm_quality_flagged"])
        return len(rows)
