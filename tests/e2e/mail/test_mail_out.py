"""Outbound e-mail through a real SMTP server, read back over IMAP as the customer's mail client would."""
import os
import re
import urllib.parse
import uuid

import requests

TRACKING_PIXEL = re.compile(r'src="([^"]*/mail/track/\d+/blank\.gif[^"]*)"')


def on_server(odoo_server, url):
    """``url`` (absolute, from web.base.url) aimed at the test server."""
    parts = urllib.parse.urlsplit(url.replace("&amp;", "&"))
    return urllib.parse.urlunsplit(parts._replace(scheme="http", netloc="127.0.0.1:%d" % odoo_server.port))


def customers(env, tag, consents):
    """A customer per {who: e-mail consent}, with an address of its own at example.com."""
    Partner = env["res.partner"]
    made = {}
    for who, state in consents.items():
        made[who] = Partner.create({"name": "E2E mail %s %s" % (who, tag), "email": "%s-%s@example.com" % (who, tag)})
        Partner.browse([made[who]]).ecrm_set_consent("email", state, "form", "Ticked the box" if state == "opted_in"
                                                     else "Asked us not to write")
    return made


def one_click_unsubscribe(message):
    """The URL of RFC 8058's one-click unsubscribe in ``message``'s headers."""
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    match = re.fullmatch(r"<(https?://[^>]+)>", str(message["List-Unsubscribe"]))
    assert match, message["List-Unsubscribe"]
    return match.group(1)


def html_body(message):
    return message.get_body(preferencelist=("html",)).get_content()


def test_a_mass_mailing_reaches_the_opted_in_customer_only_with_one_click_unsubscribe(
        odoo_server, odoo_mail, admin_rpc):
    env, tag = admin_rpc.env, uuid.uuid4().hex[:6]
    log_start = os.path.getsize(odoo_server.log_path)
    people = customers(env, tag, {"reader": "opted_in", "refuser": "opted_out"})
    Mailing = env["mail.mass_mailing"]
    mailing = Mailing.create({
        "name": "E2E mail offer %s" % tag, "mailing_model_id": env.ref("base.model_res_partner").id,
        "mailing_domain": repr([("id", "in", sorted(people.values()))]), "reply_to_mode": "email",
        "reply_to": "catchall@ecrm.test",
        "body_html": '<p>Hello ${object.name}</p><p><a href="https://www.example.com/offer">See the offer</a></p>'})
    Mailing.browse([mailing]).send_mail()
    odoo_mail.send_queue()

    inbox = odoo_mail.server.customers
    [received] = inbox.wait_for("HEADER", "To", "reader-%s@example.com" % tag)
    assert received["Subject"] == "E2E mail offer %s" % tag
    unsubscribe_url = one_click_unsubscribe(received)
    assert urllib.parse.urlsplit(unsubscribe_url).path == "/ecrm/unsubscribe/%d" % mailing
    # the opted-out customer gets nothing: the host's blacklist holds their mail back
    assert inbox.messages("HEADER", "To", "refuser-%s@example.com" % tag) == []

    # the timeline's entry for the send is keyed by the Message-ID the customer received
    message_id = received["Message-ID"]
    [sent] = env["ecrm.interaction"].search_read(
        [("partner_id", "=", people["reader"]), ("interaction_type", "=", "mailing_sent")],
        ["source_key", "res_model", "res_id", "direction"])
    assert sent["source_key"] == "mail:%s:%d" % (message_id, people["reader"])
    assert (sent["res_model"], sent["res_id"], sent["direction"]) == ("mail.mass_mailing", mailing, "outbound")
    assert env["ecrm.interaction"].search_count(
        [("partner_id", "=", people["refuser"]), ("interaction_type", "=", "mailing_sent")]) == 0

    # tracking: the statistics row knows the Message-ID; the open pixel in the mail records the open
    Stats = env["mail.mail.statistics"]
    [stat] = Stats.search_read([("mass_mailing_id", "=", mailing), ("res_id", "=", people["reader"])],
                               ["message_id", "sent", "opened"])
    assert stat["message_id"] == message_id and stat["sent"] and not stat["opened"]
    pixel = TRACKING_PIXEL.search(html_body(received))
    assert pixel, html_body(received)
    assert requests.get(on_server(odoo_server, pixel.group(1)), timeout=60).status_code == 200
    assert Stats.read([stat["id"]], ["opened"])[0]["opened"]
    assert env["ecrm.interaction"].search_count(
        [("partner_id", "=", people["reader"]), ("interaction_type", "=", "mailing_opened")]) == 1

    # the mail client's one-click button: a POST of "List-Unsubscribe=One-Click", no session, no CSRF token
    page = requests.post(on_server(odoo_server, unsubscribe_url), data={"List-Unsubscribe": "One-Click"}, timeout=60)
    assert page.status_code == 200 and "You have been unsubscribed" in page.text
    audit = env["ecrm.consent.history"].search_read(
        [("partner_id", "=", people["reader"]), ("channel", "=", "email")], ["state", "source"], order="id")
    assert (audit[-1]["state"], audit[-1]["source"]) == ("opted_out", "one_click")
    assert env["res.partner"].browse([people["reader"]]).ecrm_contactable("email") == []
    assert "Traceback" not in odoo_server.log_text()[log_start:]


