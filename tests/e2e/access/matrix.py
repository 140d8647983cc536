"""The access matrix: what each kind of user may and may not do with what the five add-ons expose.

Read a row as: model, method (or model and its CRUD, or a field, or a route), then what
portal user, plain employee (an internal user without eCRM groups), eCRM User and eCRM
Manager get (see expect.py for the words), then how the matrix calls it. The policy in
short (README, "Access"):

* Portal users reach their own data through /my and the ``ecrm_portal_*`` helpers only; every
  other method, model and eCRM figure is refused to them.
* A plain employee gets what the host gives every employee (the customer record, its consent
  states, sectors, quality rules) and nothing of eCRM's own: no timeline, no 360 or ledger
  figures, no campaign finances, no recomputes, imports or scans.
* eCRM Users read everything eCRM, log interactions (as themselves), record consent and
  campaign costs, run dry runs and previews and retry failed electronic orders.
* eCRM Managers also configure, import, merge, scan, run programs and Sage syncs, and delete.
* Nobody calls the machinery over RPC: intake helpers, settings (administrators only), crons that
  work on everyone (but the manager, who may run them on purpose).
"""
from collections import namedtuple

from .expect import ALLOW, DENY, NAV, PASS, QUIET, Host, Own

BOTH, JSON = ("xml", "json"), ("json",)

Call = namedtuple("Call", "args kwargs")
Method = namedtuple("Method", "model method variant portal employee user manager call protocols")


def row(model, method, portal, employee, user, manager, call, variant="", protocols=BOTH):
    return Method(model, method, variant, portal, employee, user, manager, call, protocols)


def args(*values, **kwargs):
    return Call(list(values), kwargs)


# ---- checks of allowed answers (context, value) -> problem or None ----

def _ids(value):
    return value if isinstance(value, list) and all(isinstance(item, int) for item in value) else None


def only_own_partners(c, value):
    ids = _ids(value)
    own = {c.ids["own_contact"], c.ids["own_company"]}
    if ids is None or not set(ids) <= own:
        return "answered about other customers: %r" % (value,)


def cannot_see_other(c, value):
    if value is not False:
        return "told the consent of a customer it cannot read: %r" % (value,)


def summary_of_own_only(c, value):
    if not isinstance(value, dict) or sum(value.values()) > 1 or value.get("opted_in"):
        return "counted customers it cannot read: %r" % (value,)


def logged_by_caller(c, value):
    ids = [value] if isinstance(value, int) else _ids(value)
    if not ids:
        return "no interaction id came back: %r" % (value,)
    authors = {row["user_id"] and row["user_id"][0] for row in c.admin.ok("ecrm.interaction", "read", ids,
                                                                           ["user_id"])}
    if authors != {c.actor.uid}:
        return "stored as logged by user %s, not by the caller %s" % (sorted(authors), c.actor.uid)


def own_timeline(c, value):
    ids = _ids(value)
    if ids is None:
        return "not a list of interaction ids: %r" % (value,)
    mine = c.admin.ok("ecrm.interaction", "search", [("commercial_partner_id", "=", c.admin.ok(
        "res.partner", "read", [c.own_partner], ["commercial_partner_id"])[0]["commercial_partner_id"][0])])
    if not set(ids) <= set(mine) or c.ids["own_private_interaction"] in ids:
        return "shows interactions that are not the caller's public ones: %r" % (ids,)
    if c.role == "portal" and c.ids["own_public_interaction"] not in ids:
        return "misses the caller's own public interaction: %r" % (ids,)


def own_interaction(c, value):
    if not isinstance(value, int) or c.read("ecrm.interaction", value, ["partner_id"])["partner_id"][0] != \
            c.own_partner:
        return "not an interaction of the caller's own partner: %r" % (value,)


def question_or_nothing(c, value):
    if not (value is False or isinstance(value, int) or _ids(value) is not None):
        return "not a question id (or False): %r" % (value,)


def own_answer(c, value):
    if not isinstance(value, int) or c.read("ecrm.profile.answer", value, ["partner_id"])["partner_id"][0] != \
            c.own_partner:
        return "not an answer of the caller's own partner: %r" % (value,)


def own_preferences_saved(c, value):
    if c.read("res.partner", c.own_partner, ["ecrm_stated_channel"])["ecrm_stated_channel"] != "post":
        return "the caller's own stated channel was not saved"
    if c.read("res.partner", c.ids["other_company"], ["ecrm_stated_channel"])["ecrm_stated_channel"] == "post":
        return "another customer's preferences changed"


def nobody_unreadable_enrolled(c, value):
    enrolled = c.admin.ok("ecrm.campaign.participant", "search_count", [
        ("partner_id", "=", c.ids["private_partner"])])
    if enrolled:
        return "enrolled a partner the caller cannot read (%d participant rows)" % enrolled


def retried_list(c, value):
    if not (isinstance(value, list) and value and isinstance(value[0], dict) and "state" in value[0]):
        return "not [{id, state, http_status}]: %r" % (value,)


class OwnOrRefused(Own):
    """Allowed and scoped, or refused cleanly (both keep the caller to its own data)."""

    def _problems(self, outcome, context):
        if outcome.kind in ("denied", "refused"):
            return []
        return super()._problems(outcome, context)


# ---- how some rows are called ----

def interaction(c, **extra):
    return dict({"partner_id": c.ids["other_company"], "channel": "phone", "interaction_type": "call",
                 "subject": "Matrix call"}, **extra)


def forged(c):
    return interaction(c, user_id=c.admin.uid)


def import_wizard(c):
    data = "Name,Email\nMatrix Import %s,imp-%s@matrix.example\nAnyone,%s\n" % (
        c.box.unique(), c.box.unique(), "other-%s@matrix.example" % c.box.tag)
    return [c.own("ecrm.partner.import", {"file": c.box.csv(data), "filename": "matrix.csv"})]


