"""The demo that `make setup` leaves running does its background work.

These tests talk to the server set-up started (127.0.0.1:8069, database ecrm_demo), not to
the suite's own e2e server: what they prove is that the first command leaves a database the
cron runner works on. Odoo's cron skips a database "because of modules to install" for as long
as any module is pending, so no mail queue, nightly scan or program run would ever happen.
"""
import asyncore
import os
import smtpd
import threading
import time
import xmlrpc.client

import pytest

from ..odoo_server import free_port

DEMO_URL = "http://127.0.0.1:%s" % os.environ.get("ECRM_HTTP_PORT", "8069")
DEMO_DB = os.environ.get("ECRM_DEMO_DB", "ecrm_demo")
PENDING = ["to install", "to upgrade", "to remove"]


class Demo:
    def __init__(self):
        common = xmlrpc.client.ServerProxy(DEMO_URL + "/xmlrpc/2/common", allow_none=True)
        self.uid = common.authenticate(DEMO_DB, "admin", "admin", {})
        assert self.uid, "admin/admin does not log in to %s" % DEMO_DB
        self.models = xmlrpc.client.ServerProxy(DEMO_URL + "/xmlrpc/2/object", allow_none=True)

    def call(self, model, method, *args, **kwargs):
        return self.models.execute_kw(DEMO_DB, self.uid, "admin", model, method, list(args), kwargs)


@pytest.fixture(scope="module")
def demo():
    try:
        return Demo()
    except (ConnectionError, OSError) as error:
        if os.environ.get("CI"):
            pytest.fail("the demo server that make setup starts is not running: %s" % error)
        pytest.skip("no demo server on %s (run make setup)" % DEMO_URL)


class SmtpSink(smtpd.SMTPServer):
    """A real SMTP server on a free loopback port that keeps what it receives."""

    def __init__(self):
        self.port = free_port()
        super().__init__(("127.0.0.1", self.port), None, decode_data=True)
        self.messages = []
        self.thread = threading.Thread(target=asyncore.loop, kwargs={"timeout": 0.2}, daemon=True)
        self.thread.start()

    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        self.messages.append((rcpttos, data))


def test_setup_leaves_no_module_pending(demo):
    pending = demo.call("ir.module.module", "search_read", [("state", "in", PENDING)], ["name", "state"])
    assert pending == [], "modules left pending, so the cron runner skips %s: %r" % (DEMO_DB, pending)


def test_a_queued_mail_is_sent_by_the_cron_runner(demo):
    sink = SmtpSink()
    server_id = demo.call("ir.mail_server", "create", {
        "name": "Test sink (tests/e2e/test_demo_runtime.py)", "smtp_host": "127.0.0.1",
        "smtp_port": sink.port, "sequence": 1000})
    mail_id = demo.call("mail.mail", "create", {
        "subject": "Cron runner check %s" % sink.port, "body_html": "<p>Queued by the test suite</p>",
        "email_to": "cron-check@example.com", "email_from": "demo@example.com", "mail_server_id": server_id})
    try:
        queue_cron = demo.call("ir.model.data", "xmlid_to_res_id", "mail.ir_cron_mail_scheduler_action")
        # due now: the runner wakes up at least once a minute and takes it on its own
        demo.call("ir.cron", "write", [queue_cron], {"nextcall": time.strftime("%Y-%m-%d %H:%M:%S",
                                                                               time.gmtime(time.time() - 60))})
        deadline = time.time() + 180
        while time.time() < deadline and not sink.messages:
            time.sleep(2)
        state = demo.call("mail.mail", "search_read", [("id", "=", mail_id)], ["state", "failure_reason"])
        assert sink.messages, "the queued mail was not sent within 3 minutes: %r" % state
        recipients, data = sink.messages[0]
        assert recipients == ["cron-check@example.com"]
        assert "Cron runner check %s" % sink.port in data
    finally:
        demo.call("mail.mail", "unlink", [mail_id]) if demo.call(
            "mail.mail", "search", [("id", "=", mail_id)]) else None
        demo.call("ir.mail_server", "unlink", [server_id])
        sink.close()


def test_the_demo_runs_queued_jobs(demo):
    """queue_job's runner is part of the demo: a duplicate scan started from Settings runs to the end."""
    [user] = demo.call("res.users", "read", [demo.uid], ["company_id"])
    company = user["company_id"][0]
    fields = ["ecrm_job_state", "ecrm_job_message"]
    deadline = time.time() + 180
    while demo.call("res.company", "read", [company], fields)[0]["ecrm_job_state"] in ("queued", "running"):
        assert time.time() < deadline, "a scan queued before this test never ended"
        time.sleep(1)
    assert demo.call("res.company", "action_ecrm_scan_duplicates", [company]) is True
    while True:
        [state] = demo.call("res.company", "read", [company], fields)
        if state["ecrm_job_state"] not in ("queued", "running"):
            break
        assert time.time() < deadline, "the demo's job runner did not run the scan: %r" % state
        time.sleep(1)
    assert state["ecrm_job_state"] == "done", state
