"""The matrix's own data, made by the admin over XML-RPC: four users and the records they try to reach.

Everything carries a random tag, lives beside the demo data and touches none of it, so
the other e2e tests of the session see the demo as they expect. The names, e-mails and
figures of the records a user must not see are the "secrets" a refusal must not echo.
"""
import base64
import itertools
import time
import uuid

import odoo
import psycopg2
import requests

from odoo.addons.ecrm_eprocurement.order_formats.sample import build_order

from .actors import RpcActor

PORTAL, EMPLOYEE, USER, MANAGER = "portal", "employee", "user", "manager"
ACTORS = (PORTAL, EMPLOYEE, USER, MANAGER)
GROUPS = {
    PORTAL: ["base.group_portal"],
    EMPLOYEE: ["base.group_user"],  # an internal user without any eCRM group
    # eCRM staff also create contacts (as every internal user of the demo does): without it the host
    # itself would refuse the imports and merges the README gives them
    USER: ["ecrm_core.group_ecrm_user", "base.group_partner_manager"],
    MANAGER: ["ecrm_core.group_ecrm_manager", "base.group_partner_manager"],
}
BUDGET, COST = 98765.43, 1234.56  # figures no refusal may echo


class Sandbox:
    """Ids of the records the matrix calls on, and factories for records a call may consume."""

    def __init__(self, server, admin):
        self.server, self.admin = server, admin
        self.tag = uuid.uuid4().hex[:6]
        self._serial = itertools.count(1)
        self.secrets = []
        self.cleanup = []  # run when the module ends
        self.ids = {}

    def unique(self, prefix="mx"):
        return "%s%s%d" % (prefix, self.tag, next(self._serial))

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        found = self.admin.ok("ir.model.data", "search_read", [("module", "=", module), ("name", "=", name)],
                              ["res_id"])
        assert found, xmlid
        return found[0]["res_id"]

    def wait_for_jobs(self, timeout=120):
        """Until queue_job has nothing queued or running: a job an allowed call started writes in
        the background, and must not be taken for what the next, refused, call wrote."""
        deadline = time.time() + timeout
        busy = [("state", "in", ("pending", "enqueued", "started")), ("eta", "=", False)]
        while self.admin.ok("queue.job", "search_count", busy):
            assert time.time() < deadline, "queued jobs did not finish within %ss" % timeout
            time.sleep(0.5)

    def create(self, model, values, secret=()):
        record_id = self.admin.ok(model, "create", values)
        self.secrets += [str(value) for value in secret]
        return record_id

    # ---- the world the users live in ----

    def build(self):
        tag, admin, ids = self.tag, self.admin, self.ids
        ids["company"] = admin.ok("res.users", "read", [admin.uid], ["company_id"])[0]["company_id"][0]
        ids["website"] = admin.ok("website", "search", [], limit=1)[0]
        ids["own_company"] = self.create("res.partner", {
            "name": "Matrix Own Care %s Ltd" % tag, "is_company": True, "customer": True,
            "email": "own-%s@matrix.example" % tag, "phone": "+44 113 496 %04d" % (hash(tag) % 10000)})
        ids["own_contact"] = self.create("res.partner", {
            "name": "Matrix Portal Contact %s" % tag, "parent_id": ids["own_company"],
            "email": "portal-%s@matrix.example" % tag})
        other_name, other_email = "Matrix Other Trust %s" % tag, "other-%s@matrix.example" % tag
        ids["other_company"] = self.create("res.partner", {
            "name": other_name, "is_company": True, "customer": True, "email": other_email,
            "ecrm_gln": "50%011d" % (int(tag, 16) % 10 ** 11)}, secret=(other_name, other_email))
        ids["other_depot"] = self.create("res.partner", {
            "name": "Matrix Other Depot %s" % tag, "parent_id": ids["other_company"], "type": "delivery",
            "street": "1 Secret Way", "zip": "LS1 4AP",
            "ecrm_gln": "51%011d" % (int(tag, 16) % 10 ** 11)}, secret=("Matrix Other Depot %s" % tag, "Secret Way"))
        ids["private_partner"] = self.create("res.partner", {
            "name": "Matrix Private Address %s" % tag, "type": "private"}, secret=("Matrix Private Address",))
        self._users()
        self._timeline()
        self._marketing()
        self._portal()
        self._eprocurement()
        self._sage()
        ids["quotation"] = self.quotation()
        ids["quotation_line"] = self.admin.ok("sale.order.line", "search", [("order_id", "=", ids["quotation"])])[0]
        return self

    def _users(self):
        self.users = {}
        for role in ACTORS:
            login = "matrix-%s-%s" % (role, self.tag)
            values = {"name": "Matrix %s %s" % (role.capitalize(), self.tag), "login": login, "password": login,
                      "email": "%s@matrix.example" % login,
                      "groups_id": [(6, 0, [self.ref(xmlid) for xmlid in GROUPS[role]])]}
            if role == PORTAL:
                values["partner_id"] = self.ids["own_contact"]
            uid = self.admin.ok("res.users", "create", values, context={"no_reset_password": True})
            self.users[role] = RpcActor(self.server, role, login, login, uid)
            self.ids["partner_of_%s" % role] = self.admin.ok("res.users", "read", [uid], ["partner_id"])[0][
                "partner_id"][0]

    def _timeline(self):
        ids, tag = self.ids, self.tag
        ids["own_public_interaction"], ids["own_private_interaction"], ids["other_interaction"] = self.admin.ok(
            "ecrm.interaction", "log_many", [
                {"partner_id": ids["own_contact"], "channel": "portal", "interaction_type": "order_received",
                 "subject": "Matrix own order %s" % tag},
                {"partner_id": ids["own_contact"], "channel": "phone", "interaction_type": "note",
                 "subject": "Matrix internal note %s" % tag},
                {"partner_id": ids["other_company"], "channel": "phone", "interaction_type": "call_me",
                 "subject": "Matrix other call %s" % tag}])
        self.secrets += ["Matrix internal note %s" % tag, "Matrix other call %s" % tag]
        self.admin.ok("res.partner", "ecrm_set_consent", [ids["own_contact"]], "email", "opted_in", "form", "matrix")
        self.admin.ok("res.partner", "ecrm_set_consent", [ids["other_company"]], "phone", "opted_out", "staff",
                      "Matrix proof %s" % tag)
        self.admin.ok("res.partner", "ecrm_set_consent", [ids["other_company"]], "sms", "opted_in", "staff", "matrix")
        ids["consent"] = self.admin.ok("ecrm.consent", "search", [("partner_id", "=", ids["other_company"]),
                                                                 ("channel", "=", "phone")])[0]
        ids["consent_history"] = self.admin.ok("ecrm.consent.history", "search",
                                               [("partner_id", "=", ids["other_company"])])[0]
        ids["duplicate_group"] = self.duplicate_group()
        ids["sector"] = self.admin.ok("ecrm.sector", "search", [], limit=1)[0]
        ids["interaction_type"] = self.interaction_type()
        ids["quality_rule"] = self.admin.ok("ecrm.quality.rule", "search", [], limit=1)[0]
        ids["customer360_field"] = self.customer360_field()
        ids["job_progress"] = self.create("ecrm.job.progress", {
            "res_model": "res.partner", "res_id": ids["own_company"], "state": "done"})
        ids["timeline_backfill"] = self.backfill_run()
        ids["recompute_run"] = self.recompute_run()

    def interaction_type_values(self):
        return {"name": self.unique("Matrix type "), "code": self.unique("matrix_").lower(), "channel": "other"}

    def interaction_type(self):
        """A fresh interaction type nothing uses yet."""
        return self.create("ecrm.interaction.type", self.interaction_type_values())

    def customer360_field(self):
        """A Customer 360 tab entry for a partner field not on the tab yet (removed when the module ends)."""
        return self.create("ecrm.customer360.field", self.customer360_field_values())

    def customer360_field_values(self):
        """Values for a Customer 360 tab entry; whoever creates it, it is removed when the module ends
        (each one rebuilds the partner form view)."""
        used = [row["field_id"][0] for row in self.admin.ok("ecrm.customer360.field", "search_read", [], ["field_id"],
                                                            context={"active_test": False})]
        field_id = self.admin.ok("ir.model.fields", "search", [
            ("model", "=", "res.partner"), ("ttype", "=", "char"), ("store", "=", True), ("id", "not in", used)],
            limit=1)[0]
        self.cleanup.append(lambda: self.admin.json("ecrm.customer360.field", "unlink", [
            self.admin.ok("ecrm.customer360.field", "search", [("field_id", "=", field_id)],
                          context={"active_test": False})]))
        return {"field_id": field_id, "label": self.unique("Matrix ")}

    def quality_rule_values(self):
        return {"name": self.unique("Matrix rule "), "active": False, "kind": "required", "severity": "warning",
                "message": "Matrix", "field_id": self.admin.ok("ir.model.fields", "search", [
                    ("model", "=", "res.partner"), ("name", "=", "ref")])[0]}

    def binding_values(self):
        partner_id = self.partner()
        return {"backend_id": self.ids["backend"], "res_model": "res.partner", "res_id": partner_id,
                "partner_id": partner_id, "sage_ref": self.unique("M").upper()[-8:]}

    def settings(self):
        """A settings record of the admin's (only administrators may make one)."""
        return self.admin.ok("res.config.settings", "create", {})

    def duplicate_pair(self):
        """Two fresh look-alike customers (same phone, same name but for case and 'Ltd')."""
        name = "Matrix Dup %s %d" % (self.tag, next(self._serial))
        phone = "+44 20 7946 %04d" % (next(self._serial) % 10000)
        return [self.create("res.partner", {"name": name + " Ltd", "phone": phone, "customer": True}),
                self.create("res.partner", {"name": name.upper() + " LIMITED", "phone": phone, "customer": True})]

    def duplicate_group(self):
        """Two fresh look-alike customers and the open duplicate group the scanner made of them."""
        pair = self.duplicate_pair()
        self.admin.ok("ecrm.duplicate.group", "scan", [("id", "in", pair)])
        found = self.admin.ok("ecrm.duplicate.group", "search", [("partner_ids", "in", pair), ("state", "=", "open")])
        assert found, "the scanner paired no duplicates"
        return found[0]

    def _marketing(self):
        ids, tag = self.ids, self.tag
        name = "Matrix Campaign %s" % tag
        ids["campaign"] = self.create("utm.campaign", {"name": name, "ecrm_budget": BUDGET},
                                      secret=("98765", "98,765"))
        ids["campaign_cost"] = self.create("ecrm.campaign.cost", {
            "campaign_id": ids["campaign"], "description": "Matrix print run %s" % tag, "amount": COST},
            secret=("Matrix print run %s" % tag, "1234.56", "1,234.56"))
        ids["segment"] = self.create("ecrm.segment", {
            "name": "Matrix Segment %s" % tag, "channel": "email",
            "domain": repr([("id", "in", [ids["own_company"], ids["own_contact"], ids["other_company"]])])})
        ids["program"] = self.program()
        ids["program_step"] = self.admin.ok("ecrm.campaign.program.step", "search",
                                            [("program_id", "=", ids["program"])])[0]
        running = self.program(start=True)
        self.admin.ok("ecrm.campaign.program", "run", [running])
        ids["participant"] = self.admin.ok("ecrm.campaign.participant", "search", [("program_id", "=", running)])[0]
        ids["step_log"] = self.admin.ok("ecrm.campaign.step.log", "search", [("program_id", "=", running)])[0]
        ids["channel_report"] = (self.admin.ok("ecrm.campaign.channel.report", "search", [], limit=1) or [0])[0]
        ids["roi_report"] = (self.admin.ok("ecrm.campaign.roi.report", "search", [], limit=1) or [0])[0]
        ids["mailing_list"] = self.create("mail.mass_mailing.list", {"name": "Matrix list %s" % tag})

    def program(self, start=False, segment=True, paused=False):
        """A fresh program with one 'log interaction' step (it sends nothing): draft, running or paused."""
        program_id = self.create("ecrm.campaign.program", {
            "name": self.unique("Matrix Program "), "campaign_id": self.ids["campaign"], "mode": "multistep",
            "segment_id": segment and self.ids["segment"],
            "step_ids": [(0, 0, {"name": "Matrix note", "trigger": "start", "action": "interaction"})]})
        if start or paused:
            self.admin.ok("ecrm.campaign.program", "action_start", [program_id])
        if paused:
            self.admin.ok("ecrm.campaign.program", "action_pause", [program_id])
        return program_id

    def _portal(self):
        ids, tag = self.ids, self.tag
        content = "Matrix secret offer %s" % tag
        ids["rule"] = self.create("ecrm.personalisation.rule", {
            "name": "Matrix Rule %s" % tag, "active": False, "placement": "home_banner",
            "content": "<p>%s</p>" % content, "cta_url": "/shop", "partner_domain": "[('id', '=', 0)]"},
            secret=(content,))
        # saving a button link to another host is refused (ValidationError), but a rule saved before
        # that check may still hold one: stored as such a rule is, for the click route to refuse to follow
        ids["offsite_rule"] = self.create("ecrm.personalisation.rule", {
            "name": "Matrix Off-site Rule %s" % tag, "active": False, "partner_domain": "[('id', '=', 0)]"})
        with psycopg2.connect(**odoo.sql_db.connection_info_for(self.server.database)[1]) as connection:
            with connection.cursor() as cursor:
                cursor.execute("UPDATE ecrm_personalisation_rule SET cta_url = %s WHERE id = %s",
                               ("/.//evil.example/matrix", ids["offsite_rule"]))
        connection.close()
        ids["visitor"] = self.create("ecrm.visitor", {"website_id": ids["website"]})
        ids["page_view"] = self.create("ecrm.page.view", {
            "date": "2026-11-20 10:00:00", "visitor_id": ids["visitor"], "path": "/matrix-%s" % tag,
            "company_id": ids["company"]})
        ids["old_page_view"] = self.create("ecrm.page.view", {
            "date": "2001-01-01 00:00:00", "visitor_id": ids["visitor"], "path": "/matrix-%s" % tag,
            "company_id": ids["company"]})
        ids["page_view_daily"] = self.create("ecrm.page.view.daily", {
            "day": "2001-01-01", "path": "/matrix-%s" % tag, "views": 1})
        ids["question"] = self.question()
        ids["answer"] = self.create("ecrm.profile.answer", {
            "partner_id": ids["other_company"], "question_id": ids["question"], "value": "Matrix answer %s" % tag},
            secret=("Matrix answer %s" % tag,))
        ids["portal_segment"] = (self.admin.ok("ecrm.portal.segment", "search", [], limit=1) or [0])[0]

    def question(self):
        """A fresh profiling question, asked last and switched off when the module ends."""
        question_id = self.create("ecrm.profile.question", {"name": self.unique("Matrix question "),
                                                            "sequence": 100000})
        self.cleanup.append(lambda: self.admin.json("ecrm.profile.question", "write", [[question_id],
                                                                                       {"active": False}]))
        return question_id

    def _eprocurement(self):
        ids, tag = self.ids, self.tag
        product = self.ref("ecrm_eprocurement.product_hoist_sling")
        ids["product"] = product
        ids["trading_partner"] = self.create("ecrm.trading.partner", {
            "name": "Matrix Buyer %s" % tag, "partner_id": ids["own_company"], "gln": "5099%09d" % (
                int(tag, 16) % 10 ** 9), "format_csv": True, "test_mode": True,
            "product_mapping_ids": [(0, 0, {"buyer_item_id": "MX-1", "product_id": product})]})
        ids["trading_partner_product"] = self.admin.ok("ecrm.trading.partner.product", "search", [
            ("trading_partner_id", "=", ids["trading_partner"])])[0]
        ids["other_trading_partner"] = self.create("ecrm.trading.partner", {
            "name": "Matrix Other Buyer %s" % tag, "partner_id": ids["other_company"], "test_mode": True,
            "product_mapping_ids": [(0, 0, {"buyer_item_id": "MX-1", "product_id": product})]},
            secret=("Matrix Other Buyer %s" % tag,))
        self.credential = self.admin.ok("ecrm.trading.partner", "generate_credential", [ids["trading_partner"]])
        self.other_credential = self.admin.ok("ecrm.trading.partner", "generate_credential",
                                              [ids["other_trading_partner"]])
        self.other_document = "MX-OTHER-%s" % tag
        ids["other_exchange"] = self.post_order(self.other_credential, self.other_document, gln=None)
        ids["exchange"] = self.post_order(self.credential, "MX-%s" % tag, item="MX-UNKNOWN")

    def order(self, document_id, item="MX-1", delivery_gln=None):
        return build_order(document_id, [{"buyer_item_id": item, "quantity": 1, "name": "Matrix item"}],
                           buyer_gln=self.admin.ok("ecrm.trading.partner", "read", [self.ids["trading_partner"]],
                                                   ["gln"])[0]["gln"], delivery_gln=delivery_gln)

    def post_raw(self, body, credential=None):
        """POST a PEPPOL order as a buyer's system would (JSON answers asked for)."""
        return requests.post(self.server.url + "/ecrm/eprocurement/peppol-order", data=body, timeout=120,
                             headers={"Authorization": "Bearer %s" % (credential or self.credential),
                                      "Content-Type": "application/xml", "Accept": "application/json"})

    def get_status(self, credential, document_id):
        return requests.get(self.server.url + "/ecrm/eprocurement/status/%s" % document_id, timeout=120,
                            headers={"Authorization": "Bearer %s" % credential, "Accept": "application/json"})

    def post_order(self, credential, document_id, item="MX-1", gln=True, delivery_gln=None):
        """POST a PEPPOL order; returns the id of the exchange it left."""
        body = self.order(document_id, item, delivery_gln) if gln else build_order(
            document_id, [{"buyer_item_id": item, "quantity": 1, "name": "Matrix item"}])
        response = self.post_raw(body, credential)
        name = response.headers.get("X-Ecrm-Exchange")
        return self.admin.ok("ecrm.exchange", "search", [("name", "=", name)])[0] if name else None

    def _sage(self):
        ids, tag = self.ids, self.tag
        ids["backend"] = self.backend()
        ids["batch"] = self.create("ecrm.sage.batch", {"backend_id": ids["backend"], "kind": "customers"})
        ids["binding"] = self.create("ecrm.sage.binding", {
            "backend_id": ids["backend"], "res_model": "res.partner", "res_id": ids["own_company"],
            "partner_id": ids["own_company"], "sage_ref": ("MX%s" % tag).upper()[:8]})
        self.admin.ok("ecrm.sage.binding", "write", [ids["binding"]], {"state": "conflict"})
        ids["invoice"] = self.invoice()
        ids["receipt"] = self.create("ecrm.sage.receipt", {
            "backend_id": ids["backend"], "partner_id": ids["own_company"], "date": "2026-11-20", "amount": 10.0,
            "transaction_key": "matrix-%s" % tag, "sage_type": "SR", "invoice_id": ids["invoice"]})
        ids["reconciliation_line"] = self.create("ecrm.sage.reconciliation.line", {
            "backend_id": ids["backend"], "company_id": ids["company"], "partner_id": ids["own_company"],
            "date": "2026-11-20"})
        ids["balance_snapshot"] = self.create("ecrm.sage.balance.snapshot", {
            "backend_id": ids["backend"], "company_id": ids["company"], "partner_id": ids["own_company"],
            "date": "2026-11-20"})
        ids["tax_map"] = self.create("ecrm.sage.tax.map", {
            "backend_id": ids["backend"], "sage_tax_code": "T1",
            "tax_id": self.admin.ok("account.tax", "search", [("type_tax_use", "=", "sale")], limit=1)[0]})
        ids["nominal_map"] = self.create("ecrm.sage.nominal.map", {
            "backend_id": ids["backend"], "nominal_code": "4000",
            "account_id": self.admin.ok("account.account", "search", [], limit=1)[0]})

    def invoice(self):
        """An open customer invoice of the sandbox customer, for the receipt a manager may book."""
        account = self.admin.ok("account.account", "search", [("user_type_id.name", "=", "Income")], limit=1)[0]
        invoice_id = self.create("account.invoice", {
            "partner_id": self.ids["own_company"], "type": "out_invoice",
            "invoice_line_ids": [(0, 0, {"name": "Matrix service", "account_id": account, "price_unit": 10.0,
                                         "quantity": 1})]})
        self.admin.ok("account.invoice", "action_invoice_open", [invoice_id])
        return invoice_id

    def lead(self):
        return self.create("crm.lead", {"name": self.unique("Matrix lead "), "partner_id": self.ids["own_company"]})

    def meeting(self):
        return self.create("calendar.event", {"name": self.unique("Matrix meeting "), "start": "2026-12-08 10:00:00",
                                              "stop": "2026-12-08 11:00:00",
                                              "partner_ids": [(6, 0, [self.ids["own_contact"]])]})

    def mail_statistics(self):
        """A mailing's statistics row of the sandbox customer, as the host's composer makes it."""
        return self.create("mail.mail.statistics", {"model": "res.partner", "res_id": self.ids["own_contact"],
                                                    "message_id": "<%s@matrix.example>" % self.unique()})

    def backfill_run(self):
        """A timeline count not started yet (a count logs nothing, whoever runs it)."""
        return self.create("ecrm.timeline.backfill", {"dry_run": True})

    def recompute_run(self):
        """A recompute run record (the CRUD rows read and write it; nothing is queued)."""
        return self.create("ecrm.recompute.run", {})

    def csv(self, text):
        return base64.b64encode(text.encode()).decode()

    def teardown(self):
        for undo in reversed(self.cleanup):
            undo()
        for role, actor in self.users.items():
            self.admin.xml("res.users", "write", [[actor.uid], {"active": False}])

    # ---- fresh records for calls that consume or change what they are given ----

    def partner(self, **values):
        return self.create("res.partner", dict({"name": self.unique("Matrix Customer "), "customer": True}, **values))

    def segment(self):
        return self.create("ecrm.segment", {"name": self.unique("Matrix Segment "), "channel": "email",
                                            "domain": repr([("id", "in", [self.ids["own_contact"]])])})

    def old_page_view(self):
        """A page view from 2001: what a purge of views older than ten years removes."""
        return self.create("ecrm.page.view", {
            "date": "2001-01-01 00:00:00", "visitor_id": self.ids["visitor"], "path": "/%s" % self.unique("matrix-"),
            "company_id": self.ids["company"]})

    def trading_partner(self):
        return self.create("ecrm.trading.partner", {"name": self.unique("Matrix Buyer "),
                                                    "partner_id": self.ids["own_company"], "test_mode": True})

    def retryable_exchange(self):
        """The sandbox's failed exchange, back in the error queue: a retry queues it and its job
        fails it again (the item is still unmapped), so each actor's retry waits for the last."""
        self.wait_for_jobs()
        return self.ids["exchange"]

    def exchange(self):
        """A fresh failed exchange of the sandbox buyer (an order for an item nobody mapped)."""
        return self.post_order(self.credential, self.unique("MX-DEL-"), item="MX-UNKNOWN")

    def backend(self):
        return self.create("ecrm.sage.backend", {"name": self.unique("Matrix Sage "), "start_date": "2099-01-01"})

    def batch(self):
        return self.create("ecrm.sage.batch", {"backend_id": self.ids["backend"], "kind": "customers"})

    def binding(self, state="exported"):
        binding_id = self.create("ecrm.sage.binding", self.binding_values())
        if state != "exported":
            self.admin.ok("ecrm.sage.binding", "write", [binding_id], {"state": state})
        return binding_id

    def receipt(self):
        return self.create("ecrm.sage.receipt", {
            "backend_id": self.ids["backend"], "partner_id": self.ids["own_company"], "date": "2026-11-20",
            "amount": 10.0, "transaction_key": self.unique("matrix-"), "sage_type": "SR",
            "invoice_id": self.invoice()})

    def quotation(self):
        return self.create("sale.order", {"partner_id": self.ids["own_company"], "order_line": [
            (0, 0, {"product_id": self.ids["product"], "product_uom_qty": 1})]})

    # ---- what one actor sees of it ----

    def context(self, role):
        return Context(self, role)


class Unreachable(Exception):
    """The actor could not even prepare the call (e.g. create its own wizard): judge this outcome instead."""

    def __init__(self, outcome):
        super().__init__(str(outcome))
        self.outcome = outcome


class Context:
    """The sandbox as one actor meets it: the ids, the actor's own partner, and a way to act as it."""

    def __init__(self, box, role):
        self.box, self._role = box, role
        self._actor = box.users.get(role)  # None for the public visitor and the buyer's machine
        self.ids, self.admin, self.secrets = box.ids, box.admin, box.secrets
        self.personal = False  # whether what was asked of this context depends on who the actor is

    @property
    def role(self):
        self.personal = True
        return self._role

    @property
    def actor(self):
        self.personal = True
        return self._actor

    @property
    def own_partner(self):
        return self.ids.get("partner_of_%s" % self.role)

    def own(self, model, values):
        """Create a record as the actor itself (a wizard it then runs); Unreachable if it may not."""
        outcome = self.actor.json(model, "create", [values])
        if outcome.kind != "ok":
            raise Unreachable(outcome)
        return outcome.value

    def read(self, model, record_id, fields):
        """Read as the admin (what really happened), one record."""
        return self.admin.ok(model, "read", [record_id], fields)[0]
