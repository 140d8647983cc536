# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Filling the timeline from the host's history: messages, orders, invoices, leads.

A run counts (dry run) or logs, a page of records per job, each page in its own
transaction: the keys of timeline/host_events.py make it idempotent, so a run that died
half way, or a second run, logs only what is missing.
"""
import json
from collections import Counter

from odoo import _, api, fields, models

from odoo.addons.queue_job.job import job

PAGE_SIZE = 500
# (model, domain of the records that can imply events), in the order a run goes through them
SOURCES = (
    ("mail.message", [("model", "!=", False), ("res_id", "!=", 0), "|",
                      ("message_type", "in", ["email", "comment"]), ("mail_activity_type_id", "!=", False)]),
    ("sale.order", [("state", "in", ["sent", "sale", "done", "cancel"])]),
    ("account.invoice", [("type", "in", ["out_invoice", "out_refund"]), ("state", "in", ["open", "paid"])]),
    ("crm.lead", []),
    ("calendar.event", []),
    ("mail.mail.statistics", ["|", "|", "|", ("opened", "!=", False), ("clicked", "!=", False),
                              ("replied", "!=", False), ("bounced", "!=", False)]),
)


class EcrmTimelineBackfill(models.Model):
    _name = "ecrm.timeline.backfill"
    _inherit = ["ecrm.job.mixin"]
    _description = "Timeline backfill from the host's history"
    _order = "id desc"

    name = fields.Char(compute="_compute_name")
    dry_run = fields.Boolean(
        "Count only", default=True,
        help="Count what the run would log, per type, and log nothing.")
    record_count = fields.Integer("Records to read", readonly=True)
    counts = fields.Text("Entries per type (JSON)", readonly=True, default="{}")
    counts_display = fields.Html("Entries per type", compute="_compute_counts_display")
    entry_count = fields.Integer("Entries", compute="_compute_counts_display")

    @api.depends("dry_run")
    def _compute_name(self):
        for run in self:
            run.name = (_("Timeline count #%s") if run.dry_run else _("Timeline backfill #%s")) % (run.id or "")

    @api.depends("counts")
    def _compute_counts_display(self):
        for run in self:
            counts = json.loads(run.counts or "{}")
            run.entry_count = sum(counts.values())
            lines = "".join("<tr><td>%s</td><td class='text-right'>%d</td></tr>" % (code, number)
                            for code, number in sorted(counts.items()))
            run.counts_display = "<table class='table table-condensed'>%s</table>" % lines if lines else False

    # ---- starting ----

    @api.multi
    def action_start(self):
        """Queue the run's first page; its progress shows on the run."""
        self.ensure_one()
        total = sum(self.env[model].sudo().with_context(active_test=False).search_count(domain)
                    for model, domain in SOURCES if self._readable_source(model))
        self.write({"record_count": total, "counts": "{}"})
        self._ecrm_job_enqueue("_ecrm_job_backfill", 0, 0,
                               description=_("%s: %s") % (self.name, SOURCES[0][0]))
        return True

    @api.model
    def backfill(self, dry_run=True):
        """XML-RPC: start a run (a count by default); returns its id, to read its progress and counts."""
        run = self.create({"dry_run": bool(dry_run)})
        run.action_start()
        return run.id

    # ---- one page per job ----

    @job(default_channel="root.ecrm")
    @api.multi
    def _ecrm_job_backfill(self, source_index, after_id):
        self.ensure_one()
        with self._ecrm_job_tracking() as progress:
            model, domain = SOURCES[source_index]
            records = self._page(model, domain, after_id)
            counts = Counter(json.loads(self.counts or "{}"))
            counts.update(self._log_page(records))
            done = self.ecrm_job_done + len(records)
            self.write({"counts": json.dumps(counts, sort_keys=True)})
            progress.update(done, max(self.record_count, done), force=True)
            if len(records) == PAGE_SIZE:
                progress.then("_ecrm_job_backfill", source_index, records[-1].id)
            elif source_index + 1 < len(SOURCES):
                progress.then("_ecrm_job_backfill", source_index + 1, 0)
        return _("%d records read, %d entries") % (len(records), sum(counts.values()))

    @api.model
    def _readable_source(self, model):
        """Whether the database has ``model`` and an add-on tells its events (mass mailing statistics
        need ecrm_marketing)."""
        return model in self.env and hasattr(self.env[model], "_ecrm_timeline_rows")

    @api.model
    def _page(self, model, domain, after_id):
        if not self._readable_source(model):
            return self.env["res.partner"].browse()
        return self.env[model].sudo().with_context(active_test=False).search(
            domain + [("id", ">", after_id)], order="id", limit=PAGE_SIZE)

    @api.multi
    def _log_page(self, records):
        """{type code: entries} the page logs (or, in a dry run, would log)."""
        if not records:
            return {}
        Interaction = self.env["ecrm.interaction"].with_context(ecrm_history=True)
        new_rows = Interaction._host_rows_to_log(records._ecrm_timeline_rows())
        if new_rows and not self.dry_run:
            Interaction.sudo()._log_many(new_rows, host_keys=True)
        return Counter(row["interaction_type"] for row in new_rows)
