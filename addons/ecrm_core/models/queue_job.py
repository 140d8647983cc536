# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""queue_job's garbage collector also requeues jobs whose worker died.

queue_job 11.0 requeues a job left ``enqueued`` (its HTTP call was lost) but never one left
``started``: a worker killed mid-job (``kill -9``, out of memory, the prefork master's real
time limit) strands it there for ever, and the runner keeps counting it against its channel
(OCA/connector#148). Under the prefork server no request, a job included, outlives
``limit_time_real``: the master kills it. So a job started longer ago than that is a dead
worker's, and its transaction was rolled back with the worker's connection; running it again
runs it once. Each such death counts as a try: a job that kills its worker every time (too
big for the limits) fails after ``max_retries`` with the reason, instead of looping.
"""
import datetime
import logging
import math

from odoo import _, api, fields, models
from odoo.tools import config

from odoo.addons.queue_job.job import Job

STARTED_TIMEOUT_PARAM = "ecrm_core.job_started_timeout_minutes"
STRANDED_REQUEUE_HOURS = 24

_logger = logging.getLogger(__name__)


class QueueJob(models.Model):
    _inherit = "queue.job"

    @api.model
    def requeue_stuck_jobs(self, enqueued_delta=5, started_delta=0):
        started_delta = started_delta or self._ecrm_started_timeout()
        if enqueued_delta:  # queue_job's own pass first: ours must not be able to stop it
            super(QueueJob, self).requeue_stuck_jobs(enqueued_delta=enqueued_delta, started_delta=0)
        if started_delta:
            self._ecrm_requeue_dead_worker_jobs(started_delta)
        return True

    @api.model
    def _ecrm_requeue_dead_worker_jobs(self, started_delta):
        """Requeue the jobs whose worker died, each death a try; fail those out of tries.

        Not queue_job's ``requeue()``: it resets the try count, and a job too big for the
        limits would then kill a worker every few minutes for ever. A job stranded for more
        than a day is failed rather than run behind everyone's back.
        """
        now = datetime.datetime.utcnow()
        cutoff = fields.Datetime.to_string(now - datetime.timedelta(minutes=started_delta))
        too_old = fields.Datetime.to_string(now - datetime.timedelta(hours=STRANDED_REQUEUE_HOURS))
        for record in self.search([("state", "=", "started"), ("date_started", "<=", cutoff)]):
            try:
                with self.env.cr.savepoint():
                    record._ecrm_take_back(too_old)
            except Exception:  # one broken job (its model gone) must not stop the others
                _logger.exception("could not take back job %s", record.uuid)

    def _ecrm_take_back(self, too_old):
        stranded = Job.load(self.env, self.uuid)
        stranded.retry += 1
        if self.date_started < too_old:
            stranded.set_failed(exc_info=_(
                "Its worker died on %s and the job was not run again since; requeue it if it is "
                "still wanted.") % self.date_started)
        elif stranded.max_retries and stranded.retry >= stranded.max_retries:
            stranded.set_failed(exc_info=_(
                "Tried %d times, the last time its worker died (killed, or over the server's time or "
                "memory limits); it was not run again.") % stranded.retry)
        else:
            stranded.set_pending(result=_("requeued: its worker died"), reset_retry=False)
        stranded.store()

    @api.model
    def _ecrm_started_timeout(self):
        """Minutes after which a started job is a dead worker's; 0 (never) on a threaded server."""
        value = self.env["ir.config_parameter"].sudo().get_param(STARTED_TIMEOUT_PARAM)
        if value and value.strip().isdigit():
            return int(value)
        if not config["workers"] or config["limit_time_real"] <= 0:
            return 0  # no real-time limit: a long job may still be running
        return math.ceil(config["limit_time_real"] / 60.0) + 1
