"""The API transport end to end: a real Odoo server talking HTTP to the local Sage double."""
import os
import signal
import subprocess
import sys

import pytest

from ...odoo_server import ODOO_CONF, REPO
from .conftest import export, import_from_api, post_invoices, wait_for_batch, wait_for_retry
from .sage_api_double import SageDouble


@pytest.fixture
def double():
    server = SageDouble(refresh_token="refresh-initial").start()
    yield server
    server.stop()


@pytest.fixture
def api_world(rpc, world, double):
    rpc("ecrm.sage.backend", "write", [world["backend_id"]], {
        "transport": "sage_bca_api", "api_url": double.url, "api_token_url": double.url + "/token",
        "api_client_id": "ecrm-client", "api_client_secret": "s3cret", "api_business_id": "biz-uk-1",
        "api_refresh_token": "refresh-initial"})
    return world


def stored_refresh_token(rpc, backend_id):
    rows = rpc("ecrm.sage.api.token", "search_read", [("backend_id", "=", backend_id)], ["refresh_token"])
    return rows[0]["refresh_token"] if rows else None


def test_customers_and_invoices_go_to_sage_once_with_rotated_tokens_kept(rpc, api_world, double):
    backend_id = api_world["backend_id"]
    double.fail_next(429, retry_after=1)
    customers = export(rpc, backend_id, "customers")
    assert customers["file"] is False and customers["exported"] >= 2
    refs = {contact["reference"] for contact in double.records["contacts"]}
    assert len(refs) == len(double.records["contacts"]) == customers["exported"]
    assert stored_refresh_token(rpc, backend_id) == double.refresh_token != "refresh-initial"

    invoice_ids = post_invoices(rpc, api_world, [[100.0], [30.0, 20.0]])
    double.fail_next(503)          # the job is tried again later (queue_job), not looped in the client
    result = export(rpc, backend_id, "invoices")
    assert result["exported"] == 3 and result["skipped"] == []
    sent = double.records["sales_invoices"]
    numbers = {row["number"] for row in rpc("account.invoice", "read", invoice_ids, ["number"])}
    assert {invoice["reference"] for invoice in sent} == numbers
    assert all(invoice["invoice_lines"][0]["tax_rate_id"] == "GB_STANDARD" for invoice in sent)
    bindings = rpc("ecrm.sage.binding", "search_read", [("invoice_id", "in", invoice_ids)], ["sage_id"])
    assert {binding["sage_id"] for binding in bindings} == {invoice["id"] for invoice in sent}
    assert export(rpc, backend_id, "invoices")["exported"] == 0
    assert len(double.records["sales_invoices"]) == 3
    assert stored_refresh_token(rpc, backend_id) == double.refresh_token


def test_a_killed_api_export_is_finished_without_duplicates_in_sage(rpc, api_world, double, odoo_server):
    backend_id = api_world["backend_id"]
    export(rpc, backend_id, "customers")
    post_invoices(rpc, api_world, [[11.0, 12.0], [13.0]])
    run = subprocess.Popen(
        [sys.executable, os.path.join(os.path.dirname(__file__), "interrupted_export.py"),
         ODOO_CONF, odoo_server.database, str(backend_id)], cwd=REPO, stdout=subprocess.PIPE,
        universal_newlines=True)
    try:
        line = run.stdout.readline()
        assert line.startswith("BINDINGS_WRITTEN"), line
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    assert len(double.records["sales_invoices"]) == 3, "Sage got the invoices, Odoo lost its bindings"
    # the rotated token the killed run obtained was kept, so the next run can still log in
    assert stored_refresh_token(rpc, backend_id) == double.refresh_token
    result = export(rpc, backend_id, "invoices")
    assert result["exported"] == 3
    assert len(double.records["sales_invoices"]) == 3, "the resumed run adopted them instead of posting again"


def test_receipts_polled_from_the_api_pay_invoices_once(rpc, api_world, double):
    backend_id = api_world["backend_id"]
    export(rpc, backend_id, "customers")
    invoice_ids = post_invoices(rpc, api_world, [[100.0], [50.0]])
    export(rpc, backend_id, "invoices")
    invoices = rpc("account.invoice", "read", invoice_ids, ["number", "partner_id", "amount_total"])
    contact_of = {b["partner_id"][0]: b["sage_id"] for b in rpc(
        "ecrm.sage.binding", "search_read", [("backend_id", "=", backend_id), ("res_model", "=", "res.partner")],
        ["partner_id", "sage_id"])}
    for invoice in invoices:
        double.add_customer_receipt(contact_of[invoice["partner_id"][0]], invoice["amount_total"],
                                    api_world["date"], invoice["number"])
    double.fail_next(429, retry_after=1)
    result = import_from_api(rpc, backend_id, "import_api_receipts")
    assert (result["state"], result["applied"], result["matched"]) == ("done", 2, 2)
    assert {row["state"] for row in rpc("account.invoice", "read", invoice_ids, ["state"])} == {"paid"}
    again = import_from_api(rpc, backend_id, "import_api_receipts")
    assert (again["state"], again["applied"]) == ("done", 0), "a poll never applies a receipt twice"
    refund_paid_in_sage(rpc, api_world, double, contact_of)
    double.add_customer_receipt("unknown-contact", 5.0, api_world["date"], "CASH")
    receipts = rpc("ecrm.sage.receipt", "search_count", [("backend_id", "=", backend_id)])
    stranger = import_from_api(rpc, backend_id, "import_api_receipts")
    assert stranger["state"] == "failed" and "not exported from Odoo" in stranger["ecrm_job_message"]
    assert rpc("ecrm.sage.receipt", "search_count", [("backend_id", "=", backend_id)]) == receipts