def drop_wizard_values(c):
    """A fresh open duplicate group and one of its customers, to drop."""
    group_id = c.box.duplicate_group()
    partner_ids = c.admin.ok("ecrm.duplicate.group", "read", [group_id], ["partner_ids"])[0]["partner_ids"]
    return {"group_id": group_id, "partner_id": partner_ids[0]}


def drop_wizard(c):
    return [[c.own("ecrm.duplicate.group.drop", drop_wizard_values(c))]]


def sage_wizard(model, **values):
    return lambda c: [[c.own(model, dict({"backend_id": c.ids["backend"]}, **values))]]


def partner_mailing(c):
    """A mailing to customers, as a program step's: what the unsubscribe links work on."""
    return c.admin.ok("mail.mass_mailing", "create", {
        "name": c.box.unique("Matrix mailing "), "mailing_model_id": c.box.ref("base.model_res_partner"),
        "mailing_domain": "[('id', 'in', [])]", "reply_to_mode": "email"})


SAGE_RECEIPTS = "SR,MXNOBODY,1200,0,20/11/2026,MX-REF,Matrix receipt,10.00,T9,0.00\n"

# ecrm_core routes a known customer's mail to the catchall onto their chatter (mail_thread.py), an
# override of the host's public message_route on every model with a chatter. It takes a parsed e-mail,
# which RPC cannot send: everyone gets past access control to a clean refusal of the input.
MAIL_THREAD_MODELS = (
    "account.analytic.account", "account.bank.statement", "account.invoice", "account.payment", "calendar.event",
    "crm.lead", "crm.team", "ecrm.duplicate.group", "ecrm.exchange", "ecrm.sage.backend", "ecrm.trading.partner",
    "mail.channel", "mail.mass_mailing.contact", "mail.test", "mail.test.simple", "product.product",
    "product.template", "purchase.order", "queue.job", "res.partner", "sale.order", "stock.picking",
    "stock.production.lot",
)

