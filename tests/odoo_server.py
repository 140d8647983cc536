"""Start and stop a real Odoo server for end-to-end tests and benchmarks."""
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ODOO_CONF = os.path.join(REPO, "var", "odoo.conf")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OdooServer:
    """An Odoo process serving one database on a free loopback port, run as production runs it.

    Prefork workers with Odoo's default limits (60 s CPU, 120 s real time per request), and
    queue_job's runner; crons stay off so that tests decide when a scheduled action runs.
    The runner's capacity stays below the workers so that a running job never starves the
    requests waiting on it.

    One server per database at a time: each runs a queue_job runner, and queue_job supports
    one runner per database (two count each other's jobs and can strand one "enqueued").
    """

    serving = set()  # databases a server started by this process serves now

    def __init__(self, database, port=None, conf=None, workers=2,
                 job_channels="root:1,root.ecrm:1,root.ecrm.sage:1,root.ecrm.eprocurement:1", elected_runner=False):
        """``elected_runner``: ``conf`` loads ecrm_core server-wide, so servers of one database elect
        one runner (ecrm_core/jobrunner_leader.py) and may share it; each runs in a process group of
        its own, which ``kill()`` ends as a dead node."""
        self.elected_runner = elected_runner
        self.database = database
        self.conf = conf or ODOO_CONF
        self.port = port or free_port()
        self.longpolling_port = free_port()
        self.workers = workers
        self.job_channels = job_channels
        self.url = "http://127.0.0.1:%d" % self.port
        self.log_path = os.path.join(REPO, "var", "odoo-%s-%d.log" % (database, self.port))
        self.process = None

    def start(self, timeout=180):
        if not os.path.exists(self.conf):
            raise RuntimeError("%s is missing: run 'make setup' (or 'make test') first" % self.conf)
        if not self.elected_runner:
            if self.database in OdooServer.serving:
                raise RuntimeError("a server already serves %s: reuse it (one job runner per database)"
                                   % self.database)
            OdooServer.serving.add(self.database)
        env = dict(os.environ, PATH=os.path.join(REPO, "node_modules", ".bin") + os.pathsep + os.environ["PATH"],
                   ODOO_PRELOAD_ADDONS="no",  # see scripts/env.sh: no requests racing the registry load
                   ODOO_QUEUE_JOB_CHANNELS=self.job_channels)
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(REPO, "scripts", "odoo-bin"), "-c", self.conf,
             "-d", self.database, "--db-filter", "^%s$" % self.database,
             "--http-port", str(self.port), "--max-cron-threads", "0",
             "--workers", str(self.workers), "--longpolling-port", str(self.longpolling_port),
             "--logfile", self.log_path],
            env=env, cwd=REPO, start_new_session=self.elected_runner)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                if not self.elected_runner:
                    OdooServer.serving.discard(self.database)
                raise RuntimeError("Odoo exited with %s; see %s" % (self.process.returncode, self.log_path))
            try:
                with urllib.request.urlopen(self.url + "/web/login", timeout=30) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                time.sleep(0.5)
        self.stop()
        raise RuntimeError("Odoo did not answer within %ss; see %s" % (timeout, self.log_path))

    def stop(self):
        if not self.elected_runner:
            OdooServer.serving.discard(self.database)
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self):
        """kill -9 of the server's process group (master, workers, gevent), as a node dies."""
        os.killpg(self.process.pid, 9)
        self.process.wait()

    def log_text(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as log:
            return log.read()
