"""The queue_job runner's leader election (ecrm_core/jobrunner_leader.py) on a real PostgreSQL.

No Odoo server: the locks are taken on connections to the cluster's ``postgres`` database with
the suite's role (scripts/env.sh's ECRM_DB_* settings), under a key of a database name no
other test uses. A node's death is its session's end (pg_terminate_backend, as kill -9 ends it).
"""
import os
import threading
import time
import uuid

import psycopg2
import pytest

from odoo.addons.ecrm_core.jobrunner_leader import LeaderLock, lock_key, run_as_leader


def connect(_db_name):
    return psycopg2.connect(dbname="postgres", host=os.environ.get("ECRM_DB_HOST", "127.0.0.1"),
                            port=os.environ.get("ECRM_DB_PORT", "5432"), user=os.environ.get("ECRM_DB_USER", "ecrm"),
                            password=os.environ.get("ECRM_DB_PASSWORD", "ecrm"))


@pytest.fixture
def db_name():
    return "ecrm_lock_test_%s" % uuid.uuid4().hex


def kill_session(lock):
    """End the lock's backend from outside, as PostgreSQL does when the node's process dies."""
    pids = []
    for conn in lock.connections.values():
        pids.append(conn.get_backend_pid())
    admin = connect(None)
    admin.autocommit = True
    with admin.cursor() as cr:
        for pid in pids:
            cr.execute("SELECT pg_terminate_backend(%s)", (pid,))
        deadline = time.time() + 10  # the signal is sent; wait until the backends are gone
        while time.time() < deadline:
            cr.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", (pids,))
            if not cr.fetchone()[0]:
                break
            time.sleep(0.05)
    admin.close()


class FakeRunner:
    """What run_as_leader uses of queue_job's QueueJobRunner: _stop, its stop pipe and stop()."""

    def __init__(self, name, log):
        self.name, self.log = name, log
        self._stop = False
        self._stop_pipe = os.pipe()

    def stop(self):
        self._stop = True
        os.write(self._stop_pipe[1], b".")

    def run(self):  # the real runner's loop, as far as leadership goes: run until stopped
        self.log.append(("start", self.name))
        while not self._stop:
            time.sleep(0.05)
        self.log.append(("end", self.name))


def test_the_key_is_stable_and_per_database():
    assert lock_key("ecrm_cluster") == lock_key("ecrm_cluster")
    assert lock_key("ecrm_cluster") != lock_key("ecrm_demo")
    assert -2 ** 63 <= lock_key("ecrm_cluster") < 2 ** 63


def test_one_holder_and_a_takeover_when_its_session_dies(db_name):
    first, second = LeaderLock([db_name], connect), LeaderLock([db_name], connect)
    try:
        assert first.acquire() and first.held()
        assert not second.acquire() and not second.held()
        kill_session(first)
        assert not first.held()
        assert second.acquire() and second.held()
        assert not first.acquire()
    finally:
        first.release()
        second.release()


def test_all_or_nothing_over_several_databases(db_name):
    other = db_name + "_b"
    holder, both = LeaderLock([other], connect), LeaderLock([db_name, other], connect)
    try:
        assert holder.acquire()
        assert not both.acquire()
        assert not both.connections  # it did not keep the lock it could take
        lone = LeaderLock([db_name], connect)
        assert lone.acquire()  # so db_name's lock is free
        lone.release()
        holder.release()
        assert both.acquire() and both.held()
    finally:
        holder.release()
        both.release()


def test_two_runners_never_run_at_once_and_the_survivor_takes_over(db_name):
    log = []
    runners = [FakeRunner("a", log), FakeRunner("b", log)]
    locks = [LeaderLock([db_name], connect) for _ in runners]
    threads = [threading.Thread(target=run_as_leader, args=(runner, FakeRunner.run, lock, 0.2), daemon=True)
               for runner, lock in zip(runners, locks)]
    for thread in threads:
        thread.start()
    deadline = time.time() + 10
    while not log and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(1)  # give the other one several elections
    assert [entry[0] for entry in log] == ["start"], log
    leader = log[0][1]
    leader_index = [runner.name for runner in runners].index(leader)
    runners[leader_index]._ecrm_stopping = True  # a dead node does not stand again
    kill_session(locks[leader_index])
    deadline = time.time() + 10
    while len(log) < 3 and time.time() < deadline:
        time.sleep(0.05)
    # the leader noticed and stopped before the other started: never two at once
    assert log[:3] == [("start", leader), ("end", leader), ("start", runners[1 - leader_index].name)], log
    for runner in runners:
        runner._ecrm_stopping = True  # a real stop (the server's), as the patched stop() marks it
        runner.stop()
    for thread in threads:
        thread.join(10)
        assert not thread.is_alive()
    assert all(not lock.connections for lock in locks)


def test_a_leader_whose_lock_session_dies_stops_and_stands_again(db_name):
    log = []
    runner, lock = FakeRunner("a", log), LeaderLock([db_name], connect)
    thread = threading.Thread(target=run_as_leader, args=(runner, FakeRunner.run, lock, 0.2), daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not log and time.time() < deadline:
        time.sleep(0.05)
    kill_session(lock)
    while len(log) < 3 and time.time() < deadline + 10:
        time.sleep(0.05)
    assert log[:3] == [("start", "a"), ("end", "a"), ("start", "a")], log
    assert lock.held()
    runner._ecrm_stopping = True
    runner.stop()
    thread.join(10)
    assert not thread.is_alive() and not lock.connections


def test_a_runner_recovering_from_an_error_forgets_its_jobs():
    """queue_job 11.0's remove_db raised 'dictionary changed size during iteration' and left the
    jobs counted as running, so the re-initialised runner started no new job (fix_remove_db)."""
    from odoo.addons.queue_job.jobrunner.channels import ChannelManager
    from odoo.addons.ecrm_core.jobrunner_leader import fix_remove_db
    fix_remove_db(ChannelManager)
    manager = ChannelManager()
    manager.simple_configure("root:1")
    for seq in range(3):
        manager.notify("db", "root", "uuid-%d" % seq, seq, 0, 10, None, "started")
    manager.notify("other", "root", "uuid-other", 9, 0, 10, None, "pending")
    manager.remove_db("db")
    assert list(manager._jobs_by_uuid) == ["uuid-other"]
    assert [job.uuid for job in manager.get_jobs_to_run(0)] == ["uuid-other"]  # capacity free again
