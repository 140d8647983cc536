"""Unsubscribe (PECR / UK GDPR) on a real server: the link in a program e-mail, as the customer clicks it."""
import ast
import html
import os
import re
import urllib.parse
import uuid

import pytest
import requests

LINK = re.compile(r'href="([^"]*/ecrm/unsubscribe/[^"]*)"')


@pytest.fixture(scope="module")
def program(admin_rpc):
    return make_program(admin_rpc, ("leaver", "stayer"))


def make_program(admin_rpc, names):
    """A running two-step program (offer now, reminder three days later) for opted-in customers."""
    tag = uuid.uuid4().hex[:6]
    Partner = admin_rpc.env["res.partner"]
    customers = [Partner.create({"name": "E2E unsub %s %s" % (who, tag), "email": "%s-%s@example.com" % (who, tag)})
                 for who in names]
    Partner.browse(customers).ecrm_set_consent("email", "opted_in", "form", "Ticked the box")
    campaign = admin_rpc.env["utm.campaign"].create({"name": "E2E unsubscribe %s" % tag})
    template = admin_rpc.env["mail.template"].create({
        "name": "E2E unsubscribe offer %s" % tag, "model_id": admin_rpc.env.ref("base.model_res_partner").id,
        "subject": "Offer for ${object.name}", "body_html": "<p>Hello ${object.name}</p>"})
    Program = admin_rpc.env["ecrm.campaign.program"]
    program_id = Program.create({
        "name": "E2E unsubscribe %s" % tag, "campaign_id": campaign, "mode": "multistep",
        "step_ids": [(0, 0, {"name": "Offer", "sequence": 1, "action": "email", "mail_template_id": template}),
                     (0, 0, {"name": "Reminder", "sequence": 2, "trigger": "delay", "delay_days": 3,
                             "action": "email", "mail_template_id": template})]})
    Program.browse(program_id).action_start()
    Program.browse(program_id).enroll(customers)
    return {"id": program_id, "customers": customers}


def queued_link(admin_rpc, program, partner_id):
    """The unsubscribe link of the first step's mail to ``partner_id``, as the mail queue holds it."""
    step_id = admin_rpc.env["ecrm.campaign.program.step"].search(
        [("program_id", "=", program["id"])], order="sequence")[0]
    mailing_id = admin_rpc.env["ecrm.campaign.program.step"].read([step_id], ["mailing_id"])[0]["mailing_id"][0]
    mails = admin_rpc.env["mail.mail"].search_read([("mailing_id", "=", mailing_id), ("res_id", "=", partner_id)],
                                                   ["body_html", "state"])
    assert [mail["state"] for mail in mails] == ["outgoing"]
    links = LINK.findall(mails[0]["body_html"])
    assert len(links) == 1, mails[0]["body_html"]
    return urllib.parse.urlsplit(html.unescape(links[0]))


def test_the_one_click_button_of_a_mail_client_unsubscribes_with_a_post(odoo_server, admin_rpc):
    """RFC 8058: the client POSTs "List-Unsubscribe=One-Click" to the URL of the mail's header."""
    clicker_program = make_program(admin_rpc, ("clicker",))
    [clicker] = clicker_program["customers"]
    admin_rpc.env["ecrm.campaign.program"].browse(clicker_program["id"]).run("2026-03-02 09:00:00")
    [mail] = admin_rpc.env["mail.mail"].search_read([("res_id", "=", clicker), ("model", "=", "res.partner"),
                                                     ("state", "=", "outgoing")], ["headers"])
    headers = ast.literal_eval(mail["headers"])
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(http[^>]+)>", headers["List-Unsubscribe"]).group(1)
    assert urllib.parse.urlsplit(url).path.startswith("/ecrm/unsubscribe/")
    # the client knows no session and sends no CSRF token; the URL is absolute (web.base.url): aim it at this server
    target = urllib.parse.urlsplit(url)._replace(scheme="http", netloc="127.0.0.1:%d" % odoo_server.port)
    page = requests.post(urllib.parse.urlunsplit(target), data={"List-Unsubscribe": "One-Click"}, timeout=60)
    assert page.status_code == 200 and "You have been unsubscribed" in page.text
    audit = admin_rpc.env["ecrm.consent.history"].search_read(
        [("partner_id", "=", clicker), ("channel", "=", "email")], ["state", "source"], order="id")
    assert (audit[-1]["state"], audit[-1]["source"]) == ("opted_out", "one_click")
    assert admin_rpc.env["res.partner"].browse([clicker]).ecrm_contactable("email") == []


