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
import math

from odoo import _, api, fields, models
from odoo.tools import config

from odoo.addons.queue_job.job import Job

STARTED_TIMEOUT_PARAM = "ecrm_core.job_started_timeout_minutes"


class QueueJob(models.Model):
    _inherit = "queue.job"

    @api.model
    def requeue_stuck_jobs(self, enqueued_delta=5, started_delta=0):
        started_delta = started_delta or self._ecrm_started_timeout()
        if started_delta:
            self._ecrm_requeue_dead_worker_jobs(started_delta)
        if not enqueued_delta:
            return True
        return super(QueueJob, self).requeue_stuck_jobs(enqueued_delta=enqueued_delta, started_delta=0)

    @api.model
    def _ecrm_requeue_dead_worker_jobs(self, started_delta):
        """Requeue the jobs whose worker died, each death a try; fail those out of tries.

        Not queue_job's ``requeue()``: it resets the try count, and a job too big for the
        limits would then kill a worker every few minutes for ever.
        """
        cutoff = datetime.datetime.utcnow() - datetime.timedelta(minutes=started_delta)
        dead = self.search([("state", "=", "started"), ("date_started", "<=", fields.Datetime.to_string(cutoff))])
        for record in dead:
            stranded = Job.load(self.env, record.uuid)
            stranded.retry += 1
            if stranded.max_retries and stranded.retry >= stranded.max_retries:
                stranded.set_failed(exc_info=_(
                    "The worker running this job died %d times (killed, or over the server's time or "
                    "memory limits); it was not run again.") % stranded.retry)
            else:
                stranded.set_pending(reset_retry=False)
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
