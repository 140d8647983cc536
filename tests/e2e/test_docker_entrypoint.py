"""The container's entrypoint, run as it is (no Docker engine here): given a database made by
set-up's functions, it brings it up to this checkout and serves it the way production does,
with prefork worker processes and the cron runner (tests/unit/test_docker_in_step.py checks the
image installs what set-up installs).
"""
import os
import signal
import subprocess
import tempfile
import time
import urllib.request
import xmlrpc.client

import pytest

from ..odoo_server import REPO, free_port

ENTRYPOINT = os.path.join(REPO, "docker", "entrypoint.sh")


@pytest.fixture
def database():
    name = os.environ.get("ECRM_DOCKER_DB")
    if not name:
        pytest.skip("ECRM_DOCKER_DB is not set: make test makes a copy of the test database for this")
    return name


def children(pid):
    out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(pid)], stdout=subprocess.PIPE,
                         universal_newlines=True).stdout
    return [line.split(None, 1) for line in out.splitlines() if line.strip()]


def test_the_entrypoint_upgrades_the_database_and_serves_it_with_workers(database):
    port, longpolling = free_port(), free_port()
    with tempfile.TemporaryDirectory() as var:
        log_path = os.path.join(var, "entrypoint.log")
        env = dict(os.environ, ECRM_DEMO_DB=database, ECRM_HTTP_PORT=str(port), ECRM_VAR=var,
                   ODOO_WORKERS="2", ODOO_CRON_THREADS="1", ODOO_LONGPOLLING_PORT=str(longpolling))
        with open(log_path, "w") as log:
            process = subprocess.Popen(["bash", ENTRYPOINT], env=env, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        try:
            deadline, answered = time.time() + 600, False
            while time.time() < deadline and process.poll() is None and not answered:
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d/web/login" % port, timeout=30) as response:
                        answered = response.status == 200
                except OSError:
                    time.sleep(2)
            output = open(log_path).read()
            assert answered, "the entrypoint's server never answered (exit %s):\n%s" % (
                process.poll(), output[-3000:])
            assert "Updating eCRM modules in existing database %s" % database in output
            # exec'd into the server: the entrypoint's own process is Odoo's prefork master
            workers = [args for _pid, args in children(process.pid) if "odoo-bin" in args]
            assert len(workers) >= 3, "expected 2 HTTP workers and a cron worker, got %r" % workers
            common = xmlrpc.client.ServerProxy("http://127.0.0.1:%d/xmlrpc/2/common" % port)
            uid = common.authenticate(database, "admin", "admin", {})
            models = xmlrpc.client.ServerProxy("http://127.0.0.1:%d/xmlrpc/2/object" % port)
            pending = models.execute_kw(database, uid, "admin", "ir.module.module", "search_count",
                                        [[("state", "in", ["to install", "to upgrade", "to remove"])]])
            assert pending == 0
            installed = models.execute_kw(database, uid, "admin", "ir.module.module", "search_read", [[
                ("name", "like", "ecrm_"), ("state", "=", "installed")]], {"fields": ["name"]})
            assert {row["name"] for row in installed} >= {"ecrm_core", "ecrm_marketing", "ecrm_portal",
                                                          "ecrm_eprocurement", "ecrm_sage_bridge"}
            assert "Traceback" not in output, output[-3000:]
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
