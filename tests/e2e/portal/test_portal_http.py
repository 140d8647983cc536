"""The /my pages and tracking over plain HTTP: CSRF, crafted ids, Do-Not-Track."""
import re

import pytest
import requests


def login(server, login, password):
    session = requests.Session()
    page = session.get(server.url + "/web/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    session.post(server.url + "/web/login", data={"login": login, "password": password, "csrf_token": token})
    return session


def csrf(session, server, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', session.get(server.url + path).text).group(1)


@pytest.fixture(scope="module")
def priya(odoo_server):
    return login(odoo_server, "priya", "priya")


def test_preferences_post_needs_csrf(priya, odoo_server):
    response = priya.post(odoo_server.url + "/my/preferences", data={"consent_sms": "opted_in"},
                          allow_redirects=False)
    assert response.status_code in (400, 403)


def test_crafted_partner_id_is_ignored(priya, odoo_server, admin_rpc):
    other = admin_rpc.env.ref("ecrm_core.partner_ind_doris").id
    Partner = admin_rpc.env["res.partner"]
    before = Partner.read([other], ["ecrm_stated_channel"])[0]["ecrm_stated_channel"]
    token = csrf(priya, odoo_server, "/my/preferences")
    priya.post(odoo_server.url + "/my/preferences", data={
        "csrf_token": token, "partner_id": str(other), "stated_channel": "post"})
    assert Partner.read([other], ["ecrm_stated_channel"])[0]["ecrm_stated_channel"] == before
    priya_id = admin_rpc.env.ref("ecrm_core.partner_nhs_leeds_priya").id
    assert Partner.read([priya_id], ["ecrm_stated_channel"])[0]["ecrm_stated_channel"] == "post"


def test_interactions_page_shows_only_own_timeline(priya, odoo_server, admin_rpc):
    Interaction = admin_rpc.env["ecrm.interaction"]
    other = admin_rpc.env.ref("ecrm_core.partner_ind_doris").id
    theirs = Interaction.log({"partner_id": other, "channel": "phone", "interaction_type": "call_me",
                              "subject": "Doris private call"})
    page = priya.get(odoo_server.url + "/my/interactions?id=%d&partner_id=%d" % (theirs, other)).text
    assert 'id="ecrm_timeline"' in page
    assert "Doris private call" not in page
    assert 'data-interaction-id="%d"' % theirs not in page
    # the public types' labels, never a code; the demo's orders confirmed for NHS Leeds are public
    what = [cells[1] for cells in (re.findall(r"<td>(.*?)</td>", row, re.S)
                                   for row in re.findall(r"<tr data-interaction-id.*?</tr>", page, re.S))]
    assert "Order confirmed" in what, what
    assert not [label for label in what if re.fullmatch(r"[a-z][a-z0-9_]*", label.strip())], what
    assert "Site visit" not in what, "a staff-only type stays off the customer's page"


def test_call_me_creates_interaction_once(priya, odoo_server, admin_rpc):
    priya_id = admin_rpc.env.ref("ecrm_core.partner_nhs_leeds_priya").id
    Interaction = admin_rpc.env["ecrm.interaction"]
    domain = [("partner_id", "=", priya_id), ("interaction_type", "=", "call_me")]
    before = Interaction.search_count(domain)
    for _ in range(2):
        token = csrf(priya, odoo_server, "/my/interactions")
        response = priya.post(odoo_server.url + "/my/call-me", data={
            "csrf_token": token, "topic": "Hoist servicing", "preferred_time": "Friday"})
    assert Interaction.search_count(domain) == before + 1
    assert "ecrm_call_me_refused" in response.text


def test_do_not_track_stores_nothing(odoo_server, admin_rpc):
    session = requests.Session()
    session.headers["DNT"] = "1"
    token = csrf(session, odoo_server, "/")
    visitors = admin_rpc.env["ecrm.visitor"].search_count([])
    session.post(odoo_server.url + "/ecrm/consent", data={"csrf_token": token, "choice": "yes"})
    session.get(odoo_server.url + "/shop")
    assert "ecrm_vid" not in session.cookies
    assert admin_rpc.env["ecrm.visitor"].search_count([]) == visitors


def test_consenting_visitor_is_tracked_with_utm_and_linked_on_login(odoo_server, admin_rpc):
    session = requests.Session()
    token = csrf(session, odoo_server, "/")
    session.post(odoo_server.url + "/ecrm/consent", data={"csrf_token": token, "choice": "yes"},
                 allow_redirects=False)
    key = session.cookies["ecrm_vid"]
    session.get(odoo_server.url + "/shop?utm_source=nhs_bulletin&utm_medium=email")
    visitor = admin_rpc.env["ecrm.visitor"].search([("cookie_key", "=", key)])
    views = admin_rpc.env["ecrm.page.view"].search_read([("visitor_id", "in", visitor)],
                                                        ["path", "utm_source", "partner_id"])
    assert [(v["path"], v["utm_source"], v["partner_id"]) for v in views] == [("/shop", "nhs_bulletin", False)]
    token = csrf(session, odoo_server, "/web/login")
    session.post(odoo_server.url + "/web/login", data={"login": "priya", "password": "priya", "csrf_token": token})
    session.get(odoo_server.url + "/")
    priya_id = admin_rpc.env.ref("ecrm_core.partner_nhs_leeds_priya").id
    views = admin_rpc.env["ecrm.page.view"].search_read([("visitor_id", "in", visitor)], ["partner_id", "path",
                                                                                         "rule_ids"])
    assert {view["partner_id"][0] for view in views} == {priya_id}
    nhs_rule = admin_rpc.env.ref("ecrm_portal.rule_nhs_home_banner").id
    home_views = [view for view in views if view["path"] == "/"]
    assert home_views and ",%d," % nhs_rule in home_views[0]["rule_ids"]  # the impression rode on the one insert


def test_landing_redirect_applies_to_matching_visitors_only(priya, odoo_server, admin_rpc):
    Rule = admin_rpc.env["ecrm.personalisation.rule"]
    rule = Rule.create({"name": "NHS landing (e2e)", "audience": "logged_in",
                        "partner_domain": "[('ecrm_sector_id.code', '=', 'nhs')]",
                        "redirect_from": "/contactus", "redirect_to": "/shop"})
    try:
        response = priya.get(odoo_server.url + "/contactus", allow_redirects=False)
        assert response.status_code == 302 and response.headers["Location"].endswith("/shop")
        anonymous = requests.get(odoo_server.url + "/contactus", allow_redirects=False)
        assert anonymous.status_code == 200
    finally:
        Rule.unlink([rule])


def test_profile_questions_are_asked_one_at_a_time(priya, odoo_server, admin_rpc):
    """The demo questions, as Priya sees them: answer the first, get the second, never the first again."""
    first = admin_rpc.env.ref("ecrm_portal.profile_question_residents").id
    second = admin_rpc.env.ref("ecrm_portal.profile_question_renewal").id
    page = priya.get(odoo_server.url + "/my/preferences").text
    assert 'name="question_id" value="%d"' % first in page
    token = csrf(priya, odoo_server, "/my/preferences")
    answered = priya.post(odoo_server.url + "/my/profile-question",
                          data={"csrf_token": token, "question_id": str(first), "answer": "20 to 50"})
    assert 'id="ecrm_question_thanks"' in answered.text
    assert 'name="question_id" value="%d"' % second in answered.text
    replay = priya.post(odoo_server.url + "/my/profile-question",
                        data={"csrf_token": token, "question_id": str(first), "answer": "More than 50"})
    assert 'id="ecrm_question_refused"' in replay.text
    priya_id = admin_rpc.env.ref("ecrm_core.partner_nhs_leeds_priya").id
    answers = admin_rpc.env["ecrm.profile.answer"].search_read([("partner_id", "=", priya_id)], ["value"])
    assert [a["value"] for a in answers] == ["20 to 50"]
