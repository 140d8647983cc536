# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Everyone's 360 figures and data quality recomputed as jobs: ranking first, then pages.

The first job ranks the whole population once (one grouped query over the orders) and
caches the RFM cut points on the reporting company; each following job scores a page of
customers against those cut points, in its own transaction. A page written twice writes
the same figures, so a run that died half way is simply started again.
"""
from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.queue_job.job import job

PAGE_SIZE = 5000  # partners per job: about a second of work each, far inside the runner's limits


class EcrmRecomputeRun(models.Model):
    _name = "ecrm.recompute.run"
    _inherit = ["ecrm.job.mixin"]
    _description = "Recompute of every customer's 360 figures and data quality"
    _order = "id desc"

    name = fields.Char(compute="_compute_name")
    partner_count = fields.Integer("Customers to recompute", readonly=True)

    def _compute_name(self):
        for run in self:
            run.name = _("Customer figures recompute #%s") % (run.id or "")

    @api.model
    def start(self, unattended=False):
        """Queue a run unless one is under way; returns the run's id (the one under way, if any).

        eCRM Managers and administrators only, as recomputing everyone is theirs. Over XML-RPC:
        read the run's ``ecrm_job_state``, ``ecrm_job_done`` and ``ecrm_job_total`` to follow it.
        ``unattended`` (the nightly cron): nobody is told when it ends.
        """
        if not (self.env["res.partner"]._ecrm_is_manager() or self.env.user.has_group("base.group_system")):
            raise AccessError(_("Only an eCRM manager or an administrator may recompute every customer."))
        under_way = self.search([], limit=5)._ecrm_job_under_way()
        if under_way:
            return under_way[0].id
        self.env.cr.execute("SELECT count(*) FROM res_partner")
        run = self.create({"partner_count": self.env.cr.fetchone()[0]})
        run.with_context(ecrm_job_unattended=unattended)._ecrm_job_enqueue(
            "_ecrm_job_recompute", description=run.name)
        return run.id

    @job(default_channel="root.ecrm")
    @api.multi
    def _ecrm_job_recompute(self, after_id=None, done=0):
        """Rank everyone (``after_id`` None), else recompute the page of partners after ``after_id``."""
        self.ensure_one()
        Partner = self.env["res.partner"].sudo()
        with self._ecrm_job_tracking() as progress:
            if after_id is None:
                Partner._ecrm_rank_everyone()
                progress.then("_ecrm_job_recompute", 0, 0)
                return _("customers ranked")
            self.env.cr.execute("SELECT id FROM res_partner WHERE id > %s ORDER BY id LIMIT %s",
                                (after_id, PAGE_SIZE))
            page = [row[0] for row in self.env.cr.fetchall()]
            if page:
                Partner._ecrm_recompute_360(page)
                Partner._ecrm_recompute_quality(page)
            done += len(page)
            progress.update(done, max(self.partner_count, done), force=True)
            if len(page) == PAGE_SIZE:
                progress.then("_ecrm_job_recompute", page[-1], done)
                return _("%d customers recomputed so far") % done
            return _("%d customers recomputed") % done