def test_a_program_mail_arrives_with_one_click_unsubscribe_and_its_tracking(odoo_server, odoo_mail, admin_rpc):
    env, tag = admin_rpc.env, uuid.uuid4().hex[:6]
    log_start = os.path.getsize(odoo_server.log_path)
    people = customers(env, tag, {"member": "opted_in", "leaver": "opted_out"})
    program = make_program(env, tag, list(people.values()))
    odoo_mail.send_queue()

    inbox = odoo_mail.server.customers
    [received] = inbox.wait_for("HEADER", "To", "member-%s@example.com" % tag)
    url = one_click_unsubscribe(received)
    assert urllib.parse.urlsplit(url).path == "/ecrm/unsubscribe/%d" % program["mailing"]
    assert inbox.messages("HEADER", "To", "leaver-%s@example.com" % tag) == []
    [stat] = env["mail.mail.statistics"].search_read(
        [("mass_mailing_id", "=", program["mailing"]), ("res_id", "=", people["member"])], ["message_id", "sent"])
    assert stat["message_id"] == received["Message-ID"] and stat["sent"]
    assert env["ecrm.interaction"].search_count(
        [("partner_id", "=", people["member"]), ("interaction_type", "=", "marketing_email"),
         ("campaign_id", "=", program["campaign"])]) == 1
    assert "Traceback" not in odoo_server.log_text()[log_start:]


def make_program(env, tag, partner_ids, follow_up=None):
    """A running program whose first step mails ``partner_ids`` now (run once); ``follow_up``: a second step's values."""
    campaign = env["utm.campaign"].create({"name": "E2E mail campaign %s" % tag})
    template = env["mail.template"].create({
        "name": "E2E mail offer %s" % tag, "model_id": env.ref("base.model_res_partner").id,
        "subject": "Programme offer %s" % tag, "body_html": "<p>Hello ${object.name}</p>"})
    steps = [(0, 0, {"name": "Offer", "sequence": 1, "action": "email", "mail_template_id": template})]
    if follow_up:
        steps.append((0, 0, dict(follow_up, sequence=2)))
    Program = env["ecrm.campaign.program"]
    program = Program.create({"name": "E2E mail programme %s" % tag, "campaign_id": campaign,
                              "mode": "multistep" if follow_up else "single", "step_ids": steps})
    Program.browse(program).action_start()
    Program.browse(program).enroll(partner_ids)
    Program.browse(program).run("2026-03-02 09:00:00")
    step_ids = env["ecrm.campaign.program.step"].search([("program_id", "=", program)], order="sequence")
    mailing = env["ecrm.campaign.program.step"].read([step_ids[0]], ["mailing_id"])[0]["mailing_id"]
    # no mailing when the step mailed nobody
    return {"id": program, "campaign": campaign, "mailing": mailing and mailing[0], "steps": step_ids}