def refund_paid_in_sage(rpc, world, double, contact_of):
    """A credit note exported as a sales credit note, refunded in Sage: the poll settles it (SP)."""
    customer = world["customers"][0]
    credit_id = rpc("account.invoice", "create", {
        "partner_id": customer, "type": "out_refund", "date_invoice": world["date"],
        "invoice_line_ids": [(0, 0, {"name": "Returned sling", "quantity": 1, "price_unit": 10.0,
                                     "account_id": world["income"],
                                     "invoice_line_tax_ids": [(6, 0, [world["vat20"]])]})]})
    rpc("account.invoice", "action_invoice_open", [credit_id])
    export(rpc, world["backend_id"], "invoices")
    number = rpc("account.invoice", "read", [credit_id], ["number"])[0]["number"]
    assert [note["reference"] for note in double.records["sales_credit_notes"]] == [number]
    double.add_customer_receipt(contact_of[customer], 12.0, world["date"], number, "CUSTOMER_REFUND")
    result = import_from_api(rpc, world["backend_id"], "import_api_receipts")
    assert (result["state"], result["applied"], result["matched"]) == ("done", 1, 1)
    assert rpc("account.invoice", "read", [credit_id], ["state"])[0]["state"] == "paid"
    receipt = rpc("ecrm.sage.receipt", "search_read", [("invoice_id", "=", credit_id)], ["sage_type", "state"])
    assert [(row["sage_type"], row["state"]) for row in receipt] == [("SP", "matched")]


def test_balances_and_overdue_come_from_the_api(rpc, api_world, double):
    backend_id = api_world["backend_id"]
    export(rpc, backend_id, "customers")
    batley, dewsbury = api_world["customers"]
    invoice_ids = post_invoices(rpc, api_world, [[100.0], [50.0]])
    export(rpc, backend_id, "invoices")
    contact_of = {b["partner_id"][0]: b["sage_id"] for b in rpc(
        "ecrm.sage.binding", "search_read", [("backend_id", "=", backend_id), ("res_model", "=", "res.partner")],
        ["partner_id", "sage_id"])}
    for invoice in double.records["sales_invoices"]:
        if invoice["contact_id"] == contact_of[batley]:
            invoice["due_date"] = "2020-01-31"             # long overdue in Sage
    number = rpc("account.invoice", "read", invoice_ids[1:], ["number"])[0]["number"]
    double.add_customer_receipt(contact_of[dewsbury], 20.0, api_world["date"], number)
    before = rpc("ecrm.sage.backend", "import_api_balances", backend_id, True)
    assert before["errors"] == [] and before["batch_id"] is False
    result = import_from_api(rpc, backend_id, "import_api_balances")
    assert result["state"] == "done" and result["applied"] == before["applied"] >= 2
    ledger = {row["id"]: row for row in rpc("res.partner", "read", [batley, dewsbury],
                                            ["sage_balance", "sage_overdue", "sage_credit_status"])}
    assert (ledger[batley]["sage_balance"], ledger[batley]["sage_overdue"]) == (120.0, 120.0)
    assert (ledger[dewsbury]["sage_balance"], ledger[dewsbury]["sage_overdue"]) == (40.0, 0.0)
    assert rpc("res.partner", "search", [("id", "in", [batley, dewsbury]), ("sage_overdue", ">", 0)]) == [batley]
    # Sage failing for a while: the job waits and tries again (queue_job's backoff), then applies
    double.fail_next(500, times=50)
    queued = rpc("ecrm.sage.backend", "import_api_balances", backend_id, False)
    retrying = wait_for_retry(rpc, queued["batch_id"])
    assert retrying["state"] == "importing" and "Sage API: GET contacts answered 500" in retrying["ecrm_job_message"]
    double.faults.clear()
    assert wait_for_batch(rpc, queued["batch_id"])["state"] == "done"


