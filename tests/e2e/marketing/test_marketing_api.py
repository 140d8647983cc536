"""Campaign ROI and programs as integrators drive them over RPC, and UTM attribution of a website order."""
import re
import uuid

import pytest
import requests


@pytest.fixture(scope="module")
def campaign(admin_rpc):
    Campaign = admin_rpc.env["utm.campaign"]
    campaign_id = Campaign.create({
        "name": "E2E spring offer %s" % uuid.uuid4().hex[:6], "ecrm_budget": 1500, "ecrm_target_size": 2000,
        "ecrm_expected_response_rate": 5, "ecrm_expected_conversion_rate": 20,
        "ecrm_expected_avg_order_value": 450, "ecrm_margin_percent": 40})
    admin_rpc.env["ecrm.campaign.cost"].create({"campaign_id": campaign_id, "description": "Leaflets",
                                                "amount": 200})
    return campaign_id


@pytest.fixture(scope="module")
def product(admin_rpc):
    return admin_rpc.env["product.template"].create({
        "name": "E2E stairlift rail %s" % uuid.uuid4().hex[:6], "list_price": 250.0, "type": "consu",
        "website_published": True, "sale_ok": True, "taxes_id": [(6, 0, [])]})


def roi_row(admin_rpc, campaign_id):
    report = admin_rpc.env["utm.campaign"].ecrm_roi_report([campaign_id])
    return report[str(campaign_id)]  # JSON turns the integer keys into strings


def test_roi_report_is_plain_data_with_forecast(admin_rpc, campaign):
    row = roi_row(admin_rpc, campaign)
    assert row["cost"] == 200 and row["revenue_confirmed"] == 0 and row["roi_percent"] == -100
    assert row["forecast"]["expected_revenue"] == pytest.approx(9000)
    assert row["forecast"]["expected_roi_percent"] == pytest.approx(140)
    assert row["cost_per_lead"] is False  # nothing to divide by (XML-RPC carries no None)


def test_link_click_with_utm_then_website_order_moves_actual_revenue(odoo_server, admin_rpc, campaign, product):
    tracker = admin_rpc.env["link.tracker"].create({
        "url": odoo_server.url + "/shop/product/%d" % product, "campaign_id": campaign,
        "medium_id": admin_rpc.env.ref("utm.utm_medium_email").id})
    code = admin_rpc.env["link.tracker"].read([tracker], ["code"])[0]["code"]
    visitor = requests.Session()
    page = visitor.get(odoo_server.url + "/r/%s" % code, timeout=60)
    assert page.status_code == 200 and "utm_campaign" in page.url
    assert any(cookie.name == "odoo_utm_campaign" for cookie in visitor.cookies), page.headers
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    product_id = admin_rpc.env["product.product"].search([("product_tmpl_id", "=", product)])[0]
    cart = visitor.post(odoo_server.url + "/shop/cart/update",
                        data={"product_id": product_id, "add_qty": 1, "csrf_token": csrf}, timeout=60)
    assert cart.status_code == 200
    Order = admin_rpc.env["sale.order"]
    order_ids = Order.search([("campaign_id", "=", campaign)])
    assert len(order_ids) == 1
    assert roi_row(admin_rpc, campaign)["quotation_count"] == 1
    Order.browse(order_ids).action_confirm()  # payment received: the shop confirms the order
    row = roi_row(admin_rpc, campaign)
    assert row["order_count"] == 1 and row["revenue_confirmed"] == pytest.approx(250)
    assert row["roi_percent"] == pytest.approx(25)  # (250 - 200) / 200


