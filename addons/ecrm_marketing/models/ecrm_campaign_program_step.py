# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.ecrm_core.models.ecrm_interaction import CHANNEL_SELECTION

from ..campaign_maths import contact_rules
from .res_partner import DONE

TRIGGERS = [
    ("start", "Start of program"), ("delay", "Delay after previous step"),
    ("opened", "Previous e-mail opened"), ("clicked", "Previous e-mail clicked"),
    ("not_opened", "Previous e-mail not opened"), ("replied", "Previous e-mail replied"),
    ("anniversary", "Date anniversary"), ("dormancy", "No order for N days"),
    ("interaction", "Interaction on the timeline"),
]
ENGAGEMENT_COLUMNS = {"opened": "opened", "clicked": "clicked", "replied": "replied"}
ACTIONS = [
    ("email", "Send e-mail"), ("activity", "Schedule activity for the salesperson"),
    ("list_add", "Add to mailing list"), ("list_remove", "Remove from mailing list"),
    ("lead", "Create lead"), ("interaction", "Log interaction"),
]
# the consent an action needs, and whether it counts towards the frequency cap
ACTION_CONSENT = {"email": "email", "activity": "phone", "list_add": "email"}
CAPPED_ACTIONS = ("email", "activity")
# how each action shows on the customer's timeline: (channel, interaction type)
ACTION_TIMELINE = {"email": ("email", "marketing_email"), "activity": ("phone", "marketing_call_task"),
                   "list_add": ("other", "marketing_list_add"), "list_remove": ("other", "marketing_list_remove"),
                   "lead": ("other", "marketing_lead")}
ANNIVERSARY_FIELDS = [("ecrm_first_order_date", "First order date"), ("create_date", "Customer since")]


def _with_program_company(env, vals):
    """``vals`` with the company of its program (steps and participants).

    The company record rule reads a new record back as its creator (its constraints, then the
    create check) before the stored related ``company_id`` is computed: until then the record has
    no company and even its own creator may not read it. Reading the program as the caller also
    refuses records in a program the caller may not read.
    """
    if vals.get("program_id"):
        vals = dict(vals, company_id=env["ecrm.campaign.program"].browse(vals["program_id"]).company_id.id)
    return vals


