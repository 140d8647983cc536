"""Inbound e-mail: customers write to the catchall mailbox, Odoo's incoming mail server (fetchmail) reads it."""
import os
import uuid
from email.message import EmailMessage
from email.utils import make_msgid

from .conftest import CATCHALL, send
from .test_mail_out import customers, make_program


def customer_mail(sender, subject, body, **headers):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, CATCHALL, subject
    message["Message-ID"] = make_msgid(domain="mail.example.com")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def fetch(odoo_mail, *messages):
    """Deliver ``messages`` to the catchall, then let the incoming mail server read them."""
    for message in messages:
        send(message)
    for message in messages:
        assert odoo_mail.server.catchall.wait_for("HEADER", "Message-ID", message["Message-ID"]), message["Subject"]
    odoo_mail.fetch()


def test_a_customer_writing_in_lands_on_their_chatter_and_timeline_and_a_contact_rolls_up_to_the_company(
        odoo_server, odoo_mail, admin_rpc):
    env, tag = admin_rpc.env, uuid.uuid4().hex[:6]
    log_start = os.path.getsize(odoo_server.log_path)
    Partner = env["res.partner"]
    person = Partner.create({"name": "E2E inbound person %s" % tag, "email": "person-%s@example.com" % tag})
    company = Partner.create({"name": "E2E inbound company %s" % tag, "is_company": True,
                              "email": "office-%s@example.com" % tag})
    contact = Partner.create({"name": "E2E inbound buyer %s" % tag, "parent_id": company, "type": "contact",
                              "email": "buyer-%s@example.com" % tag})
    from_person = customer_mail("Person <person-%s@example.com>" % tag, "Question %s" % tag, "When do you deliver?")
    from_contact = customer_mail("buyer-%s@example.com" % tag, "Order query %s" % tag, "Where is our order?")
    leads_before = env["crm.lead"].search_count([("name", "in", ["Question %s" % tag, "Order query %s" % tag])])
    fetch(odoo_mail, from_person, from_contact)

    for partner, mail in ((person, from_person), (contact, from_contact)):
        # the chatter: the customer's own record, the customer as author, the Message-ID kept
        [posted] = env["mail.message"].search_read(
            [("model", "=", "res.partner"), ("res_id", "=", partner), ("message_id", "=", mail["Message-ID"])],
            ["author_id", "message_type", "subject"])
        assert (posted["author_id"][0], posted["message_type"], posted["subject"]) == (partner, "email", mail["Subject"])
        [entry] = env["ecrm.interaction"].search_read(
            [("source_key", "=", "mail:%s:%d" % (mail["Message-ID"], partner))],
            ["partner_id", "commercial_partner_id", "interaction_type", "direction", "channel"])
        assert (entry["partner_id"][0], entry["interaction_type"], entry["direction"], entry["channel"]) == (
            partner, "email_received", "inbound", "email")
    # the company's timeline holds its contacts' entries
    assert env["ecrm.interaction"].search_count(
        [("commercial_partner_id", "=", company), ("interaction_type", "=", "email_received"),
         ("source_key", "=", "mail:%s:%d" % (from_contact["Message-ID"], contact))]) == 1
    # a known customer's mail is not made a lead
    assert env["crm.lead"].search_count(
        [("name", "in", ["Question %s" % tag, "Order query %s" % tag])]) == leads_before == 0
    assert "Traceback" not in odoo_server.log_text()[log_start:]


def test_an_unknown_sender_becomes_a_lead(odoo_server, odoo_mail, admin_rpc):
    """The host's own behaviour for a catchall whose incoming server creates leads."""
    env, tag = admin_rpc.env, uuid.uuid4().hex[:6]
    log_start = os.path.getsize(odoo_server.log_path)
    stranger = "stranger-%s@unknown.example.org" % tag
    mail = customer_mail("A Stranger <%s>" % stranger, "Quote for 40 chairs %s" % tag, "Can you quote?")
    fetch(odoo_mail, mail)
    [lead] = env["crm.lead"].search_read([("name", "=", "Quote for 40 chairs %s" % tag)],
                                         ["email_from", "partner_id", "type"])
    assert stranger in lead["email_from"] and not lead["partner_id"]
    assert env["mail.message"].search_count(
        [("model", "=", "crm.lead"), ("res_id", "=", lead["id"]), ("message_id", "=", mail["Message-ID"])]) == 1
    assert env["res.partner"].search_count([("email", "ilike", stranger)]) == 0
    assert "Traceback" not in odoo_server.log_text()[log_start:]


def test_a_reply_to_a_program_mail_counts_as_replied_for_the_next_step(odoo_server, odoo_mail, admin_rpc):
    env, tag = admin_rpc.env, uuid.uuid4().hex[:6]
    log_start = os.path.getsize(odoo_server.log_path)
    people = customers(env, tag, {"replier": "opted_in", "silent": "opted_in"})
    program = make_program(env, tag, list(people.values()), follow_up={
        "name": "Thank the replier", "trigger": "replied", "action": "interaction"})
    odoo_mail.send_queue()
    [received] = odoo_mail.server.customers.wait_for("HEADER", "To", "replier-%s@example.com" % tag)
    assert len(odoo_mail.server.customers.wait_for("HEADER", "To", "silent-%s@example.com" % tag)) == 1

    # the customer's mail client answers: In-Reply-To and References name the programme's mail
    reply = customer_mail("replier-%s@example.com" % tag, "Re: %s" % received["Subject"], "Yes please, call me.",
                          In_Reply_To=received["Message-ID"], References=received["Message-ID"])
    fetch(odoo_mail, reply)

    [stat] = env["mail.mail.statistics"].search_read(
        [("mass_mailing_id", "=", program["mailing"]), ("res_id", "=", people["replier"])], ["replied"])
    assert stat["replied"]
    Interaction = env["ecrm.interaction"]
    assert Interaction.search_count([("partner_id", "=", people["replier"]),
                                     ("interaction_type", "=", "mailing_replied")]) == 1
    assert Interaction.search_count([("source_key", "=", "mail:%s:%d" % (reply["Message-ID"], people["replier"])),
                                     ("interaction_type", "=", "email_received")]) == 1
    # the step waiting for a reply fires for the replier only
    Program = env["ecrm.campaign.program"]
    counts = Program.browse(program["id"]).run("2026-03-03 09:00:00")
    assert counts == {str(program["steps"][0]): 0, str(program["steps"][1]): 1}
    logs = env["ecrm.campaign.step.log"].search_read([("step_id", "=", program["steps"][1])], ["partner_id", "result"])
    assert [(log["partner_id"][0], log["result"]) for log in logs] == [(people["replier"], "done")]
    assert "Traceback" not in odoo_server.log_text()[log_start:]
