"""Two prefork servers on one database elect one queue_job runner; when the leader's node dies
(kill -9 of its process group) the other takes over and runs the jobs.

This is make cluster's runner set-up (ecrm_core server-wide, ecrm_core/jobrunner_leader.py)
without the proxy: each leader sends jobs to its own HTTP port. Runs on a copy of the test
database of its own (scripts/test.sh makes it), so the session's e2e server and its runner
never see these servers' jobs.
"""
import os
import re
import time
import xmlrpc.client

import psycopg2
import pytest

from .. import odoo_server as servers


@pytest.fixture(scope="module")
def database():
    name = os.environ.get("ECRM_ELECTION_DB")
    if not name:
        pytest.skip("ECRM_ELECTION_DB is not set: make test makes a copy of the test database for this")
    return name


@pytest.fixture(scope="module")
def conf(tmp_path_factory):
    """The suite's configuration with ecrm_core server-wide, as scripts/cluster.sh writes it."""
    text = open(servers.ODOO_CONF).read()
    text, count = re.subn(r"(?m)^server_wide_modules = .*$", "server_wide_modules = web,queue_job,ecrm_core", text)
    assert count == 1
    path = tmp_path_factory.mktemp("election") / "odoo.conf"
    path.write_text(text)
    return str(path)


@pytest.fixture(scope="module")
def nodes(database, conf):
    started = []
    try:
        for _ in range(2):
            started.append(servers.OdooServer(database, conf=conf, workers=1, elected_runner=True).start())
        yield started
    finally:
        for server in started:
            server.stop()


def pg(database):
    import configparser
    parser = configparser.ConfigParser()
    parser.read(servers.ODOO_CONF)
    options = parser["options"]
    return psycopg2.connect(dbname=database, host=options["db_host"], port=options["db_port"],
                            user=options["db_user"], password=options["db_password"])


def leaders(database):
    """Master pids holding the runner's lock (application_name 'ecrm queue_job runner (pid N)')."""
    with pg(database) as conn, conn.cursor() as cr:
        cr.execute("""SELECT activity.application_name FROM pg_locks lock
                        JOIN pg_stat_activity activity ON activity.pid = lock.pid
                       WHERE lock.locktype = 'advisory' AND lock.granted
                         AND activity.application_name LIKE 'ecrm queue_job runner%%'""")
        return [int(re.search(r"pid (\d+)", name).group(1)) for (name,) in cr.fetchall()]


def wait_for(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail("%s within %ss" % (what, timeout))


def scan_runs(server, database):
    """Queue a duplicate scan over XML-RPC and wait until its job has run."""
    common = xmlrpc.client.ServerProxy(server.url + "/xmlrpc/2/common")
    uid = common.authenticate(database, "admin", "admin", {})
    models = xmlrpc.client.ServerProxy(server.url + "/xmlrpc/2/object")

    [company_id] = models.execute_kw(database, uid, "admin", "res.users", "read", [[uid], ["company_id"]])[0][
        "company_id"][:1]

    def state():
        return models.execute_kw(database, uid, "admin", "res.company", "read",
                                 [[company_id], ["ecrm_job_state"]])[0]["ecrm_job_state"]
    wait_for(lambda: state() not in ("queued", "running"), 90, "an earlier scan did not end")
    assert models.execute_kw(database, uid, "admin", "res.company", "action_ecrm_scan_duplicates", [[company_id]])
    assert wait_for(lambda: state() in ("done", "failed") and state(), 90, "the scan job did not run") == "done"


def test_one_runner_leads_and_the_survivor_takes_over_when_its_node_dies(nodes, database):
    by_pid = {server.process.pid: server for server in nodes}
    [leader_pid] = wait_for(lambda: leaders(database), 60, "no runner took the lead")
    assert leader_pid in by_pid
    leader = by_pid[leader_pid]
    [follower] = [server for server in nodes if server is not leader]
    time.sleep(6)  # the follower stood for election at least once meanwhile
    assert leaders(database) == [leader_pid]
    scan_runs(follower, database)  # queued through the follower, run by the leader's runner
    assert "queue job runner ready" in leader.log_text()
    assert "queue job runner ready" not in follower.log_text()

    leader.kill()
    assert wait_for(lambda: leaders(database), 30, "the survivor did not take the lead") == [follower.process.pid]
    scan_runs(follower, database)
    assert "this queue_job runner leads" in follower.log_text()
