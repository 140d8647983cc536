# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import namedtuple

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.queue_job.job import job

MODES = [("single", "Single step"), ("multistep", "Multistep"), ("triggered", "Event-triggered")]
STATES = [("draft", "Draft"), ("running", "Running"), ("paused", "Paused"), ("done", "Finished")]
# customers per step per job: a 10,000-member e-mail step is five jobs, each committed on its
# own and well inside the runner's request limits; a customer takes a step once whichever job
# does it (the step log's unique key), so a chunk that dies is simply done again
RUN_CHUNK = 2000


class StepsRun(namedtuple("StepsRun", "done left")):
    """What one pass over a program's steps did: {step id: customers done}, and how many are still due."""


class EcrmCampaignProgram(models.Model):
    """A campaign run as ordered steps for its participants.

    Single: the first step, once, for the segment's members. Multistep: every
    step in order. Event-triggered: live segment members and customers whose
    timeline shows a watched interaction join as events happen. The mode may
    change while running; participants and what they already received stay.
    """

    _name = "ecrm.campaign.program"
    _inherit = ["ecrm.job.mixin"]
    _description = "Campaign program"
    _order = "id desc"

    name = fields.Char(required=True)
    campaign_id = fields.Many2one("utm.campaign", required=True, index=True, ondelete="restrict")
    medium_id = fields.Many2one("utm.medium", default=lambda self: self.env.ref("utm.utm_medium_email", False))
    source_id = fields.Many2one("utm.source")
    segment_id = fields.Many2one("ecrm.segment")
    mode = fields.Selection(MODES, required=True, default="multistep")
    state = fields.Selection(STATES, required=True, default="draft", readonly=True, copy=False)
    date_start = fields.Datetime(readonly=True, copy=False)
    user_id = fields.Many2one("res.users", "Responsible", default=lambda self: self.env.user)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.user.company_id)
    step_ids = fields.One2many("ecrm.campaign.program.step", "program_id", "Steps", copy=True)
    participant_ids = fields.One2many("ecrm.campaign.participant", "program_id", "Participants")
    log_ids = fields.One2many("ecrm.campaign.step.log", "program_id", "Step results")
    participant_count = fields.Integer("Participants", compute="_compute_participant_count")

    def _compute_participant_count(self):
        counts = {group["program_id"][0]: group["program_id_count"] for group in self.env[
            "ecrm.campaign.participant"].read_group([("program_id", "in", self.ids)], ["program_id"], ["program_id"])}
        for program in self:
            program.participant_count = counts.get(program.id, 0)

    # ---- state machine: draft -> running <-> paused -> done ----

    @api.multi
    def action_start(self):
        for program in self:
            if program.state != "draft":
                raise UserError(_("Program %s has already started.") % program.name)
            if not program.step_ids:
                raise UserError(_("Program %s has no steps.") % program.name)
            program.write({"state": "running", "date_start": fields.Datetime.now()})
            if program.segment_id and program.mode != "triggered":
                program.enroll(program.segment_id._reach_ids())
        return True

    @api.multi
    def action_pause(self):
        self.filtered(lambda program: program.state == "running").write({"state": "paused"})
        return True

    @api.multi
    def action_resume(self):
        self.filtered(lambda program: program.state == "paused").write({"state": "running"})
        return True

    @api.multi
    def action_finish(self):
        self.write({"state": "done"})
        return True

    # ---- participants and runs (public: integrators call these over RPC) ----

    @api.multi
    def enroll(self, partner_ids):
        """Add customers to this program; those already in stay as they are. Returns how many joined.

        eCRM Managers only (they may change the program and create its participants). Every customer
        must be one the caller may read: otherwise nobody is enrolled (AccessError).
        """
        self.ensure_one()
        self.check_access_rights("write")
        self.check_access_rule("write")
        self.env["ecrm.campaign.participant"].check_access_rights("create")
        partner_ids = self._enrollable_partner_ids(partner_ids)
        if not partner_ids:
            return 0
        self.env.cr.execute("""
            INSERT INTO ecrm_campaign_participant
                   (program_id, partner_id, company_id, state, enrolled_date, create_uid, create_date, write_uid,
                    write_date)
            SELECT %(program)s, partner_id, %(company)s, 'active', now() at time zone 'UTC', %(uid)s,
                   now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
              FROM unnest(%(partners)s::int[]) AS partner_id
            ON CONFLICT (program_id, partner_id) DO NOTHING""", {
            "program": self.id, "company": self.company_id.id, "uid": self.env.uid,
            "partners": partner_ids})
        self.env["ecrm.campaign.participant"].invalidate_cache()
        self.invalidate_cache(["participant_ids"])
        return self.env.cr.rowcount

    @api.model
    def _enrollable_partner_ids(self, partner_ids):
        """``partner_ids`` as a list of distinct ints, once every one is a customer the caller may read."""
        if not isinstance(partner_ids, (list, tuple)) or not all(
                isinstance(partner_id, int) and not isinstance(partner_id, bool) for partner_id in partner_ids):
            raise UserError(_("Give the customers to enrol as a list of ids."))
        partner_ids = sorted(set(partner_ids))
        Partner = self.env["res.partner"].with_context(active_test=False)
        if len(Partner.browse(partner_ids).exists()) != len(partner_ids):
            raise UserError(_("Some of the customers to enrol do not exist."))
        # the participants are written in SQL below: the caller's own access rights and record rules decide
        if Partner.search_count([("id", "in", partner_ids)]) != len(partner_ids):
            raise AccessError(_("You may only enrol customers you can read: nobody was enrolled."))
        return partner_ids

    @api.multi
    def run(self, now=None):
        """Take every step that is due, in this request; returns {step id (a string): customers it was done for}.

        Safe to repeat: a customer takes each step at most once (an anniversary once a year).
        For a large audience queue the run instead (``action_run``): it works in chunk jobs.
        """
        self.check_access_rights("write")
        self.check_access_rule("write")
        now = now or fields.Datetime.now()
        done = {}
        for program in self.filtered(lambda program: program.state == "running"):
            done.update(program._run_steps(now, enroll=True).done)
        return {str(step_id): count for step_id, count in done.items()}  # XML-RPC carries string keys only

    def _run_steps(self, now, enroll, limit=None):
        """Take each step for at most ``limit`` of its due customers; says what was done and what is left."""
        self.ensure_one()
        if enroll and self.mode == "triggered" and self.segment_id:
            self.enroll(self.segment_id._reach_ids())
        steps = self.step_ids.sorted(lambda step: (step.sequence, step.id))
        if self.mode == "single":
            steps = steps[:1]
        done, left = {}, 0
        for step in steps:
            due = step._due_partners(now)
            if limit is not None and len(due) > limit:
                left += len(due) - limit
                due = {partner_id: due[partner_id] for partner_id in sorted(due)[:limit]}
            done[step.id] = len(step._run(due, now)) if due else 0
        return StepsRun(done, left)

    @api.multi
    def action_run(self):
        """Button (and RPC): queue the due steps as jobs; the program shows how far they are.

        eCRM Managers only, as ``run``: refused here, in the request, not by a job later.
        """
        self.check_access_rights("write")
        for program in self:
            if program.state != "running":
                raise UserError(_("Program %s is not running.") % program.name)
            program._queue_run()
        return True

    @api.model
    def _cron_run(self):
        """Every quarter of an hour: queue a run of each running program not already under way.

        Nobody is told when a scheduled run ends; the program's step results say what it did.
        """
        programs = self.search([("state", "=", "running")]).with_context(ecrm_job_unattended=True)
        for program in programs - programs._ecrm_job_under_way():
            program._queue_run()

    def _queue_run(self):
        """Queue the first chunk of a run taken at this moment (the button's and the cron's start)."""
        self._ecrm_job_enqueue("_ecrm_job_run", fields.Datetime.now(), description=_("Run program %s") % self.name)

    @job(default_channel="root.ecrm")
    @api.multi
    def _ecrm_job_run(self, now, done_before=0):
        """One chunk of a run: each step for up to RUN_CHUNK customers, then the next chunk if any are left.

        Every chunk takes the steps at the same ``now``, the moment the run was asked for.
        """
        if not self.exists():  # deleted since it was queued
            return _("the program was deleted: nothing to run")
        with self._ecrm_job_tracking() as progress:
            if self.state != "running":
                return _("program %s is %s: nothing to run") % (self.name, self.state)
            result = self._run_steps(now, enroll=not done_before, limit=RUN_CHUNK)
            done = done_before + sum(result.done.values())
            progress.update(done, done + result.left, force=True)
            if result.left:
                progress.then("_ecrm_job_run", now, done)
                return _("%d steps taken, %d still due") % (done, result.left)
            return _("%d steps taken") % done

    @api.model
    def _enroll_on_interactions(self, interactions):
        """Event triggers: customers whose new interactions a running triggered program watches join it."""
        steps = self.env["ecrm.campaign.program.step"].sudo().search([
            ("trigger", "=", "interaction"), ("program_id.state", "=", "running"),
            ("program_id.mode", "=", "triggered")])
        if not steps:  # most logging (e.g. a program's own 10,000 e-mails) concerns no trigger
            return
        interactions = interactions.with_context(prefetch_fields=False)
        for program in steps.mapped("program_id"):
            watched = set(steps.filtered(lambda step: step.program_id == program).mapped("trigger_type_id.code"))
            partners = interactions.filtered(lambda event: event.interaction_type in watched).mapped("partner_id")
            if program.segment_id:
                partners = partners.search([("id", "in", partners.ids)] + program.segment_id._partner_domain())
            program.enroll(partners.ids)
