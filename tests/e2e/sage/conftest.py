"""Sage e2e fixtures, on the suite's one e2e server (tests/conftest.py).

Not a server of their own: two servers on one database are two queue_job runners, which
queue_job does not support (each counts the other's jobs against its capacity, and a
job one runner hands out can sit "enqueued" for ever).
"""
import datetime
import json
import time
import uuid
import xmlrpc.client

import pytest



class Rpc:
    def __init__(self, server):
        self.server = server
        common = xmlrpc.client.ServerProxy(server.url + "/xmlrpc/2/common")
        self.uid = common.authenticate(server.database, "admin", "admin", {})

    def __call__(self, model, method, *args, **kwargs):
        models = xmlrpc.client.ServerProxy(self.server.url + "/xmlrpc/2/object", allow_none=True)
        return models.execute_kw(self.server.database, self.uid, "admin", model, method, list(args), kwargs)


@pytest.fixture(scope="module")
def rpc(odoo_server):
    return Rpc(odoo_server)


def next_free_day(rpc):
    """The day after the latest invoice in the database.

    Each test's backend starts that day and dates its invoices that day, so it never
    picks up invoices another test (or an earlier run on this database) posted: the
    tests share one company, and every invoice after a backend's start date is in scope.
    """
    latest = rpc("account.invoice", "search_read", [("date_invoice", "!=", False)], ["date_invoice"],
                 order="date_invoice desc", limit=1)
    day = datetime.date.today()
    if latest:
        day = max(day, datetime.datetime.strptime(latest[0]["date_invoice"], "%Y-%m-%d").date())
    return (day + datetime.timedelta(days=1)).isoformat()


@pytest.fixture
def world(rpc):
    """A fresh backend (its own Sage company code and start day) and two new customers."""
    tag = uuid.uuid4().hex[:6].upper()
    start = next_free_day(rpc)
    company_id = rpc("res.users", "read", [rpc.uid], ["company_id"])[0]["company_id"][0]
    vat20 = rpc("account.tax", "search", [("company_id", "=", company_id), ("type_tax_use", "=", "sale"),
                                          ("amount", "=", 20.0), ("amount_type", "=", "percent")], limit=1)[0]
    income = rpc("account.account", "search", [("company_id", "=", company_id), ("code", "=like", "4000%")],
                 limit=1)[0]
    backend_id = rpc("ecrm.sage.backend", "create", {
        "name": "Sage e2e %s" % tag, "company_id": company_id, "sage_company_code": "E2E" + tag,
        "start_date": start,
        "tax_map_ids": [(0, 0, {"tax_id": vat20, "sage_tax_code": "T1"})],
        "nominal_map_ids": [(0, 0, {"account_id": income, "nominal_code": "4000"})]})
    customers = [rpc("res.partner", "create", {"name": "%s Mobility %s" % (town, tag), "is_company": True,
                                               "customer": True})
                 for town in ("Batley", "Dewsbury")]
    return {"tag": tag, "backend_id": backend_id, "customers": customers, "vat20": vat20, "income": income,
            "code": "E2E" + tag, "date": start}


def post_invoices(rpc, world, amounts_by_customer):
    ids = []
    for customer, amounts in zip(world["customers"], amounts_by_customer):
        for amount in amounts:
            invoice_id = rpc("account.invoice", "create", {
                "partner_id": customer, "type": "out_invoice", "date_invoice": world["date"],
                "invoice_line_ids": [(0, 0, {"name": "Stairlift service", "quantity": 1, "price_unit": amount,
                                             "account_id": world["income"],
                                             "invoice_line_tax_ids": [(6, 0, [world["vat20"]])]})]})
            rpc("account.invoice", "action_invoice_open", [invoice_id])
            ids.append(invoice_id)
    return ids


def export(rpc, backend_id, kind, timeout=300):
    """A real export as integrators run it: the call answers with the batch exporting, its jobs
    send it; poll the batch until it ends. Returns export_batch's keys as the batch ended."""
    queued = rpc("ecrm.sage.backend", "export_batch", backend_id, kind, False)
    assert (queued["state"], queued["exported"], queued["file"]) == ("exporting", 0, False), queued
    batch = wait_for_batch(rpc, queued["batch_id"], timeout=timeout)
    row = rpc("ecrm.sage.batch", "read", [queued["batch_id"]], ["file", "skipped_rows", "log"])[0]
    return dict(batch_id=queued["batch_id"], state=batch["state"], exported=batch["record_count"],
                skipped=json.loads(row["skipped_rows"] or "[]"),
                file=row["file"] if batch["state"] == "exported" else False,
                message=batch["ecrm_job_message"], log=row["log"])


def import_from_api(rpc, backend_id, method, timeout=300):
    """A real API import (``import_api_receipts`` / ``import_api_balances``): queued by the call,
    read from Sage and applied by jobs. Returns the batch as it ended, with ``matched`` receipts."""
    queued = rpc("ecrm.sage.backend", method, backend_id, False)
    assert (queued["state"], queued["errors"], queued["applied"]) == ("importing", [], 0), queued
    batch = wait_for_batch(rpc, queued["batch_id"], timeout=timeout)
    matched = rpc("ecrm.sage.receipt", "search_count", [("batch_id", "=", queued["batch_id"]),
                                                        ("state", "=", "matched")])
    return dict(batch, batch_id=queued["batch_id"], applied=batch["record_count"], matched=matched)


def wait_for_retry(rpc, batch_id, timeout=120):
    """Poll a batch until its job has failed once in a way that may pass and waits to be tried again."""
    deadline = time.monotonic() + timeout
    while True:
        batch = rpc("ecrm.sage.batch", "read", [batch_id], ["state", "ecrm_job_state", "ecrm_job_message"])[0]
        if batch["ecrm_job_state"] == "queued" and "Will be retried" in (batch["ecrm_job_message"] or ""):
            return batch
        assert batch["ecrm_job_state"] in ("queued", "running"), batch
        assert time.monotonic() < deadline, "batch %s was not retried: %s" % (batch_id, batch)
        time.sleep(0.3)


def wait_for_batch(rpc, batch_id, timeout=600, seen=None, stall=300):
    """Poll a batch until its jobs end (an export, an API import, a receipts booking); returns the
    batch's job fields read last.

    ``seen`` (a list) collects the (state, done, total) read on the way, to show progress moved.
    Fails early when the count has not moved for ``stall`` seconds: a stranded job, not a slow one.
    """
    fields = ["state", "ecrm_job_state", "ecrm_job_done", "ecrm_job_total", "ecrm_job_message", "record_count"]
    started = time.monotonic()
    deadline = started + timeout
    last_move, last_done = started, None
    while True:
        batch = rpc("ecrm.sage.batch", "read", [batch_id], fields)[0]
        if seen is not None:
            seen.append((batch["ecrm_job_state"], batch["ecrm_job_done"], batch["ecrm_job_total"]))
        if batch["state"] in ("exported", "done", "failed") and batch["ecrm_job_state"] in ("done", "failed"):
            return batch
        now = time.monotonic()
        if batch["ecrm_job_done"] != last_done:
            last_move, last_done = now, batch["ecrm_job_done"]
        assert now - last_move < stall, "batch %s stalled for %d s at %s" % (batch_id, stall, batch)
        assert now < deadline, "batch %s still %s after %d s" % (batch_id, batch, timeout)
        time.sleep(0.5)
