# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Long work as OCA queue_job jobs, with its progress on the record that started it.

A model that inherits ``ecrm.job.mixin`` starts work with ``_ecrm_job_enqueue`` (from a
button or an XML-RPC method) and does it in a ``@job`` method wrapped in
``_ecrm_job_tracking()``::

    def action_import(self):
        self._ecrm_job_enqueue("_ecrm_job_import", description=_("Import %s") % self.name)

    @job(default_channel="root.ecrm")
    def _ecrm_job_import(self):
        with self._ecrm_job_tracking() as progress:
            for done, chunk in enumerate(chunks, 1):
                ...
                progress.update(done, len(chunks))

Progress lives in its own table, ``ecrm_job_progress``, one row per record, written through
a second cursor that commits at once: people see "running 40 of 100" while the job's own
transaction is still open. The job's transaction never touches that row until its very
last write (done), so the two cursors never wait on each other.
"""
import logging
import time
from contextlib import contextmanager

from psycopg2 import OperationalError

from odoo import SUPERUSER_ID, _, api, fields, models, registry
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

_logger = logging.getLogger(__name__)

JOB_STATES = [
    ("idle", "Not started"),
    ("queued", "Queued"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
]
# queue_job's own states, for a row whose job died without telling us (a killed worker)
QUEUE_JOB_STATES = {"pending": "queued", "enqueued": "queued", "started": "running",
                    "done": "done", "failed": "failed"}
PROGRESS_WRITE_INTERVAL = 1.0  # seconds: progress is for people, not a write per row


class EcrmJobProgress(models.Model):
    """Where a record's long work stands. Written by the mixin only."""

    _name = "ecrm.job.progress"
    _description = "Progress of long eCRM work"
    _log_access = False

    res_model = fields.Char(required=True, readonly=True)
    res_id = fields.Integer(required=True, readonly=True)
    state = fields.Selection(JOB_STATES, required=True, default="queued", readonly=True)
    done = fields.Integer(readonly=True)
    total = fields.Integer(readonly=True)
    message = fields.Text(readonly=True)
    job_uuid = fields.Char(readonly=True, index=True)
    user_id = fields.Many2one("res.users", readonly=True, ondelete="set null")
    queued_at = fields.Datetime(readonly=True)
    started_at = fields.Datetime(readonly=True)
    ended_at = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("record_unique", "unique(res_model, res_id)", "One progress row per record."),
    ]


class Progress:
    """Handed to the job body: ``update(done, total)`` shows how far it is."""

    def __init__(self, record):
        self._record = record
        self._last_write = 0.0
        self.done = 0
        self.total = 0
        self.next_job = None
        self.ran_inline = False
        self.failed = None

    def then(self, method_name, *args, **kwargs):
        """Queue the next chunk of the same work; it starts once this chunk's transaction commits.

        The record then shows "queued" with the count so far, not "done".
        """
        queued = getattr(self._record.with_delay(identity_key=identity_exact), method_name)(*args, **kwargs)
        if hasattr(queued, "uuid"):
            self.next_job = queued
        else:
            # test_queue_job_no_delay: the next chunk ran already, inside this one, and wrote its own end
            self.ran_inline = True
        return queued

    def fail(self, message):
        """End the work as failed without raising: the job commits what the body left (an undo)."""
        self.failed = message

    def update(self, done, total=None, force=False):
        self.done, self.total = done, self.total if total is None else total
        now = time.monotonic()
        if force or now - self._last_write >= PROGRESS_WRITE_INTERVAL:
            self._last_write = now
            self._record._ecrm_job_write_apart(state="running", done=self.done, total=self.total)