METHODS = [
    # ---- ecrm_core: the timeline --------------------------------------------------------------
    # model, method                      portal employee user    manager  call
    row("ecrm.interaction", "log",        DENY, DENY,   ALLOW,  ALLOW,   lambda c: [interaction(c)]),
    row("ecrm.interaction", "log",        DENY, DENY,   OwnOrRefused(logged_by_caller), ALLOW,
        lambda c: [forged(c)], variant="forged author (user_id of the admin)"),
    row("ecrm.interaction", "log_many",   DENY, DENY,   ALLOW,  ALLOW,   lambda c: [[interaction(c)] * 2]),
    row("ecrm.interaction", "log_many",   DENY, DENY,   OwnOrRefused(logged_by_caller), ALLOW,
        lambda c: [[forged(c)]], variant="forged author (user_id of the admin)"),
    row("ecrm.interaction", "create",     DENY, DENY,   ALLOW,  ALLOW,   lambda c: [interaction(c)]),
    # managers correct entries; a type given by its code keeps the entry's type in step
    row("ecrm.interaction", "write",      DENY, DENY,   DENY,   ALLOW,
        lambda c: [[c.ids["other_interaction"]], {"interaction_type": "call_me"}]),
    row("ecrm.interaction", "unlink",     DENY, DENY,   DENY,   ALLOW,
        lambda c: [[c.admin.ok("ecrm.interaction", "log", interaction(c))]]),
    row("ecrm.interaction", "create",     DENY, DENY,   OwnOrRefused(logged_by_caller), ALLOW,
        lambda c: [forged(c)], variant="forged author (user_id of the admin)"),
    # ---- consent ---------------------------------------------------------------------------------
    row("ecrm.consent", "create",         DENY, DENY,   ALLOW,  ALLOW,
        lambda c: [{"partner_id": c.box.partner(), "channel": "post", "state": "opted_in"}]),
    row("ecrm.consent", "write",          DENY, DENY,   ALLOW,  ALLOW,
        lambda c: [[c.ids["consent"]], {"proof": "Matrix call note"}]),
    row("res.partner", "ecrm_set_consent", DENY, DENY,  ALLOW,  ALLOW,
        lambda c: [[c.box.partner()], "sms", "opted_in", "staff", "Matrix proof"]),
    row("res.partner", "ecrm_contactable", Own(only_own_partners), ALLOW, ALLOW, ALLOW,
        lambda c: [[c.ids["own_contact"], c.ids["other_company"]], "sms"]),
    row("res.partner", "ecrm_can_contact", Own(cannot_see_other), ALLOW, ALLOW, ALLOW,
        lambda c: [[c.ids["other_company"]], "sms"]),
    row("res.partner", "ecrm_consent_summary", Own(summary_of_own_only), ALLOW, ALLOW, ALLOW,
        lambda c: [[c.ids["own_contact"], c.ids["other_company"]], "sms"]),
    # ---- 360 figures and data quality ---------------------------------------------------------
    row("res.partner", "action_view_ecrm_interactions", NAV, NAV, NAV, NAV, lambda c: [[c.ids["own_company"]]]),
    row("res.partner", "action_ecrm_recompute_360", DENY, DENY, ALLOW, ALLOW, lambda c: [[c.ids["own_company"]]]),
    row("res.partner", "ecrm_recompute_360", DENY, DENY, ALLOW, ALLOW, lambda c: [[c.ids["own_company"]]]),
    row("res.partner", "ecrm_recompute_360", DENY, DENY, DENY, ALLOW, lambda c: [], variant="everyone"),
    row("res.partner", "ecrm_recompute_quality", DENY, DENY, ALLOW, ALLOW, lambda c: [[c.ids["own_company"]]]),
    row("res.partner", "ecrm_recompute_quality", DENY, DENY, DENY, ALLOW, lambda c: [], variant="everyone"),
    row("res.partner", "ecrm_cron_recompute", DENY, DENY, DENY, ALLOW, lambda c: [], protocols=JSON),
    row("res.partner", "create",          Host("res.partner", "create"), Host("res.partner", "create"),
        Host("res.partner", "create"), Host("res.partner", "create"), lambda c: [{"name": c.box.unique("Matrix ")}]),
    row("res.partner", "write",           Host("res.partner", "write"), Host("res.partner", "write"),
        Host("res.partner", "write"), Host("res.partner", "write"),
        lambda c: [[c.ids["own_contact"]], {"comment": "Matrix note"}]),
    # settings are the administrator's (Settings group), eCRM managers included in the refusal
    row("res.config.settings", "action_ecrm_recompute_360", DENY, DENY, DENY, DENY,
        lambda c: [[c.box.settings()]]),
    row("res.config.settings", "get_values", DENY, DENY, DENY, DENY, lambda c: []),
    row("res.config.settings", "set_values", DENY, DENY, DENY, DENY, lambda c: [[c.box.settings()]]),
    row("ecrm.interaction.type", "action_view_interactions", DENY, DENY, ALLOW, ALLOW,
        lambda c: [c.admin.ok("ecrm.interaction.type", "search", [("code", "=", "call")])]),
    row("ecrm.interaction.type", "create", DENY, DENY, DENY, ALLOW, lambda c: [c.box.interaction_type_values()]),
    row("ecrm.interaction.type", "write", DENY, DENY, DENY, ALLOW,
        lambda c: [[c.ids["interaction_type"]], {"sequence": 10}]),
    row("ecrm.interaction.type", "unlink", DENY, DENY, DENY, ALLOW, lambda c: [[c.box.interaction_type()]]),
    row("ecrm.customer360.field", "create", DENY, DENY, DENY, ALLOW,
        lambda c: [c.box.customer360_field_values()]),
    row("ecrm.customer360.field", "write", DENY, DENY,  DENY,   ALLOW,
        lambda c: [[c.ids["customer360_field"]], {"sequence": 99}]),
    row("ecrm.customer360.field", "unlink", DENY, DENY, DENY,   ALLOW, lambda c: [[c.box.customer360_field()]]),
    row("ecrm.quality.rule", "create",    DENY, DENY,   DENY,   ALLOW, lambda c: [c.box.quality_rule_values()]),
    row("ecrm.quality.rule", "write",     DENY, DENY,   DENY,   ALLOW,
        lambda c: [[c.ids["quality_rule"]], {"sequence": 10}]),
    row("ecrm.quality.rule", "unlink",    DENY, DENY,   DENY,   ALLOW,
        lambda c: [[c.admin.ok("ecrm.quality.rule", "create", c.box.quality_rule_values())]]),
    # ---- duplicates and import ----------------------------------------------------------------
    row("ecrm.duplicate.group", "scan",   DENY, DENY,   DENY,   ALLOW,
        lambda c: [[("id", "in", c.box.duplicate_pair())]]),
    # a background scan of the whole company; a second start while one runs is a clean refusal
    row("res.company", "action_ecrm_scan_duplicates", DENY, DENY, DENY, PASS, lambda c: [[c.ids["company"]]]),
    # queue_job's garbage collector, which the suite teaches to take back a dead worker's jobs
    row("queue.job", "requeue_stuck_jobs", Host("queue.job", "write"), Host("queue.job", "write"),
        Host("queue.job", "write"), Host("queue.job", "write"), lambda c: []),
    row("res.config.settings", "action_ecrm_scan_duplicates", DENY, DENY, DENY, DENY,
        lambda c: [[c.box.settings()]]),
    row("ecrm.duplicate.group", "action_dismiss", DENY, DENY, ALLOW, ALLOW, lambda c: [[c.box.duplicate_group()]]),
    row("ecrm.duplicate.group", "action_merge", DENY, DENY, DENY, ALLOW, lambda c: [[c.box.duplicate_group()]]),
    # dropping one customer from a group is a partial "not duplicates": eCRM Users may
    row("ecrm.duplicate.group.drop", "action_drop", DENY, DENY, ALLOW, ALLOW, drop_wizard),
    row("ecrm.duplicate.group", "action_open_merge_wizard", NAV, NAV, NAV, NAV,
        lambda c: [[c.ids["duplicate_group"]]]),
    row("ecrm.partner.import", "action_dry_run", DENY, DENY, ALLOW, ALLOW, import_wizard),
    row("ecrm.partner.import", "action_commit", DENY, DENY, DENY, ALLOW, import_wizard),
    row("ecrm.partner.import", "action_download_rejects", NAV, NAV, NAV, NAV, import_wizard),
    # ---- ecrm_marketing ---------------------------------------------------------------------------
    row("utm.campaign", "ecrm_roi_report", DENY, DENY,  ALLOW,  ALLOW,   lambda c: [[c.ids["campaign"]]]),
    row("utm.campaign", "action_view_ecrm_costs", NAV, NAV, NAV, NAV,   lambda c: [[c.ids["campaign"]]]),
    row("ecrm.segment", "ecrm_segment_ids_of_partner", DENY, DENY, ALLOW, ALLOW, lambda c: [c.ids["own_contact"]]),
    row("ecrm.segment", "ecrm_contactable_partner_ids", DENY, DENY, ALLOW, ALLOW, lambda c: [[c.ids["segment"]]]),
    row("ecrm.segment", "mailing_domain", DENY, DENY,   ALLOW,  ALLOW,   lambda c: [[c.ids["segment"]]]),
    row("ecrm.segment", "action_snapshot", DENY, DENY,  DENY,   ALLOW,   lambda c: [[c.box.segment()]]),
    row("ecrm.segment", "action_release_snapshot", DENY, DENY, DENY, ALLOW, lambda c: [[c.box.segment()]]),
    row("ecrm.segment", "action_create_mailing", DENY, DENY, Host("mail.mass_mailing", "create"),
        Host("mail.mass_mailing", "create"), lambda c: [[c.ids["segment"]]]),
    row("ecrm.segment", "action_sync_mailing_list", DENY, DENY, DENY, Host("mail.mass_mailing.list", "create"),
        lambda c: [[c.box.segment()]]),
    row("ecrm.campaign.program", "action_start", DENY, DENY, DENY, ALLOW, lambda c: [[c.box.program()]]),
    row("ecrm.campaign.program", "action_pause", DENY, DENY, DENY, ALLOW, lambda c: [[c.box.program(start=True)]]),
    row("ecrm.campaign.program", "action_resume", DENY, DENY, DENY, ALLOW, lambda c: [[c.box.program(paused=True)]]),
    row("ecrm.campaign.program", "action_finish", DENY, DENY, DENY, ALLOW, lambda c: [[c.box.program(start=True)]]),
    row("ecrm.campaign.program", "action_run", DENY, DENY, DENY, ALLOW, lambda c: [[c.box.program(start=True)]]),
    row("ecrm.campaign.program", "run",   DENY, DENY,   DENY,   ALLOW,   lambda c: [[c.box.program(start=True)]]),
    # steps and participants take their program's company as they are created (the company rule)
    row("ecrm.campaign.program.step", "create", DENY, DENY, DENY, ALLOW,
        lambda c: [{"program_id": c.box.program(), "name": "Matrix step", "trigger": "start",
                    "action": "interaction"}]),
    row("ecrm.campaign.participant", "create", DENY, DENY, DENY, ALLOW,
        lambda c: [{"program_id": c.box.program(segment=False), "partner_id": c.ids["own_contact"]}]),
    row("ecrm.campaign.program", "enroll", DENY, DENY,  DENY,   ALLOW,
        lambda c: [[c.box.program(segment=False)], [c.ids["own_contact"]]]),
    row("ecrm.campaign.program", "enroll", DENY, DENY,  DENY,   OwnOrRefused(nobody_unreadable_enrolled),
        lambda c: [[c.box.program(segment=False)], [c.ids["private_partner"]]],
        variant="a partner the caller cannot read"),
    # host methods the suite extends so an opt-out is e-mail consent: the host's rights hold (the
    # unsubscribe pages call update_opt_out as superuser, after checking the link's token)
    row("mail.mass_mailing", "update_opt_out", Host("mail.mass_mailing", "read"), Host("mail.mass_mailing", "read"),
        Host("mail.mass_mailing", "read"), Host("mail.mass_mailing", "read"),
        lambda c: [[partner_mailing(c)], c.box.unique("nobody-") + "@matrix.example", [c.box.partner()], True],
        protocols=JSON),  # the host's method answers None, which XML-RPC cannot carry
    # the frequency cap holds the host's own mass mailings to customers back; one-click headers on their mails
    row("mail.mass_mailing", "get_remaining_recipients", Host("mail.mass_mailing", "read"),
        Host("mail.mass_mailing", "read"), Host("mail.mass_mailing", "read"), Host("mail.mass_mailing", "read"),
        lambda c: [[partner_mailing(c)]]),
    row("mail.mail", "create", Host("mail.mail", "create"), Host("mail.mail", "create"), Host("mail.mail", "create"),
        Host("mail.mail", "create"),
        lambda c: [{"subject": "Matrix", "body_html": "<p>Matrix</p>", "email_to": "nobody@matrix.example"}]),
    row("mail.mass_mailing.contact", "create", Host("mail.mass_mailing.contact", "create"),
        Host("mail.mass_mailing.contact", "create"), Host("mail.mass_mailing.contact", "create"),
        Host("mail.mass_mailing.contact", "create"),
        lambda c: [{"name": c.box.unique("Matrix contact "), "email": c.box.unique("contact-") + "@matrix.example"}]),
    row("mail.mass_mailing.contact", "write", Host("mail.mass_mailing.contact", "write"),
        Host("mail.mass_mailing.contact", "write"), Host("mail.mass_mailing.contact", "write"),
        Host("mail.mass_mailing.contact", "write"),
        lambda c: [[c.admin.ok("mail.mass_mailing.contact", "create", {
            "name": c.box.unique("Matrix contact "), "email": c.box.unique("contact-") + "@matrix.example"})],
            {"name": "Matrix contact"}]),
    # ---- ecrm_portal: the customer's own self-service (every actor has a partner of its own) --------
    row("res.partner", "ecrm_portal_save_preferences", Own(own_preferences_saved), Own(own_preferences_saved),
        Own(own_preferences_saved), Own(own_preferences_saved),
        lambda c: args(consents={"sms": "opted_in"}, stated_channel="post", interest_category_ids=[])),
    row("res.partner", "ecrm_portal_public_types", ALLOW, ALLOW, ALLOW, ALLOW, lambda c: []),
    row("res.partner", "ecrm_portal_timeline", Own(own_timeline), Own(own_timeline), Own(own_timeline),
        Own(own_timeline), lambda c: []),
    row("res.partner", "ecrm_portal_call_me", Own(own_interaction), Own(own_interaction), Own(own_interaction),
        Own(own_interaction), lambda c: ["Matrix hoist servicing", "Friday"], protocols=JSON),  # once an hour
    row("res.partner", "ecrm_portal_next_question", Own(question_or_nothing), Own(question_or_nothing),
        Own(question_or_nothing), Own(question_or_nothing), lambda c: []),
    row("res.partner", "ecrm_portal_answer", Own(own_answer), Own(own_answer), Own(own_answer), Own(own_answer),
        lambda c: [c.box.question(), "Matrix yes"]),
    row("ecrm.profile.question", "option_list", DENY, DENY, ALLOW, ALLOW, lambda c: [[c.ids["question"]]]),
    row("ecrm.page.view", "ecrm_path_report", DENY, DENY, ALLOW, ALLOW, lambda c: ["2026-01-01"]),
    row("ecrm.page.view", "cron_purge",   DENY, DENY,   DENY,   ALLOW,
        lambda c: [c.box.old_page_view() and 3650]),
    row("ecrm.personalisation.preview", "preview", DENY, DENY, ALLOW, ALLOW,
        lambda c: [[c.own("ecrm.personalisation.preview", {"website_id": c.ids["website"],
                                                           "partner_id": c.ids["other_company"]})]]),
    row("ecrm.personalisation.rule", "create", DENY, DENY, DENY, ALLOW,
        lambda c: [{"name": c.box.unique("Matrix Rule "), "active": False}]),
    row("ecrm.personalisation.rule", "write", DENY, DENY, DENY, ALLOW,
        lambda c: [[c.ids["rule"]], {"priority": 10}]),
    row("ecrm.personalisation.rule", "unlink", DENY, DENY, DENY, ALLOW,
        lambda c: [[c.admin.ok("ecrm.personalisation.rule", "create", {"name": c.box.unique(), "active": False})]]),
    row("sale.order", "ecrm_cron_abandoned_carts", DENY, DENY, DENY, ALLOW, lambda c: [100000]),
    # page helpers QWeb calls while rendering; over RPC they must answer nothing (or refuse). The visitor
    # and the decision behind them are private (_ecrm_visitor, _ecrm_decision): Odoo refuses those over RPC
    # (tests/e2e/portal/test_personalisation_http.py), and the inventory lists public methods only
    row("website", "ecrm_block",          QUIET, QUIET, QUIET,  QUIET,   lambda c: [[c.ids["website"]], "home_banner"]),
    row("website", "ecrm_promoted_products", QUIET, QUIET, QUIET, QUIET, lambda c: [[c.ids["website"]]]),
    row("website", "ecrm_block_html",     QUIET, QUIET, PASS,   PASS,
        lambda c: [[c.ids["website"]], {"id": c.ids["rule"]}]),
    row("website", "ecrm_rule_record",    QUIET, QUIET, PASS,   PASS,
        lambda c: [[c.ids["website"]], {"id": c.ids["rule"]}]),
    # the host's own method, overridden for rule pricelists; XML-RPC has no web request to price with
    row("website", "get_current_pricelist", PASS, PASS, PASS,   PASS,    lambda c: [[c.ids["website"]]],
        protocols=JSON),
    # ---- ecrm_eprocurement ------------------------------------------------------------------------
    # intake helpers the endpoint calls with records, never an RPC surface: private, so Odoo refuses
    # them to everyone (these rows are the only private ones; the inventory lists public methods)
    row("ecrm.exchange", "_receive",      DENY, DENY,   DENY,   DENY,
        lambda c: [c.ids["trading_partner"], "csv", "MX-1,1"]),
    row("ecrm.exchange", "_record_refusal", DENY, DENY, DENY,   DENY,
        lambda c: [c.ids["trading_partner"], "csv", 403, "Matrix refusal"]),
    row("ecrm.exchange", "retry",         DENY, DENY,   Own(retried_list), Own(retried_list),
        lambda c: [[c.box.retryable_exchange()]]),
    row("ecrm.exchange", "action_retry",  DENY, DENY,   ALLOW,  ALLOW,   lambda c: [[c.box.retryable_exchange()]]),
    # managers delete exchanges (with their payload) though nobody writes them
    row("ecrm.exchange", "unlink",        DENY, DENY,   DENY,   ALLOW,   lambda c: [[c.box.exchange()]]),
    row("ecrm.trading.partner", "generate_credential", DENY, DENY, DENY, ALLOW,
        lambda c: [[c.box.trading_partner()]]),
    row("ecrm.trading.partner", "action_generate_credential", DENY, DENY, DENY, ALLOW,
        lambda c: [[c.box.trading_partner()]]),
    row("ecrm.trading.partner", "action_send_test_order", DENY, DENY, DENY, ALLOW,
        lambda c: [[c.ids["trading_partner"]]]),
    row("ecrm.trading.partner", "action_view_exchanges", NAV, NAV, NAV, NAV, lambda c: [[c.ids["trading_partner"]]]),
    row("ecrm.trading.partner", "action_view_errors", NAV, NAV, NAV, NAV, lambda c: [[c.ids["trading_partner"]]]),
    # host methods the suite extends (confirm hooks, 360 refresh on write): the host's rights hold
    row("sale.order", "write",            Host("sale.order", "write"), Host("sale.order", "write"),
        Host("sale.order", "write"), Host("sale.order", "write"),
        lambda c: [[c.ids["quotation"]], {"note": "Matrix note"}]),
    row("sale.order", "action_confirm",   Host("sale.order", "write"), Host("sale.order", "write"),
        Host("sale.order", "write"), Host("sale.order", "write"), lambda c: [[c.box.quotation()]]),
    # the host's events the timeline logs (ecrm_core's host hooks): the host's rights hold
    row("account.invoice", "write",       Host("account.invoice", "write"), Host("account.invoice", "write"),
        Host("account.invoice", "write"), Host("account.invoice", "write"),
        lambda c: [[c.box.invoice()], {"comment": "Matrix note"}]),
    row("crm.lead", "create",             Host("crm.lead", "create"), Host("crm.lead", "create"),
        Host("crm.lead", "create"), Host("crm.lead", "create"), lambda c: [{"name": c.box.unique("Matrix lead ")}]),
    row("crm.lead", "write",              Host("crm.lead", "write"), Host("crm.lead", "write"),
        Host("crm.lead", "write"), Host("crm.lead", "write"), lambda c: [[c.box.lead()], {"probability": 100}]),
    # the host refuses a portal user a message outside any document (its own rule, not the hook's)
    row("mail.message", "create",         DENY, Host("mail.message", "create"),
        Host("mail.message", "create"), Host("mail.message", "create"),
        lambda c: [{"body": "<p>Matrix</p>", "message_type": "comment"}]),
    # the composer is a mail.message (_inherit): the same create, the host's wizard rights
    row("mail.compose.message", "create", Host("mail.compose.message", "create"),
        Host("mail.compose.message", "create"), Host("mail.compose.message", "create"),
        Host("mail.compose.message", "create"), lambda c: [{"body": "<p>Matrix</p>", "composition_mode": "comment"}]),
    # the composer's mass mail to customers first asks the send paths' one rule (consent, opt-out, bounce, cap):
    # a new customer has no e-mail consent, so whoever may use the composer gets its clean refusal
    row("mail.compose.message", "get_mail_values", PASS, PASS, PASS, PASS,
        lambda c: [[c.own("mail.compose.message", {"composition_mode": "mass_mail", "model": "res.partner",
                                                   "subject": "Matrix", "body": "<p>Matrix</p>"})],
                   [c.box.partner()]]),
    row("calendar.event", "create",       Host("calendar.event", "create"), Host("calendar.event", "create"),
        Host("calendar.event", "create"), Host("calendar.event", "create"),
        lambda c: [{"name": c.box.unique("Matrix meeting "), "start": "2026-12-08 10:00:00",
                    "stop": "2026-12-08 11:00:00"}]),
    row("calendar.event", "write",        Host("calendar.event", "write"), Host("calendar.event", "write"),
        Host("calendar.event", "write"), Host("calendar.event", "write"),
        lambda c: [[c.box.meeting()], {"description": "Matrix"}]),
    row("mail.mail.statistics", "write",  Host("mail.mail.statistics", "write"),
        Host("mail.mail.statistics", "write"), Host("mail.mail.statistics", "write"),
        Host("mail.mail.statistics", "write"), lambda c: [[c.box.mail_statistics()], {"opened": "2026-12-01 10:00:00"}]),
    # filling the timeline from history: a manager's job, like the duplicate scan
    row("ecrm.timeline.backfill", "backfill", DENY, DENY, DENY, ALLOW, lambda c: [True]),
    row("ecrm.timeline.backfill", "action_start", DENY, DENY, DENY, PASS, lambda c: [[c.box.backfill_run()]]),
    # everyone's figures recomputed in page jobs (the nightly cron's work, or started at once)
    row("ecrm.recompute.run", "start", DENY, DENY, DENY, ALLOW, lambda c: []),
    # the sales report's financial years follow a company's accounting year end (res_company.py)
    row("res.company", "create",          Host("res.company", "create"), Host("res.company", "create"),
        Host("res.company", "create"), Host("res.company", "create"),
        lambda c: [{"name": c.box.unique("Matrix company ")}]),
    row("res.company", "write",           Host("res.company", "write"), Host("res.company", "write"),
        Host("res.company", "write"), Host("res.company", "write"),
        lambda c: [[c.ids["company"]], {name: value for name, value in c.admin.ok(  # unchanged values
            "res.company", "read", [c.ids["company"]], ["fiscalyear_last_month", "fiscalyear_last_day"])[0].items()
            if name != "id"}]),
    row("sale.order.line", "write",       Host("sale.order.line", "write"), Host("sale.order.line", "write"),
        Host("sale.order.line", "write"), Host("sale.order.line", "write"),
        lambda c: [[c.ids["quotation_line"]], {"name": "Matrix line"}]),
    # ---- ecrm_sage_bridge ---------------------------------------------------------------------------
    row("ecrm.sage.backend", "export_batch", DENY, DENY, DENY,  ALLOW,
        lambda c: [c.ids["backend"], "customers", True]),
    row("ecrm.sage.backend", "import_file", DENY, DENY,  DENY,  ALLOW,
        lambda c: [c.ids["backend"], "receipts", c.box.csv(SAGE_RECEIPTS), True]),
    row("ecrm.sage.backend", "import_api_receipts", DENY, DENY, DENY, PASS, lambda c: [c.ids["backend"], True]),
    row("ecrm.sage.backend", "import_api_balances", DENY, DENY, DENY, PASS, lambda c: [c.ids["backend"], True]),
    row("ecrm.sage.backend", "action_run_reconciliation", DENY, DENY, DENY, NAV, lambda c: [[c.ids["backend"]]]),
    row("ecrm.sage.backend", "action_view_reconciliation", NAV, NAV, NAV, NAV, lambda c: [[c.ids["backend"]]]),
    row("ecrm.sage.backend", "action_view_conflicts", NAV, NAV, NAV, NAV, lambda c: [[c.ids["backend"]]]),
    row("ecrm.sage.backend", "action_map_uk_taxes", DENY, DENY, DENY, ALLOW, lambda c: [[c.ids["backend"]]]),
    row("ecrm.sage.batch", "create",      DENY, DENY,   DENY,   ALLOW,
        lambda c: [{"backend_id": c.ids["backend"], "kind": "customers"}]),
    row("ecrm.sage.batch", "action_mark_done", DENY, DENY, DENY, ALLOW, lambda c: [[c.box.batch()]]),
    row("ecrm.sage.batch", "action_view_jobs", NAV, NAV, NAV, NAV, lambda c: [[c.ids["batch"]]]),
    row("ecrm.sage.binding", "create",    DENY, DENY,   DENY,   ALLOW, lambda c: [c.box.binding_values()]),
    row("ecrm.sage.binding", "write",     DENY, DENY,   DENY,   ALLOW,
        lambda c: [[c.ids["binding"]], {"last_error": "Matrix note"}]),
    row("ecrm.sage.binding", "unlink",    DENY, DENY,   DENY,   ALLOW, lambda c: [[c.box.binding()]]),
    row("ecrm.sage.binding", "action_accept_odoo_version", DENY, DENY, DENY, ALLOW,
        lambda c: [[c.box.binding(state="conflict")]]),
    # booking a payment on an invoice is the host's accounting: an eCRM Manager needs Billing too
    row("ecrm.sage.receipt", "action_register_payment", DENY, DENY, DENY, Host("account.invoice", "write"),
        lambda c: [[c.box.receipt()]]),
    row("ecrm.sage.reconciliation.line", "action_view_unmatched", NAV, NAV, NAV, NAV,
        lambda c: [[c.ids["reconciliation_line"]]]),
    row("ecrm.sage.reconciliation.line", "action_view_open_invoices", NAV, NAV, NAV, NAV,
        lambda c: [[c.ids["reconciliation_line"]]]),
    row("ecrm.sage.export.wizard", "action_preview", DENY, DENY, DENY, NAV,
        sage_wizard("ecrm.sage.export.wizard", kind="customers")),
    row("ecrm.sage.export.wizard", "action_export", DENY, DENY, DENY, NAV,
        sage_wizard("ecrm.sage.export.wizard", kind="invoices")),
    row("ecrm.sage.import.wizard", "action_check", DENY, DENY, DENY, NAV,
        lambda c: sage_wizard("ecrm.sage.import.wizard", kind="receipts", file=c.box.csv(SAGE_RECEIPTS))(c)),
    row("ecrm.sage.import.wizard", "action_import", DENY, DENY, DENY, NAV,
        lambda c: sage_wizard("ecrm.sage.import.wizard", kind="receipts", file=c.box.csv(SAGE_RECEIPTS))(c)),
    row("ecrm.sage.reconciliation.wizard", "action_reconcile", DENY, DENY, DENY, NAV,
        sage_wizard("ecrm.sage.reconciliation.wizard")),
] + [
    row(model, "message_route", PASS, PASS, PASS, PASS, lambda c: ["From: someone@example.com\n\nHello", {}])
    for model in MAIL_THREAD_MODELS
]