def test_an_invoice_whose_tax_code_sage_does_not_offer_is_refused_before_anything_is_sent(rpc, api_world, double):
    backend_id = api_world["backend_id"]
    export(rpc, backend_id, "customers")
    tax_map = rpc("ecrm.sage.tax.map", "search", [("backend_id", "=", backend_id)])
    rpc("ecrm.sage.tax.map", "write", tax_map, {"sage_tax_code": "T4"})    # T4 has no Business Cloud rate
    invoice_ids = post_invoices(rpc, api_world, [[10.0], []])
    refused = export(rpc, backend_id, "invoices")
    assert refused["state"] == "failed" and "no tax rate for tax code(s) T4" in refused["message"]
    assert double.records["sales_invoices"] == []
    assert rpc("ecrm.sage.binding", "search", [("invoice_id", "in", invoice_ids)]) == []


def bindings_and_batches(rpc, backend_id):
    return (rpc("ecrm.sage.binding", "search_count", [("backend_id", "=", backend_id)]),
            rpc("ecrm.sage.batch", "search_count", [("backend_id", "=", backend_id)]))


@pytest.mark.parametrize("lose_the_answer", ["504", "drop"])
def test_an_invoice_stored_then_unanswered_arrives_in_sage_once(rpc, api_world, double, lose_the_answer):
    """Sage stores the invoice and the answer is lost (a gateway 504, a dropped connection). The
    double ignores idempotency_id here, so only the look-up before the retry can prevent a second one."""
    double.honours_idempotency = False
    backend_id = api_world["backend_id"]
    export(rpc, backend_id, "customers")
    invoice_ids = post_invoices(rpc, api_world, [[100.0], [30.0]])
    if lose_the_answer == "504":
        double.store_then_fail(504, times=2)
    else:
        double.store_then_drop(times=2)
    result = export(rpc, backend_id, "invoices")
    assert (result["exported"], result["skipped"]) == (2, [])
    numbers = [row["number"] for row in rpc("account.invoice", "read", invoice_ids, ["number"])]
    assert sorted(invoice["reference"] for invoice in double.records["sales_invoices"]) == sorted(numbers)
    assert double.post_faults == [], "both answers were lost"
    assert len(double.posts("sales_invoices")) == 2, "each invoice was posted once, then found and adopted"
    bindings = rpc("ecrm.sage.binding", "search_read", [("invoice_id", "in", invoice_ids)], ["sage_id"])
    assert sorted(binding["sage_id"] for binding in bindings) == sorted(
        invoice["id"] for invoice in double.records["sales_invoices"])


def test_contacts_carry_each_field_under_its_own_name(rpc, api_world, double):
    customer = rpc("res.partner", "create", {
        "name": "Ossett Hoists %s" % api_world["tag"], "is_company": True, "customer": True,
        "phone": "+44 1924 000111", "email": "ledger@ossett.example", "vat": "GB980780684", "credit_limit": 1500.0,
        "street": "1 Station Road", "city": "Ossett", "zip": "WF5 8AA"})
    export(rpc, api_world["backend_id"], "customers")
    ref = rpc("ecrm.sage.binding", "search_read", [("backend_id", "=", api_world["backend_id"]),
                                                   ("partner_id", "=", customer)], ["sage_ref"])[0]["sage_ref"]
    contact = next(contact for contact in double.records["contacts"] if contact["reference"] == ref)
    assert (contact["name"], contact["telephone"], contact["email"], contact["tax_number"], contact["credit_limit"]) \
        == ("Ossett Hoists %s" % api_world["tag"], "+44 1924 000111", "ledger@ossett.example", "GB980780684", 1500.0)
    assert contact["main_address"] == {"address_line_1": "1 Station Road", "address_line_2": None, "city": "Ossett",
                                       "region": None, "postal_code": "WF5 8AA"}


@pytest.mark.parametrize("break_it", ["tls", "422"])
def test_a_broken_api_fails_the_batch_with_the_reason_and_writes_nothing(rpc, api_world, double, break_it):
    backend_id = api_world["backend_id"]
    export(rpc, backend_id, "customers")
    post_invoices(rpc, api_world, [[10.0], []])
    bindings, batches = bindings_and_batches(rpc, backend_id)
    if break_it == "tls":
        rpc("ecrm.sage.backend", "write", [backend_id], {"api_url": double.url.replace("http://", "https://")})
    else:
        double.fail_next(422, times=1)
    failed = export(rpc, backend_id, "invoices")
    assert failed["state"] == "failed" and "The export to Sage stopped" in failed["message"]
    assert "Traceback" not in failed["message"] and ("TLS" in failed["message"] or "422" in failed["message"])
    assert bindings_and_batches(rpc, backend_id) == (bindings, batches + 1)
    if break_it == "422":
        return      # a refusal of one request: the API itself still answers
    for method in ("import_api_receipts", "import_api_balances"):
        result = import_from_api(rpc, backend_id, method)
        assert result["state"] == "failed" and result["ecrm_job_message"].startswith("Sage API: ")
    assert bindings_and_batches(rpc, backend_id) == (bindings, batches + 3)