class EcrmJobMixin(models.AbstractModel):
    _name = "ecrm.job.mixin"
    _description = "Long work run as queued jobs, with progress"

    ecrm_job_state = fields.Selection(JOB_STATES, "Job", compute="_compute_ecrm_job",
                                      help="Where the record's long work stands.")
    ecrm_job_done = fields.Integer("Done", compute="_compute_ecrm_job")
    ecrm_job_total = fields.Integer("Of", compute="_compute_ecrm_job")
    ecrm_job_percent = fields.Float("Progress", compute="_compute_ecrm_job")
    ecrm_job_message = fields.Text("Job message", compute="_compute_ecrm_job")
    ecrm_job_user_id = fields.Many2one("res.users", "Started by", compute="_compute_ecrm_job")

    @api.multi
    def _compute_ecrm_job(self):
        # one query for the whole recordset; queue_job's state wins over ours while it has the
        # job: it alone knows whether the work committed, was requeued or died with its worker
        self.env.cr.execute("""
            SELECT p.res_id, p.state, p.done, p.total, p.message, p.user_id, j.state, j.exc_info
              FROM ecrm_job_progress p
              LEFT JOIN queue_job j ON j.uuid = p.job_uuid
             WHERE p.res_model = %s AND p.res_id IN %s""", (self._name, tuple(self.ids) or (0,)))
        rows = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        for record in self:
            state, done, total, message, user_id, job_state, exc_info = rows.get(
                record.id, ("idle", 0, 0, False, False, None, None))
            # a body that ended with progress.fail() is a job queue_job saw end well
            if job_state in QUEUE_JOB_STATES and not (state == "failed" and job_state == "done"):
                state = QUEUE_JOB_STATES[job_state]
                if state == "failed" and not message:
                    message = (exc_info or "").strip().splitlines()[-1:] or [_("The job failed.")]
                    message = message[0]
            record.ecrm_job_state = state
            record.ecrm_job_done = done
            record.ecrm_job_total = total
            record.ecrm_job_percent = 100.0 * done / total if total else 0.0
            record.ecrm_job_message = message
            record.ecrm_job_user_id = user_id

    # ---- starting work ----

    JOB_UNDER_WAY = ("queued", "running")

    @api.multi
    def _ecrm_job_under_way(self):
        """The records of this set whose work is queued or running (a start would be refused)."""
        return self.filtered(lambda record: record.ecrm_job_state in self.JOB_UNDER_WAY)

    @api.multi
    def _ecrm_job_enqueue(self, method_name, *args, description=None, channel=None, eta=None,
                          priority=None, **kwargs):
        """Queue ``method_name(*args, **kwargs)`` on this record as a job; refuse a second start.

        The claim is one INSERT ... ON CONFLICT on the progress row: a second click waits for
        the first's transaction and then finds the work queued, so it is refused, not doubled.
        queue_job's identity key guards the same call coming from elsewhere (two crons).
        With ``ecrm_job_unattended`` in the context (a cron's routine run) nobody is told
        when it ends: a quarter-hourly run would fill the administrator's inbox.
        """
        self.ensure_one()
        self.check_access_rule("write")
        self.env.cr.execute("""
            INSERT INTO ecrm_job_progress (res_model, res_id, state, done, total, message, user_id,
                                           queued_at, started_at, ended_at)
            VALUES (%(model)s, %(id)s, 'queued', 0, 0, NULL, %(uid)s, now() at time zone 'UTC', NULL, NULL)
            ON CONFLICT (res_model, res_id) DO UPDATE
               SET state = 'queued', done = 0, total = 0, message = NULL, user_id = %(uid)s,
                   job_uuid = NULL, queued_at = now() at time zone 'UTC', started_at = NULL, ended_at = NULL
             WHERE ecrm_job_progress.state NOT IN ('queued', 'running')
                OR NOT EXISTS (SELECT 1 FROM queue_job j WHERE j.uuid = ecrm_job_progress.job_uuid
                                  AND j.state IN ('pending', 'enqueued', 'started'))
            RETURNING id""", {"model": self._name, "id": self.id,
                              "uid": None if self.env.context.get("ecrm_job_unattended") else self.env.uid})
        if not self.env.cr.fetchone():
            raise UserError(_("%s is already being worked on; wait for it to finish.")
                            % self.display_name)
        delayed = self.with_delay(description=description, channel=channel, eta=eta,
                                  priority=priority, identity_key=identity_exact)
        queued = getattr(delayed, method_name)(*args, **kwargs)
        if hasattr(queued, "uuid"):  # not with test_queue_job_no_delay: the work ran already
            self.env.cr.execute(
                "UPDATE ecrm_job_progress SET job_uuid = %s WHERE res_model = %s AND res_id = %s",
                (queued.uuid, self._name, self.id))
        self.invalidate_cache(["ecrm_job_state"])
        return queued

    # ---- doing work ----

    @contextmanager
    def _ecrm_job_tracking(self):
        """Run a job body with its progress shown; done, retried or failed when it ends.

        A retryable error (queue_job's RetryableJobError, a serialization failure) shows the
        work as queued again; any other error as failed with its message, and the person who
        started it is told either way it ends.
        """
        self.ensure_one()
        progress = Progress(self)
        self._ecrm_job_write_apart(state="running", started=True)
        try:
            yield progress
        except (RetryableJobError, OperationalError) as error:
            if isinstance(error, OperationalError) and error.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY:
                self._ecrm_job_fail(error)
                raise
            # queue_job postpones both; it fails the job itself once max_retries is spent
            self._ecrm_job_write_apart(state="queued", message=_("Will be retried: %s") % error)
            raise
        except Exception as error:
            self._ecrm_job_fail(error)
            raise
        # Odoo's transactions are REPEATABLE READ: the job's own cursor may not update the row
        # the second cursor wrote since it began. The final counts go apart too; whether the
        # work committed is queue_job's word (it marks the job done in the job's own
        # transaction), and _compute_ecrm_job believes queue_job first.
        if progress.ran_inline:
            return
        if progress.failed:
            self._ecrm_job_write_apart(state="failed", message=progress.failed, ended=True)
            self._ecrm_job_notify(self.env, _("%s failed: %s") % (self.display_name, progress.failed))
            return
        if progress.next_job is not None:
            self._ecrm_job_write_apart(state="queued", done=progress.done, total=progress.total,
                                       job_uuid=progress.next_job.uuid)
            return
        self._ecrm_job_write_apart(state="done", done=progress.done, total=progress.total or progress.done,
                                   ended=True)
        self._ecrm_job_notify(self.env, _("%s is done.") % self.display_name)

    def _ecrm_job_fail(self, error):
        message = self._ecrm_job_error_message(error)
        self._ecrm_job_write_apart(state="failed", message=message, ended=True)
        self._ecrm_job_notify_apart(_("%s failed: %s") % (self.display_name, message))

    def _ecrm_job_error_message(self, error):
        """What a person reads: the message of a user-facing error, else the error's class."""
        text = getattr(error, "name", None) or (error.args[0] if error.args else "") or ""
        if not isinstance(text, str):
            text = str(text)
        return text.strip() or error.__class__.__name__

    def _ecrm_job_write_apart(self, state, done=None, total=None, message=None, job_uuid=None,
                              started=False, ended=False):
        """Write the progress row through its own committed cursor, visible at once."""
        sets, params = ["state = %(state)s"], {"state": state, "model": self._name, "id": self.id,
                                               "done": done, "total": total, "message": message,
                                               "uuid": job_uuid}
        if job_uuid is not None:
            sets.append("job_uuid = %(uuid)s")
        if done is not None:
            sets.append("done = %(done)s")
        if total is not None:
            sets.append("total = %(total)s")
        if message is not None or state in ("running", "done"):
            sets.append("message = %(message)s")
        if started:
            sets.append("started_at = COALESCE(started_at, now() at time zone 'UTC')")
        if ended:
            sets.append("ended_at = now() at time zone 'UTC'")
        with registry(self.env.cr.dbname).cursor() as cr:
            cr.execute("UPDATE ecrm_job_progress SET %s WHERE res_model = %%(model)s AND res_id = %%(id)s"
                       % ", ".join(sets), params)

    def _ecrm_job_notify_apart(self, text):
        with api.Environment.manage(), registry(self.env.cr.dbname).cursor() as cr:
            self._ecrm_job_notify(api.Environment(cr, SUPERUSER_ID, self.env.context), text)

    def _ecrm_job_notify(self, env, text):
        """Tell the person who started the work, in their Odoo inbox."""
        env.cr.execute("SELECT user_id FROM ecrm_job_progress WHERE res_model = %s AND res_id = %s",
                       (self._name, self.id))
        row = env.cr.fetchone()
        user = env["res.users"].sudo().browse(row and row[0]).exists()
        if not user:
            return
        record = self.with_env(env).sudo()
        if hasattr(record, "message_post"):
            record.message_post(body=text, partner_ids=[user.partner_id.id], subtype="mail.mt_note",
                                message_type="notification")
            return
        env["mail.message"].sudo().create({
            "body": text, "model": self._name, "res_id": self.id, "message_type": "notification",
            "subtype_id": env.ref("mail.mt_note").id, "partner_ids": [(4, user.partner_id.id)],
            "needaction_partner_ids": [(4, user.partner_id.id)]})