def test_program_enrol_and_run_over_rpc(admin_rpc, campaign):
    Partner = admin_rpc.env["res.partner"]
    partner_ids = [Partner.create({"name": "E2E program %s" % n, "email": "e2e%s@example.com" % n}) for n in "ab"]
    Partner.browse(partner_ids[:1]).ecrm_set_consent("email", "opted_in", "form", "Ticked the box")
    template = admin_rpc.env["mail.template"].create({
        "name": "E2E offer", "model_id": admin_rpc.env.ref("base.model_res_partner").id,
        "subject": "Offer", "body_html": "<p>Hello ${object.name}</p>"})
    Program = admin_rpc.env["ecrm.campaign.program"]
    program_id = Program.create({"name": "E2E program", "campaign_id": campaign, "mode": "single",
                                 "step_ids": [(0, 0, {"name": "Offer", "action": "email",
                                                      "mail_template_id": template})]})
    program = Program.browse(program_id)
    program.action_start()
    assert program.enroll(partner_ids) == 2
    assert program.enroll(partner_ids) == 0
    step_id = program.step_ids.ids[0]
    assert program.run() == {str(step_id): 1}
    assert program.run() == {str(step_id): 0}
    results = admin_rpc.env["ecrm.campaign.step.log"].search_read([("program_id", "=", program_id)],
                                                                   ["partner_id", "result"])
    assert sorted((row["partner_id"][0], row["result"]) for row in results) == sorted(
        [(partner_ids[0], "done"), (partner_ids[1], "skipped_consent")])


def test_open_pixel_and_tracked_click_drive_the_next_steps(odoo_server, admin_rpc, campaign):
    """The program's queued e-mail carries Odoo's own tracking: its open pixel and click redirect work."""
    Partner = admin_rpc.env["res.partner"]
    tag = uuid.uuid4().hex[:6]
    opener, clicker = [Partner.create({"name": "E2E %s %s" % (who, tag), "email": "%s-%s@example.com" % (who, tag)})
                       for who in ("opener", "clicker")]
    Partner.browse([opener, clicker]).ecrm_set_consent("email", "opted_in", "form", "Ticked the box")
    template = admin_rpc.env["mail.template"].create({
        "name": "E2E tracked offer", "model_id": admin_rpc.env.ref("base.model_res_partner").id,
        "subject": "Offer for ${object.name}",
        "body_html": "<p>Hello ${object.name}, <a href='%s/shop'>see the offer</a></p>" % odoo_server.url})
    opened_type = admin_rpc.env["ecrm.interaction.type"].create(
        {"code": "e2e_opened_%s" % tag, "name": "Read the offer (%s)" % tag, "channel": "email"})
    Program = admin_rpc.env["ecrm.campaign.program"]
    program_id = Program.create({
        "name": "E2E tracked %s" % tag, "campaign_id": campaign, "mode": "multistep",
        "step_ids": [(0, 0, {"name": "Offer", "sequence": 1, "action": "email", "mail_template_id": template}),
                     (0, 0, {"name": "Thanks for reading", "sequence": 2, "trigger": "opened",
                             "action": "interaction", "log_type_id": opened_type}),
                     (0, 0, {"name": "Call the clicker", "sequence": 3, "trigger": "clicked", "action": "lead"})]})
    program = Program.browse(program_id)
    program.action_start()
    program.enroll([opener, clicker])
    first, second, third = program.step_ids.ids
    assert program.run() == {str(first): 2, str(second): 0, str(third): 0}

    statistics = {row["res_id"]: row for row in admin_rpc.env["mail.mail.statistics"].search_read(
        [("res_id", "in", [opener, clicker]), ("model", "=", "res.partner"),
         ("mass_mailing_id.campaign_id", "=", campaign)], ["mail_mail_id_int", "res_id"])}
    visitor = requests.Session()
    database = {"db": odoo_server.database}  # the tracking routes need no session
    pixel = visitor.get(odoo_server.url + "/mail/track/%d/blank.gif" % statistics[opener]["mail_mail_id_int"],
                        params=database, timeout=60)
    assert pixel.status_code == 200
    tracker = admin_rpc.env["link.tracker"].search_read(
        [("campaign_id", "=", campaign), ("url", "=", odoo_server.url + "/shop")], ["code"])[0]
    click = visitor.get(odoo_server.url + "/r/%s/m/%d" % (tracker["code"], statistics[clicker]["id"]),
                        params=database, allow_redirects=False, timeout=60)
    assert click.status_code in (301, 302) and "utm_campaign" in click.headers["Location"]

    # a click counts as an open too (Odoo marks both)
    assert program.run() == {str(first): 0, str(second): 2, str(third): 1}
    leads = admin_rpc.env["crm.lead"].search_read([("campaign_id", "=", campaign), ("partner_id", "=", clicker)],
                                                  ["type"])
    assert [lead["type"] for lead in leads] == ["lead"]