class EcrmCampaignProgramStep(models.Model):
    """One step of a program: when it fires (trigger) and what it does (action)."""

    _name = "ecrm.campaign.program.step"
    _description = "Campaign program step"
    _order = "program_id, sequence, id"

    program_id = fields.Many2one("ecrm.campaign.program", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="program_id.company_id", store=True, readonly=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True)
    trigger = fields.Selection(TRIGGERS, required=True, default="start")
    delay_days = fields.Integer("Days", help="Delay: days after the previous step. Not opened: days to wait.")
    anniversary_field = fields.Selection(ANNIVERSARY_FIELDS)
    dormancy_days = fields.Integer("No order for (days)", default=180)
    trigger_type_id = fields.Many2one(
        "ecrm.interaction.type", string="Interaction", ondelete="restrict",
        help="The timeline entry that fires the step, e.g. Cart abandoned.")
    action = fields.Selection(ACTIONS, required=True, default="email")
    mail_template_id = fields.Many2one("mail.template", domain=[("model", "=", "res.partner")])
    mailing_id = fields.Many2one("mail.mass_mailing", readonly=True, copy=False,
                                 help="The tracked mailing this step's e-mails are sent through (opens, clicks).")
    activity_type_id = fields.Many2one("mail.activity.type")
    mailing_list_id = fields.Many2one("mail.mass_mailing.list")
    log_channel = fields.Selection(CHANNEL_SELECTION, default="other")
    log_type_id = fields.Many2one(
        "ecrm.interaction.type", string="Logs", ondelete="restrict",
        default=lambda self: self.env.ref("ecrm_marketing.interaction_type_marketing_note", raise_if_not_found=False),
        help="The timeline entry the step logs for each participant.")
    log_count = fields.Integer("Done", compute="_compute_log_count")

    @api.model
    def create(self, vals):
        self.check_access_rights("create")
        return super().create(_with_program_company(self.env, vals))

    @api.constrains("action", "mail_template_id", "mailing_list_id", "trigger", "trigger_type_id", "log_type_id",
                    "anniversary_field")
    def _check_settings(self):
        for step in self:
            if step.action == "email" and not step.mail_template_id:
                raise ValidationError(_("Step %s sends an e-mail: choose its template.") % step.name)
            if step.action in ("list_add", "list_remove") and not step.mailing_list_id:
                raise ValidationError(_("Step %s changes a mailing list: choose the list.") % step.name)
            if step.trigger == "interaction" and not step.trigger_type_id:
                raise ValidationError(_("Step %s waits for an interaction: give its type.") % step.name)
            if step.action == "interaction" and not step.log_type_id:
                raise ValidationError(_("Step %s logs an interaction: give its type.") % step.name)
            if step.trigger == "anniversary" and not step.anniversary_field:
                raise ValidationError(_("Step %s fires on an anniversary: choose the date.") % step.name)

    def _compute_log_count(self):
        counts = {group["step_id"][0]: group["step_id_count"] for group in self.env["ecrm.campaign.step.log"]
                  .read_group([("step_id", "in", self.ids), ("result", "=", "done")], ["step_id"], ["step_id"])}
        for step in self:
            step.log_count = counts.get(step.id, 0)

    def _previous_steps(self):
        """The steps before this one, nearest first."""
        steps = self.program_id.step_ids.sorted(lambda step: (step.sequence, step.id))
        return steps[:list(steps).index(self)].sorted(lambda step: (step.sequence, step.id), reverse=True)

    def _previous_step(self):
        return self._previous_steps()[:1]

    # ---- who is due: one query per step ----

    def _due_partners(self, now):
        """{partner id: occurrence} of the active participants this step fires for now, not yet taken.

        The occurrence is the year for an anniversary, and follows the previous
        step's otherwise, so a follow-up to a birthday e-mail also comes once a year.
        """
        self.ensure_one()
        previous = self._previous_step()
        today = fields.Datetime.from_string(now).date()
        # "previous e-mail" conditions look at the nearest e-mail step before this one
        mail_step = self._previous_steps().filtered(lambda step: step.action == "email")[:1]
        params = {"program": self.program_id.id, "step": self.id, "previous": previous.id or None, "now": now,
                  "delay": datetime.timedelta(days=self.delay_days), "mail_step": mail_step.id or None,
                  "mailing": mail_step.mailing_id.id or None, "since": self.program_id.date_start or now,
                  "occurrence": contact_rules.anniversary_occurrence(today),
                  "days": contact_rules.anniversary_days(today), "dormancy": self.dormancy_days,
                  "interaction_type": self.trigger_type_id.code}
        occurrence = "%(occurrence)s" if self.trigger == "anniversary" else "coalesce(prev.occurrence, 0)"
        # NOT IN over the step's own log becomes one hashed lookup, whatever the statistics say: a
        # correlated NOT EXISTS went row by row (10,000 x 10,000) right after a big run in one transaction
        conditions = ["p.program_id = %(program)s", "p.state = 'active'",
                      "(p.partner_id, " + occurrence + ") NOT IN "
                      "(SELECT partner_id, occurrence FROM ecrm_campaign_step_log WHERE step_id = %(step)s)"]
        if previous:
            conditions.append("prev.id IS NOT NULL")
        conditions += self._trigger_conditions("(p.partner_id, " + occurrence + ")")
        self.env.cr.execute("""
            SELECT p.partner_id, """ + occurrence + """
              FROM ecrm_campaign_participant p
              JOIN res_partner partner ON partner.id = p.partner_id
              LEFT JOIN LATERAL (
                   SELECT id, date, result, occurrence FROM ecrm_campaign_step_log
                    WHERE step_id = %(previous)s AND partner_id = p.partner_id
                    ORDER BY occurrence DESC LIMIT 1) prev ON true
             WHERE """ + " AND ".join(conditions) + " ORDER BY p.partner_id", params)
        return dict(self.env.cr.fetchall())

    def _trigger_conditions(self, taken):
        """SQL conditions of this step's trigger on participant ``p``, its previous step's log ``prev``,
        and ``taken``, the (participant, occurrence) pair; parameters as ``_due_partners`` passes them."""
        trigger = self.trigger
        if trigger == "delay":
            return ["coalesce(prev.date, p.enrolled_date) <= %(now)s::timestamp - %(delay)s"]
        if trigger in ENGAGEMENT_COLUMNS or trigger == "not_opened":
            # (participant, occurrence) sets, each one hashed lookup rather than a probe per participant
            engaged = ("SELECT sent.partner_id, sent.occurrence FROM ecrm_campaign_step_log sent "
                       "JOIN mail_mail_statistics stat "
                       "ON stat.res_id = sent.partner_id AND stat.scheduled >= sent.date "
                       "WHERE sent.step_id = %%(mail_step)s AND sent.result = 'done' "
                       "AND stat.mass_mailing_id = %%(mailing)s AND stat.model = 'res.partner' "
                       "AND stat.%s IS NOT NULL" % ENGAGEMENT_COLUMNS.get(trigger, "opened"))
            if trigger == "not_opened":
                return [taken + " IN (SELECT partner_id, occurrence FROM ecrm_campaign_step_log "
                                "WHERE step_id = %(mail_step)s AND result = 'done' "
                                "AND date <= %(now)s::timestamp - %(delay)s)",
                        taken + " NOT IN (" + engaged + ")"]
            return [taken + " IN (" + engaged + ")"]
        if trigger == "anniversary":
            column = self.anniversary_field
            if column not in dict(ANNIVERSARY_FIELDS):  # only a column name from the selection reaches the SQL
                raise ValidationError(_("Unknown anniversary date %r.") % column)
            return ["to_char(partner.{0}, 'MM-DD') = ANY(%(days)s) "
                    "AND extract(year from partner.{0}) < extract(year from %(now)s::timestamp)".format(column)]
        if trigger == "dormancy":
            return ["partner.ecrm_last_order_date IS NOT NULL AND partner.ecrm_days_since_last_order >= %(dormancy)s"]
        if trigger == "interaction":
            return ["EXISTS (SELECT 1 FROM ecrm_interaction event WHERE event.partner_id = p.partner_id "
                    "AND event.interaction_type = %(interaction_type)s "
                    "AND event.date >= coalesce(prev.date, %(since)s))"]
        return []  # start: every participant

    # ---- doing it: consent, cap, then the action, all set-based ----

    def _run(self, due, now):
        """Take this step for ``due`` ({partner id: occurrence}); returns the ids it was done for.

        Who is skipped, and why, is the rule every marketing send path shares (res_partner.py).
        """
        self.ensure_one()
        partner_ids = list(due)
        refusals = self.env["res.partner"].browse(partner_ids)._ecrm_marketing_refusals(
            ACTION_CONSENT.get(self.action), self.program_id.company_id, now, capped=self.action in CAPPED_ACTIONS)
        results = {partner_id: refusals.get(partner_id, DONE) for partner_id in partner_ids}
        done_ids = self._claim(results, due, now)
        if done_ids:
            getattr(self, "_do_%s" % self.action)(done_ids, now)
            self._log_on_timeline(done_ids, now)
        return done_ids

    def _claim(self, results, occurrences, now):
        """Write every result ({partner id: Verdict}) first; the unique (step, partner, occurrence) key
        makes a concurrent or repeated run a no-op.

        Returns the partners this run may act on.
        """
        partner_ids = list(results)
        self.env.cr.execute("""
            INSERT INTO ecrm_campaign_step_log
                   (step_id, program_id, company_id, partner_id, occurrence, result, reason, is_contact, date,
                    create_uid, create_date, write_uid, write_date)
            SELECT %(step)s, %(program)s, %(company)s, partner_id, occurrence, result, reason,
                   %(contact)s AND result = 'done', %(now)s, %(uid)s, now() at time zone 'UTC', %(uid)s,
                   now() at time zone 'UTC'
              FROM unnest(%(partners)s::int[], %(occurrences)s::int[], %(results)s::varchar[],
                          %(reasons)s::varchar[]) AS claimed(partner_id, occurrence, result, reason)
            ON CONFLICT (step_id, partner_id, occurrence) DO NOTHING
            RETURNING partner_id, result""", {
            "step": self.id, "program": self.program_id.id, "company": self.program_id.company_id.id,
            "contact": self.action in CAPPED_ACTIONS, "now": now, "uid": self.env.uid,
            "partners": partner_ids, "occurrences": [occurrences[pid] for pid in partner_ids],
            "results": [results[pid].result for pid in partner_ids],
            "reasons": [results[pid].reason for pid in partner_ids]})
        done_ids = sorted(pid for pid, result in self.env.cr.fetchall() if result == "done")
        if done_ids:
            self.env.cr.execute("""
                UPDATE ecrm_campaign_participant SET last_step_id = %s, last_step_date = %s
                 WHERE program_id = %s AND partner_id = ANY(%s)""", (self.id, now, self.program_id.id, done_ids))
        self.env["ecrm.campaign.participant"].invalidate_cache(["last_step_id", "last_step_date"])
        self.env["ecrm.campaign.step.log"].invalidate_cache()
        return done_ids

    def _utm_values(self):
        program = self.program_id
        return {"campaign_id": program.campaign_id.id, "medium_id": program.medium_id.id or False,
                "source_id": program.source_id.id or False}

    def _log_on_timeline(self, partner_ids, now):
        channel, interaction_type = ACTION_TIMELINE.get(self.action, (self.log_channel, self.log_type_id.code))
        utm = self._utm_values()
        rows = [dict(utm, partner_id=partner_id, channel=channel, interaction_type=interaction_type,
                     direction="outbound", date=now, subject="%s: %s" % (self.program_id.name, self.name),
                     company_id=self.program_id.company_id.id)
                for partner_id in partner_ids]
        Interaction = self.env["ecrm.interaction"]
        for start in range(0, len(rows), 10000):  # log_many takes at most 10,000 rows
            Interaction.log_many(rows[start:start + 10000])

    # ---- the actions ----

    def _ensure_mailing(self):
        if not self.mailing_id:
            template = self.mail_template_id
            self.mailing_id = self.env["mail.mass_mailing"].create(dict(
                self._utm_values(),
                name=template.subject or self.name,
                body_html=template.body_html or "",
                mailing_model_id=self.env.ref("base.model_res_partner").id,
                mailing_domain="[('id', 'in', [])]",  # sent by the program only, never by the mailing queue
                reply_to_mode="email",
                medium_id=self.program_id.medium_id.id or self.env.ref("utm.utm_medium_email").id,
            ))
        return self.mailing_id

    def _do_email(self, partner_ids, now):
        """Queue tracked e-mails (link tracking, UTM, open/click statistics) through the step's mailing."""
        mailing = self._ensure_mailing()
        self.env["ecrm.marketing.bulk"]._queue_mailing_mails(mailing, partner_ids, now)
        mailing.write({"state": "done", "sent_date": now})

    def _do_activity(self, partner_ids, now):
        """A call task (or the chosen activity) for each customer's salesperson, else the program's."""
        fallback = (self.program_id.user_id or self.env.user).id
        user_by_partner = {row["id"]: row["user_id"] and row["user_id"][0] or fallback
                           for row in self.env["res.partner"].browse(partner_ids).read(["user_id"])}
        self.env["ecrm.marketing.bulk"]._create_activities(
            self.activity_type_id or self.env.ref("mail.mail_activity_data_call"),
            "%s: %s" % (self.program_id.name, self.name), user_by_partner,
            fields.Date.to_string(fields.Datetime.from_string(now).date()))

    def _do_list_add(self, partner_ids, now):
        self.env["ecrm.marketing.bulk"]._add_to_mailing_list(self.mailing_list_id, partner_ids)

    def _do_list_remove(self, partner_ids, now):
        self.env["ecrm.marketing.bulk"]._remove_from_mailing_list(self.mailing_list_id, partner_ids)

    def _do_lead(self, partner_ids, now):
        Lead = self.env["crm.lead"]
        for partner in self.env["res.partner"].browse(partner_ids):
            Lead.create(dict(self._utm_values(), name="%s: %s" % (self.name, partner.name), type="lead",
                             partner_id=partner.id, user_id=(partner.user_id or self.program_id.user_id).id))

    def _do_interaction(self, partner_ids, now):
        """Nothing to do beyond the timeline entry every step writes."""