# ---- models: read (read, search_read, read_group, search_count), write, create, unlink --------------
# "rwcu" letters an actor may use; transient models (wizards) are the host's: everyone works on
# their own records only, and the add-on's actions guard what a wizard does (METHODS above).
NONE, READ = "----", "r---"
#                                        portal  employee  user    manager
MODELS = {
    "ecrm.interaction":                  (NONE,  NONE,     "r-c-", "rwcu"),  # managers correct entries
    "ecrm.interaction.type":             (NONE,  NONE,     READ,   "rwcu"),  # the timeline's vocabulary
    "ecrm.consent":                      (NONE,  NONE,     "rwc-", "rwcu"),
    "ecrm.consent.history":              (NONE,  NONE,     READ,   READ),    # the audit trail is never edited
    "ecrm.sector":                       (NONE,  READ,     READ,   "rwcu"),
    "ecrm.quality.rule":                 (NONE,  READ,     READ,   "rwcu"),
    "ecrm.duplicate.group":              (NONE,  NONE,     "rwc-", "rwcu"),
    "ecrm.customer360.field":            (NONE,  NONE,     READ,   "rwcu"),
    "ecrm.job.progress":                 (NONE,  NONE,     READ,   READ),    # written by the job mixin only
    "ecrm.timeline.backfill":            (NONE,  NONE,     NONE,   "rwcu"),
    "ecrm.recompute.run":                (NONE,  NONE,     NONE,   "rwc-"),  # and administrators
    "ecrm.campaign.cost":                (NONE,  NONE,     "rwc-", "rwcu"),
    "ecrm.campaign.channel.report":      (NONE,  NONE,     READ,   READ),
    "ecrm.campaign.roi.report":          (NONE,  NONE,     READ,   READ),
    "ecrm.segment":                      (NONE,  NONE,     READ,   "rwcu"),
    "ecrm.campaign.program":             (NONE,  NONE,     READ,   "rwcu"),
    "ecrm.campaign.program.step":        (NONE,  NONE,     READ,   "rwcu"),
    "ecrm.campaign.participant":         (NONE,  NONE,     READ,   "rwcu"),
    "ecrm.campaign.step.log":            (NONE,  NONE,     READ,   "r--u"),
    "ecrm.personalisation.rule":         (NONE,  NONE,     READ,   "rwcu"),
    "ecrm.portal.segment":               (NONE,  NONE,     READ,   READ),
    "ecrm.visitor":                      (NONE,  NONE,     READ,   "rw-u"),
    "ecrm.page.view":                    (NONE,  NONE,     READ,   "r--u"),
    "ecrm.page.view.daily":              (NONE,  NONE,     READ,   "r--u"),
    "ecrm.profile.question":             (NONE,  NONE,     READ,   "rwcu"),
    "ecrm.profile.answer":               (NONE,  NONE,     READ,   "r--u"),
    "ecrm.trading.partner":              (NONE,  NONE,     READ,   "rwcu"),
    "ecrm.trading.partner.product":      (NONE,  NONE,     READ,   "rwcu"),
    "ecrm.exchange":                     (NONE,  NONE,     READ,   "r--u"),  # nobody writes exchanges by hand
    "ecrm.sage.backend":                 (NONE,  NONE,     READ,   "rwcu"),
    "ecrm.sage.tax.map":                 (NONE,  NONE,     READ,   "rwcu"),
    "ecrm.sage.nominal.map":             (NONE,  NONE,     READ,   "rwcu"),
    "ecrm.sage.binding":                 (NONE,  NONE,     READ,   "rwcu"),
    "ecrm.sage.batch":                   (NONE,  NONE,     READ,   "rwc-"),
    "ecrm.sage.receipt":                 (NONE,  NONE,     READ,   "rwc-"),
    "ecrm.sage.reconciliation.line":     (NONE,  NONE,     READ,   "rwcu"),
    "ecrm.sage.balance.snapshot":        (NONE,  NONE,     READ,   "r--u"),
    "ecrm.sage.api.token":               (NONE,  NONE,     NONE,   NONE),    # read through its own cursor only
}
TRANSIENT = "own records only"
WIZARDS = {  # model -> values an actor creates one of its own with
    "ecrm.partner.import": lambda c: {"file": c.box.csv("Name\nMatrix\n"), "filename": "m.csv"},
    "ecrm.partner.import.line": lambda c: {"import_id": c.own("ecrm.partner.import", {}), "line": 1,
                                           "action": "new"},
    "ecrm.partner.import.column": lambda c: {"import_id": c.own("ecrm.partner.import", {}), "column": "Name"},
    "ecrm.duplicate.group.drop": drop_wizard_values,
    "ecrm.path.report": lambda c: {"date_from": "2026-01-01"},
    "ecrm.personalisation.preview": lambda c: {"website_id": c.ids["website"]},
    "ecrm.credential.wizard": lambda c: {},
    "ecrm.sage.export.wizard": lambda c: {"backend_id": c.ids["backend"], "kind": "customers"},
    "ecrm.sage.import.wizard": lambda c: {"backend_id": c.ids["backend"], "file": c.box.csv(SAGE_RECEIPTS)},
    "ecrm.sage.reconciliation.wizard": lambda c: {"backend_id": c.ids["backend"]},
}