@pytest.mark.parametrize("break_it", ["refused", "html", "500s"])
def test_an_api_down_for_a_while_is_tried_again_until_it_answers(rpc, api_world, double, break_it):
    """No answer, a proxy's HTML 502, a run of 500s: nothing is written, the job waits and tries
    again (queue_job's retry pattern), and goes through once Sage is back."""
    backend_id = api_world["backend_id"]
    export(rpc, backend_id, "customers")
    invoice_ids = post_invoices(rpc, api_world, [[10.0], []])
    bindings, _batches = bindings_and_batches(rpc, backend_id)
    if break_it == "refused":
        rpc("ecrm.sage.backend", "write", [backend_id], {"api_url": "http://127.0.0.1:1"})
    elif break_it == "html":
        double.fail_next(502, times=50, body="<html><h1>502 Bad Gateway</h1></html>")
    else:
        double.fail_next(500, times=50)
    queued = rpc("ecrm.sage.backend", "export_batch", backend_id, "invoices", False)
    retrying = wait_for_retry(rpc, queued["batch_id"])
    assert retrying["state"] == "exporting" and "Will be retried: Sage API: " in retrying["ecrm_job_message"]
    assert bindings_and_batches(rpc, backend_id)[0] == bindings and double.records["sales_invoices"] == []
    rpc("ecrm.sage.backend", "write", [backend_id], {"api_url": double.url})
    double.faults.clear()
    batch = wait_for_batch(rpc, queued["batch_id"])
    assert (batch["state"], batch["record_count"]) == ("done", 1)
    assert len(double.records["sales_invoices"]) == 1
    assert rpc("ecrm.sage.binding", "search_count", [("invoice_id", "in", invoice_ids)]) == 1


def test_a_customer_changed_in_odoo_is_updated_in_sage_not_created_again(rpc, api_world, double):
    backend_id = api_world["backend_id"]
    batley = api_world["customers"][0]
    export(rpc, backend_id, "customers")
    contacts = len(double.records["contacts"])
    rpc("res.partner", "write", [batley], {"phone": "01924 555000", "credit_limit": 900.0})
    result = export(rpc, backend_id, "customers")
    assert result["exported"] == 1 and len(double.records["contacts"]) == contacts
    binding = rpc("ecrm.sage.binding", "search_read", [("backend_id", "=", backend_id), ("partner_id", "=", batley)],
                  ["sage_ref", "sage_id"])[0]
    contact = next(contact for contact in double.records["contacts"] if contact["reference"] == binding["sage_ref"])
    assert (contact["id"], contact["telephone"], contact["credit_limit"]) == (binding["sage_id"], "01924 555000", 900.0)
    assert [put[1] for put in double.puts] == [binding["sage_id"]]


def test_a_large_api_export_is_sent_a_chunk_per_job_with_progress_shown(rpc, api_world, double):
    """More customers than one job sends (API_RECORDS_PER_JOB, 50): each job sends and commits its
    chunk, the batch shows the count moving, and every customer reaches Sage once."""
    for number in range(120):
        rpc("res.partner", "create", {"name": "Chunk %03d %s" % (number, api_world["tag"]), "is_company": True,
                                      "customer": True})
    queued = rpc("ecrm.sage.backend", "export_batch", api_world["backend_id"], "customers", False)
    seen = []
    batch = wait_for_batch(rpc, queued["batch_id"], seen=seen)
    assert (batch["state"], batch["ecrm_job_state"]) == ("done", "done"), batch
    assert batch["ecrm_job_done"] == batch["ecrm_job_total"] == batch["record_count"] >= 122
    assert any(0 < done < total for _state, done, total in seen), "progress moved between the jobs: %s" % seen
    jobs = [job for job in rpc("queue.job", "search_read", [("model_name", "=", "ecrm.sage.batch"),
                                                            ("method_name", "=", "_sage_job_export")],
                               ["state", "record_ids"]) if job["record_ids"] == [queued["batch_id"]]]
    assert len(jobs) >= 3 and {job["state"] for job in jobs} == {"done"}, "a job per 50 customers"
    refs = [contact["reference"] for contact in double.records["contacts"]]
    assert len(refs) == len(set(refs)) == batch["record_count"], "each customer sent once"
    assert rpc("ecrm.sage.binding", "search_count", [("backend_id", "=", api_world["backend_id"]),
                                                     ("sage_id", "!=", False)]) == batch["record_count"]