def log_since(server, start):
    with open(server.log_path, encoding="utf-8", errors="replace") as log:
        return log.read()[start:]


def test_the_link_in_a_program_mail_unsubscribes_the_customer(odoo_server, admin_rpc, program):
    Program, Partner = admin_rpc.env["ecrm.campaign.program"], admin_rpc.env["res.partner"]
    leaver, stayer = program["customers"]
    steps = admin_rpc.env["ecrm.campaign.program.step"].search([("program_id", "=", program["id"])], order="sequence")
    now = "2026-03-02 09:00:00"
    assert Program.browse(program["id"]).run(now) == {str(steps[0]): 2, str(steps[1]): 0}
    link = queued_link(admin_rpc, program, leaver)

    # the anonymous customer clicks it: no session, no login
    page = requests.get(odoo_server.url + link.path + "?" + link.query, timeout=60)
    assert page.status_code == 200 and "You have been unsubscribed" in page.text

    consent = Partner.read([leaver], ["ecrm_consent_email", "opt_out"])[0]
    assert (consent["ecrm_consent_email"], consent["opt_out"]) == ("opted_out", True)
    audit = admin_rpc.env["ecrm.consent.history"].search_read(
        [("partner_id", "=", leaver), ("channel", "=", "email")], ["previous_state", "state", "source"], order="id")
    assert [(row["previous_state"], row["state"], row["source"]) for row in audit][-1] == (
        "opted_in", "opted_out", "unsubscribe_link")
    assert Partner.browse([leaver, stayer]).ecrm_contactable("email") == [stayer]

    # the next step mails the customer who stayed, and nobody else
    assert Program.browse(program["id"]).run("2026-03-06 09:00:00") == {str(steps[0]): 0, str(steps[1]): 1}
    results = admin_rpc.env["ecrm.campaign.step.log"].search_read([("step_id", "=", steps[1])],
                                                                   ["partner_id", "result"])
    assert sorted((row["partner_id"][0], row["result"]) for row in results) == sorted(
        [(leaver, "skipped_consent"), (stayer, "done")])
    mailing_id = admin_rpc.env["ecrm.campaign.program.step"].read([steps[1]], ["mailing_id"])[0]["mailing_id"][0]
    assert admin_rpc.env["mail.mail.statistics"].search_count(
        [("mass_mailing_id", "=", mailing_id), ("res_id", "=", leaver)]) == 0


def test_a_forged_or_incomplete_link_unsubscribes_nobody(odoo_server, admin_rpc, program):
    Partner = admin_rpc.env["res.partner"]
    stayer = program["customers"][1]
    link = queued_link(admin_rpc, program, stayer)
    query = dict(urllib.parse.parse_qsl(link.query))
    url = odoo_server.url + link.path
    start = os.path.getsize(odoo_server.log_path)
    hostile = [
        dict(query, token="0" * 128),                       # forged token
        {key: value for key, value in query.items() if key != "token"},  # no token
        dict(query, token=""),
        dict(query, res_id=str(program["customers"][0])),    # another customer, this customer's token
        dict(query, email="someone-else@example.com"),
        dict(query, res_id="not-a-number"),
        dict(query, res_id="99999999999999999999"),
        {key: value for key, value in query.items() if key != "res_id"},
        dict(query, token=["a", "b"]),
        {},
    ]
    for params in hostile:
        page = requests.get(url, params=params, timeout=60)
        assert page.status_code == 403 and "This unsubscribe link is not valid" in page.text, (params, page.text)
    for path in (link.path.rsplit("/", 1)[0] + "/99999999999", link.path.rsplit("/", 1)[0] + "/999999"):
        page = requests.get(odoo_server.url + path, params=query, timeout=60)
        assert page.status_code == 403 and "This unsubscribe link is not valid" in page.text
    page = requests.post(url, data=dict(query, token="f" * 128), timeout=60)  # one-click POST, forged
    assert page.status_code == 403
    consent = Partner.read([stayer], ["ecrm_consent_email", "opt_out"])[0]
    assert (consent["ecrm_consent_email"], consent["opt_out"]) == ("opted_in", False)
    assert "Traceback" not in log_since(odoo_server, start)
