"""Consent follows the ways out that only a real mail server shows: a customer's reply asking to
unsubscribe, and a hard bounce (Postfix's delivery status notification, read by fetchmail)."""
import os
import uuid

import odoorpc
import pytest

from .conftest import UNDELIVERABLE
from .test_mail_in import customer_mail, fetch
from .test_mail_out import customers, make_program


def mass_mailing(env, tag, partner_ids, name, send=True):
    """The host's mass mailing to ``partner_ids`` (as a segment's would be), sent now if ``send``; returns its id."""
    Mailing = env["mail.mass_mailing"]
    mailing = Mailing.create({
        "name": "%s %s" % (name, tag), "mailing_model_id": env.ref("base.model_res_partner").id,
        "mailing_domain": repr([("id", "in", sorted(partner_ids))]), "reply_to_mode": "email",
        "reply_to": "catchall@ecrm.test", "body_html": "<p>Hello ${object.name}</p>"})
    if send:
        Mailing.browse([mailing]).send_mail()
    return mailing


def mails_to(env, mailing, partner_id):
    return env["mail.mail.statistics"].search_count([("mass_mailing_id", "=", mailing), ("res_id", "=", partner_id)])


def test_a_customer_replying_unsubscribe_is_opted_out_and_mailed_no_more(odoo_server, odoo_mail, admin_rpc):
    env, tag = admin_rpc.env, uuid.uuid4().hex[:6]
    log_start = os.path.getsize(odoo_server.log_path)
    people = customers(env, tag, {"leaver": "opted_in", "stayer": "opted_in"})
    make_program(env, tag, list(people.values()))
    odoo_mail.send_queue()
    inbox = odoo_mail.server.customers
    [received] = inbox.wait_for("HEADER", "To", "leaver-%s@example.com" % tag)

    # the customer's mail client answers the programme's mail with one word on the first line
    reply = customer_mail("Leaver <leaver-%s@example.com>" % tag, "Re: %s" % received["Subject"],
                          "unsubscribe\n\n> Hello E2E mail leaver", In_Reply_To=received["Message-ID"],
                          References=received["Message-ID"])
    fetch(odoo_mail, reply)

    [audit] = env["ecrm.consent.history"].search_read(
        [("partner_id", "=", people["leaver"]), ("channel", "=", "email")], ["state", "source", "proof"],
        order="id desc", limit=1)
    assert (audit["state"], audit["source"]) == ("opted_out", "reply")
    assert reply["Message-ID"] in audit["proof"]
    [leaver] = env["res.partner"].read([people["leaver"]], ["opt_out", "ecrm_consent_email"])
    assert (leaver["opt_out"], leaver["ecrm_consent_email"]) == (True, "opted_out")
    assert env["res.partner"].browse([people["stayer"]]).ecrm_consent_email == "opted_in"

    # the next mass mailing reaches the one who stayed, and the leaver gets nothing
    mailing = mass_mailing(env, tag, people.values(), "E2E after the reply")
    odoo_mail.send_queue()
    assert len(inbox.wait_for("HEADER", "To", "stayer-%s@example.com" % tag, count=2)) == 2
    assert mails_to(env, mailing, people["leaver"]) == 0
    assert len(inbox.messages("HEADER", "To", "leaver-%s@example.com" % tag)) == 1  # the programme's mail only
    assert "Traceback" not in odoo_server.log_text()[log_start:]


def test_a_hard_bounce_marks_the_address_invalid_and_no_path_mails_it_again(odoo_server, odoo_mail, admin_rpc):
    env, tag = admin_rpc.env, uuid.uuid4().hex[:6]
    log_start = os.path.getsize(odoo_server.log_path)
    Partner = env["res.partner"]
    gone_address = "gone-%s@%s" % (tag, UNDELIVERABLE)
    gone = Partner.create({"name": "E2E mail gone %s" % tag, "email": gone_address})
    Partner.browse([gone]).ecrm_set_consent("email", "opted_in", "form", "Ticked the box")
    [before] = Partner.read([gone], ["message_bounce", "ecrm_data_quality_score"])
    assert before["message_bounce"] == 0

    first = mass_mailing(env, tag, [gone], "E2E to a gone address")
    odoo_mail.send_queue()
    # Postfix took the mail, could not deliver it, and sent its delivery status notification to Odoo's
    # bounce address (bounce+<mail>-res.partner-<id>@), which is the catchall Odoo reads
    [dsn] = odoo_mail.server.catchall.wait_for("TEXT", gone_address)
    assert dsn.get_content_type() == "multipart/report" and "bounce+" in dsn["To"]
    odoo_mail.fetch()

    [after] = Partner.read([gone], ["message_bounce", "ecrm_data_quality_score", "ecrm_quality_issues"])
    assert after["message_bounce"] >= 1
    assert "bounced" in after["ecrm_quality_issues"]
    assert after["ecrm_data_quality_score"] < before["ecrm_data_quality_score"]
    [stat] = env["mail.mail.statistics"].search_read([("mass_mailing_id", "=", first), ("res_id", "=", gone)],
                                                     ["bounced"])
    assert stat["bounced"]
    assert env["ecrm.interaction"].search_count([("partner_id", "=", gone),
                                                 ("interaction_type", "=", "mailing_bounced")]) == 1

    # no path mails the address again: a mass mailing, a programme step, the composer's mass mail
    second = mass_mailing(env, tag, [gone], "E2E to the gone address again", send=False)
    with pytest.raises(odoorpc.error.RPCError, match="select recipients"):  # the host's "Send now" finds nobody
        env["mail.mass_mailing"].browse([second]).send_mail()
    assert mails_to(env, second, gone) == 0
    program = make_program(env, tag + "b", [gone])
    [log] = env["ecrm.campaign.step.log"].search_read([("step_id", "=", program["steps"][0])], ["result", "reason"])
    assert (log["result"], log["reason"]) == ("skipped_consent", "e-mail address bounced")
    context = {"context": {"active_ids": [gone]}}
    composer = admin_rpc.execute_kw("mail.compose.message", "create", [{
        "composition_mode": "mass_mail", "model": "res.partner", "subject": "News %s" % tag, "body": "<p>News</p>"}],
        context)
    with pytest.raises(odoorpc.error.RPCError, match="e-mail address bounced"):
        # called by id: odoorpc's browse() reads every field, which the host's composer cannot answer
        admin_rpc.execute_kw("mail.compose.message", "send_mail", [[composer]], context)
    odoo_mail.send_queue()
    assert len(odoo_mail.server.catchall.messages("TEXT", gone_address)) == 1  # one bounce: nothing else was sent
    assert "Traceback" not in odoo_server.log_text()[log_start:]
