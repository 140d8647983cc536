# Copyright 2026 eCRM suite contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One queue_job runner per database, elected with a PostgreSQL advisory lock.

queue_job 11.0 supports a single runner per database: two runners each count the other's
jobs against their own channel capacity, and a job can sit ``enqueued`` for ever. With
several Odoo nodes on one database (``make cluster``) every node's server starts a runner,
so this module wraps ``QueueJobRunner.run``: before running, a runner takes a session
advisory lock (``pg_try_advisory_lock``) on a connection of its own to each database it
serves, the key derived from the database name. Only the holder runs; the others try again
every ``ECRM_JOB_RUNNER_ELECTION_SECONDS`` (5 s) and take over when the leader's connection
dies (its node killed: PostgreSQL ends the session and frees the lock). The leader checks its
lock connection as often; should it lose it while its process lives on (its backend
terminated, a database restart), it stops running and stands for election again, and a new
leader waits two intervals after winning before it runs, so two runners never run at once.

The patch lives in the server's main process, where queue_job starts its runner thread, so
it takes effect only when ``ecrm_core`` is in ``server_wide_modules`` (scripts/cluster.sh and
docker/ put it there). The lock logic (``LeaderLock``, ``lock_key``) is plain Python and
psycopg2, tested without Odoo.
"""
import hashlib
import logging
import os
import select
import struct
import threading

_logger = logging.getLogger(__name__)

ELECTION_SECONDS = float(os.environ.get("ECRM_JOB_RUNNER_ELECTION_SECONDS") or 5)
APPLICATION_NAME = "ecrm queue_job runner (pid %d)"


def lock_key(db_name):
    """A signed 64-bit advisory lock key, the same on every node for the same database."""
    digest = hashlib.sha1(("ecrm_core.queue_job_runner:%s" % db_name).encode("utf-8")).digest()
    return struct.unpack(">q", digest[:8])[0]


class LeaderLock(object):
    """The advisory locks of the databases one runner serves, on connections of their own.

    ``connect(db_name)`` returns a new psycopg2 connection. All or nothing: a runner leads
    only when it holds the lock of every database it serves; a failed attempt releases the
    locks it took, so two nodes trying in turn cannot each hold half.
    """

    def __init__(self, db_names, connect):
        self.db_names = sorted(db_names)
        self.connect = connect
        self.connections = {}

    def acquire(self):
        """True if this runner now holds every lock (it is the leader)."""
        try:
            for db_name in self.db_names:
                if db_name not in self.connections:
                    conn = self.connect(db_name)
                    conn.autocommit = True
                    self.connections[db_name] = conn
                with self.connections[db_name].cursor() as cr:
                    cr.execute("SELECT pg_try_advisory_lock(%s)", (lock_key(db_name),))
                    if not cr.fetchone()[0]:
                        self.release()
                        return False
            return True
        except Exception:
            _logger.warning("job runner election failed; trying again", exc_info=True)
            self.release()
            return False

    def held(self):
        """True while every lock connection is alive and still holds its lock."""
        if not self.connections or set(self.connections) != set(self.db_names):
            return False
        try:
            for db_name, conn in self.connections.items():
                with conn.cursor() as cr:
                    key = lock_key(db_name)  # a bigint key shows as classid (high half), objid (low)
                    cr.execute("""SELECT count(*) FROM pg_locks
                                   WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                                     AND classid = %s::bigint AND objid = %s::bigint AND objsubid = 1""",
                               ((key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF))
                    if not cr.fetchone()[0]:
                        return False
            return True
        except Exception:
            _logger.warning("job runner lost its lock connection", exc_info=True)
            return False

    def release(self):
        """Unlock and close the lock connections (a closed session frees its locks too, but
        only once its backend has exited, a moment after the close)."""
        for conn in self.connections.values():
            try:
                with conn.cursor() as cr:
                    cr.execute("SELECT pg_advisory_unlock_all()")
            except Exception:
                pass  # a dead session holds nothing
            try:
                conn.close()
            except Exception:
                pass
        self.connections = {}


def _sleep_unless_stopped(runner, seconds):
    """Wait ``seconds``, or less if the runner is asked to stop (its stop pipe is written)."""
    if not runner._stop:
        select.select([runner._stop_pipe[0]], [], [], seconds)


def run_as_leader(runner, original_run, lock, interval=None):
    """Run ``original_run(runner)`` only while ``lock`` is held; stand for election meanwhile."""
    interval = ELECTION_SECONDS if interval is None else interval
    while not runner._stop:
        if not lock.acquire():
            _logger.debug("another queue_job runner leads; trying again in %ss", interval)
            _sleep_unless_stopped(runner, interval)
            continue
        # A previous leader whose lock session died while its process lives on (not a killed
        # node: a terminated backend, a network cut) stops within one interval of its watchdog;
        # waiting two before running means the two never run at once.
        _sleep_unless_stopped(runner, 2 * interval)
        if runner._stop or not lock.held():
            lock.release()
            continue
        _logger.info("this queue_job runner leads for %s", ", ".join(lock.db_names))
        lost = threading.Event()
        finished = threading.Event()

        def watch():
            while not finished.wait(interval):
                if not lock.held():
                    _logger.error("queue_job runner lost its leader lock: stopping it and standing again")
                    lost.set()
                    runner._ecrm_lock_lost = True
                    runner.stop()
                    return
        watchdog = threading.Thread(target=watch, name="ecrm job runner lock watchdog", daemon=True)
        watchdog.start()
        try:
            original_run(runner)
        finally:
            finished.set()
            watchdog.join()
            lock.release()
        if not lost.is_set() or getattr(runner, "_ecrm_stopping", False):
            return
        # lost the lock, not asked to stop: drain the stop pipe and stand again
        runner._stop = False
        runner._ecrm_lock_lost = False
        while select.select([runner._stop_pipe[0]], [], [], 0)[0]:
            os.read(runner._stop_pipe[0], 512)
        _sleep_unless_stopped(runner, interval)
    lock.release()


def patch_queue_job_runner():
    """Wrap QueueJobRunner.run and .stop (once) so that only the elected runner runs."""
    from odoo.addons.queue_job.jobrunner import runner as runner_module
    from odoo.tools import config
    import psycopg2

    cls = runner_module.QueueJobRunner
    if getattr(cls.run, "_ecrm_leader", False):
        return
    original_run, original_stop = cls.run, cls.stop

    def connect(db_name):
        info = dict(runner_module._connection_info_for(db_name))
        info["application_name"] = APPLICATION_NAME % os.getpid()
        return psycopg2.connect(**info)

    def run(self):
        db_names = [name for name in (config["db_name"] or "").split(",") if name]
        if not db_names:
            _logger.warning("queue_job runner serves every database (no -d): no leader election, "
                            "so run one server only per database")
            return original_run(self)
        return run_as_leader(self, original_run, LeaderLock(db_names, connect))

    def stop(self):
        if not getattr(self, "_ecrm_lock_lost", False):
            self._ecrm_stopping = True
        return original_stop(self)

    run._ecrm_leader = True
    cls.run, cls.stop = run, stop
    fix_remove_db(runner_module.ChannelManager)


def fix_remove_db(channel_manager_class):
    """queue_job 11.0's ChannelManager.remove_db deletes from the dict it iterates.

    Its runner calls it to recover from any error (a 503 from the proxy while a node dies):
    the RuntimeError leaves the old jobs in their channels, counted as running for ever, so
    the re-initialised runner never starts the new ones (seen as jobs pending past their eta).
    """
    def remove_db(self, db_name):
        for job in list(self._jobs_by_uuid.values()):
            if job.db_name == db_name:
                job.channel.remove(job)
                del self._jobs_by_uuid[job.uuid]
    channel_manager_class.remove_db = remove_db