# ---- fields the add-ons put on host models -------------------------------------------------------
# STAFF: eCRM figures and profiling, for eCRM Users and Managers only, whoever may read the record
#        (portal users not even on their own partner); refused to read, group by, write or create with.
# HOST:  plain customer data that follows the record: whoever the host lets read the record reads it.
STAFF, HOST = "staff", "host"
FIELDS = {
    "res.partner": {
        STAFF: """ecrm_order_count ecrm_revenue ecrm_avg_order_value ecrm_first_order_date ecrm_last_order_date
                  ecrm_days_since_last_order ecrm_recency_score ecrm_frequency_score ecrm_monetary_score
                  ecrm_rfm_segment ecrm_lifetime_value ecrm_currency_id ecrm_interaction_count ecrm_last_interaction_date
                  ecrm_preferred_channel ecrm_data_quality_score ecrm_quality_band ecrm_quality_issues
                  ecrm_quality_flagged ecrm_consent_ids ecrm_recent_interaction_ids ecrm_open_opportunity_ids
                  ecrm_open_quotation_ids ecrm_unpaid_invoice_ids ecrm_visitor_ids
                  sage_binding_ids sage_account_ref sage_balance sage_overdue sage_credit_limit sage_on_hold
                  sage_credit_status sage_balance_date""",
        HOST: """ecrm_sector_id ecrm_consent_email ecrm_consent_phone ecrm_consent_post ecrm_consent_sms
                 ecrm_gln ecrm_interest_category_ids ecrm_stated_channel""",
    },
    "utm.campaign": {
        # the campaign record itself is readable by every user (portal and public included)
        STAFF: """ecrm_budget ecrm_cost_ids ecrm_revenue_basis ecrm_segment_id ecrm_target_size
                  ecrm_expected_response_rate ecrm_expected_conversion_rate ecrm_expected_avg_order_value
                  ecrm_margin_percent ecrm_product_category_id ecrm_forecast_margin_percent ecrm_margin_source
                  ecrm_expected_revenue ecrm_expected_margin ecrm_expected_roi ecrm_actual_cost ecrm_lead_count
                  ecrm_opportunity_count ecrm_won_count ecrm_quotation_count ecrm_order_count ecrm_invoice_count
                  ecrm_won_customer_count ecrm_revenue_confirmed ecrm_revenue_invoiced ecrm_revenue_paid
                  ecrm_attributed_revenue ecrm_roi ecrm_cost_per_lead ecrm_cost_per_won_customer
                  ecrm_expected_roi_on_revenue ecrm_actual_margin_percent ecrm_actual_margin_source
                  ecrm_attributed_margin ecrm_roi_on_margin""",
        HOST: "ecrm_currency_id",
    },
    "sale.order": {HOST: "ecrm_exchange_id ecrm_urgent"},
    "sale.report": {HOST: "ecrm_sector_id ecrm_state_id ecrm_financial_year"},
    # where the company's duplicate scan stands: no figure, no customer (ecrm.job.mixin)
    "res.company": {HOST: """ecrm_ltv_horizon_years ecrm_log_host_email ecrm_log_host_sale ecrm_log_host_invoice
                             ecrm_log_host_lead ecrm_log_host_activity
                             ecrm_contact_cap ecrm_contact_cap_days
                             ecrm_job_state ecrm_job_done ecrm_job_total ecrm_job_percent ecrm_job_message
                             ecrm_job_user_id ecrm_rfm_thresholds_date""",
                    # the revenue and frequency cut points of the whole customer base
                    STAFF: "ecrm_rfm_thresholds"},
    "res.config.settings": {HOST: """ecrm_fiscalyear_last_month ecrm_fiscalyear_last_day
                                     ecrm_ltv_horizon_years ecrm_contact_cap ecrm_contact_cap_days
                                     ecrm_scan_state ecrm_scan_percent ecrm_scan_message
                                     ecrm_page_view_retention_days
                                     ecrm_cart_idle_hours ecrm_call_me_interval_minutes
                                     ecrm_log_host_email ecrm_log_host_sale ecrm_log_host_invoice
                                     ecrm_log_host_lead ecrm_log_host_activity"""},
}
# secrets on the add-ons' own models: who may read them at all
#                                                 portal employee user   manager
SECRET_FIELDS = {
    ("ecrm.trading.partner", "credential_hash"):  (DENY, DENY,   DENY,  DENY),
    ("ecrm.sage.backend", "api_client_secret"):   (DENY, DENY,   DENY,  ALLOW),
    ("ecrm.sage.backend", "api_refresh_token"):   (DENY, DENY,   DENY,  ALLOW),
}


def field_policy():
    """{(model, field): STAFF or HOST}."""
    return {(model, name): policy for model, policies in FIELDS.items()
            for policy, names in policies.items() for name in names.split()}


def method_keys():
    return {(item.model, item.method) for item in METHODS}


def prepare(item, context):
    """The (args, kwargs) of a row's call for this actor; Unreachable propagates."""
    made = item.call(context)
    return made if isinstance(made, Call) else Call(list(made), {})

