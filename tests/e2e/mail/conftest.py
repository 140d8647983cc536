"""The private mail server (scripts/mail-server.sh) and the test database set up to use it, as an
administrator would: an outgoing mail server for its SMTP port, an incoming one reading the catchall
mailbox over IMAP, and the catchall domain."""
import email
import email.policy
import imaplib
import os
import smtplib
import subprocess
import time
import types

import pytest

from ...odoo_server import REPO

SMTP_PORT = int(os.environ.get("ECRM_MAIL_SMTP_PORT", "2525"))
IMAP_PORT = int(os.environ.get("ECRM_MAIL_IMAP_PORT", "1143"))
DOMAIN = os.environ.get("ECRM_MAIL_DOMAIN", "ecrm.test")
PASSWORD = os.environ.get("ECRM_MAIL_PASSWORD", "ecrm")
CATCHALL = "catchall@%s" % DOMAIN
CUSTOMERS = "customers@%s" % DOMAIN  # every mail to a domain other than DOMAIN lands here
UNDELIVERABLE = "undeliverable.%s" % DOMAIN  # accepted, then bounced hard: a DSN comes back to Odoo's bounce address
SCRIPT = os.path.join(REPO, "scripts", "mail-server.sh")


class Mailbox:
    """One IMAP mailbox of the test server, read as a mail client reads it."""

    def __init__(self, user):
        self.user = user

    def _connect(self):
        imap = imaplib.IMAP4("127.0.0.1", IMAP_PORT)
        imap.login(self.user, PASSWORD)
        imap.select("INBOX")
        return imap

    def messages(self, *criteria):
        """The messages matching the IMAP search ``criteria`` (e.g. 'HEADER', 'To', address), parsed."""
        imap = self._connect()
        try:
            _status, [numbers] = imap.search(None, *(criteria or ("ALL",)))
            found = []
            for number in numbers.split():
                _status, data = imap.fetch(number, "(BODY.PEEK[])")
                found.append(email.message_from_bytes(data[0][1], policy=email.policy.default))
            return found
        finally:
            imap.logout()

    def wait_for(self, *criteria, count=1, timeout=60):
        """At least ``count`` messages matching ``criteria``, waiting for delivery if need be."""
        deadline = time.time() + timeout
        while True:
            found = self.messages(*criteria)
            if len(found) >= count or time.time() > deadline:
                return found
            time.sleep(0.5)

    def empty(self):
        imap = self._connect()
        try:
            _status, [numbers] = imap.search(None, "ALL")
            for number in numbers.split():
                imap.store(number, "+FLAGS", "\\Deleted")
            imap.expunge()
        finally:
            imap.logout()


def send(message):
    """Hand ``message`` (an email.message.EmailMessage) to the test server's SMTP port, as a customer's provider would."""
    with smtplib.SMTP("127.0.0.1", SMTP_PORT, timeout=30) as smtp:
        smtp.send_message(message)


@pytest.fixture(scope="session")
def mail_server():
    started = time.time()
    subprocess.run([SCRIPT, "start"], check=True)
    server = types.SimpleNamespace(catchall=Mailbox(CATCHALL), customers=Mailbox(CUSTOMERS),
                                   start_seconds=time.time() - started)
    for mailbox in (server.catchall, server.customers):  # what earlier runs left
        mailbox.empty()
    yield server
    subprocess.run([SCRIPT, "stop"], check=True)


@pytest.fixture(scope="session")
def odoo_mail(admin_rpc, mail_server):
    """The database sends through the test server and reads its catchall mailbox; put back afterwards."""
    env = admin_rpc.env
    Config = env["ir.config_parameter"]
    parameters = {"mail.catchall.domain": DOMAIN, "mail.catchall.alias": "catchall", "mail.bounce.alias": "bounce"}
    previous = {key: Config.get_param(key) for key in parameters}
    for key, value in parameters.items():
        Config.set_param(key, value)
    outgoing = env["ir.mail_server"].create({
        "name": "Test mail server (SMTP)", "smtp_host": "127.0.0.1", "smtp_port": SMTP_PORT,
        "smtp_encryption": "none", "sequence": 1})
    incoming = env["fetchmail.server"].create({
        "name": "Test mail server (IMAP catchall)", "type": "imap", "server": "127.0.0.1", "port": IMAP_PORT,
        "is_ssl": False, "user": CATCHALL, "password": PASSWORD,
        # the host's own default for a catchall: what no alias nor reply claims becomes a lead
        "object_id": env.ref("crm.model_crm_lead").id})
    env["fetchmail.server"].browse(incoming).button_confirm_login()
    assert env["fetchmail.server"].read([incoming], ["state"])[0]["state"] == "done"
    yield types.SimpleNamespace(server=mail_server, outgoing=outgoing, incoming=incoming, env=env,
                                send_queue=lambda: env["mail.mail"].process_email_queue(),
                                fetch=lambda: env["fetchmail.server"].browse(incoming).fetch_mail())
    env["fetchmail.server"].browse(incoming).unlink()
    env["ir.mail_server"].browse(outgoing).unlink()
    for key, value in previous.items():
        Config.set_param(key, value or False)
