"""A big receipts file over XML-RPC on the prefork server, under Odoo's default limits.

The call checks the file and returns at once with the batch; queue jobs book it chunk
by chunk (each well under a worker's 60 s CPU limit) while the batch shows how far it is.
"""
import base64
import time

from .conftest import export, wait_for_batch

INVOICES, RECEIPTS_PER_INVOICE = 200, 10      # 2,000 receipt lines, each paying a tenth of an invoice


def bound_refs(rpc, backend_id):
    return {binding["partner_id"][0]: binding["sage_ref"] for binding in rpc(
        "ecrm.sage.binding", "search_read", [("backend_id", "=", backend_id), ("res_model", "=", "res.partner")],
        ["partner_id", "sage_ref"])}


def invoices_of(rpc, world, count):
    ids = [rpc("account.invoice", "create", {
        "partner_id": world["customers"][number % 2], "type": "out_invoice", "date_invoice": world["date"],
        "invoice_line_ids": [(0, 0, {"name": "Stairlift service", "quantity": 1, "price_unit": 100.0,
                                     "account_id": world["income"],
                                     "invoice_line_tax_ids": [(6, 0, [world["vat20"]])]})]})
        for number in range(count)]
    for start in range(0, count, 50):
        rpc("account.invoice", "action_invoice_open", ids[start:start + 50])
    return ids


def test_two_thousand_receipts_are_booked_by_jobs_with_progress_shown(rpc, world):
    backend_id = world["backend_id"]
    export(rpc, backend_id, "customers")
    invoice_ids = invoices_of(rpc, world, INVOICES)
    export(rpc, backend_id, "invoices")
    refs = bound_refs(rpc, backend_id)
    day = "/".join(reversed(world["date"].split("-")))
    # ten different parts (the same amount twice would be the same transaction): 11.55 + ... + 12.45 = 120.00
    lines = ["SR,%s,1200,,%s,%s,BACS part %d,%.2f,T9,0.00\r\n" % (
        refs[invoice["partner_id"][0]], day, invoice["number"], part, 11.55 + 0.10 * part)
        for invoice in rpc("account.invoice", "read", invoice_ids, ["number", "partner_id"])
        for part in range(RECEIPTS_PER_INVOICE)]
    receipts_file = base64.b64encode("".join(lines).encode("cp1252")).decode()

    started = time.monotonic()
    result = rpc("ecrm.sage.backend", "import_file", backend_id, "receipts", receipts_file, False)
    answered = time.monotonic() - started
    assert (result["errors"], result["applied"], result["matched"], result["state"]) == (
        [], INVOICES * RECEIPTS_PER_INVOICE, INVOICES * RECEIPTS_PER_INVOICE, "importing")
    assert answered < 30, "the call checks and stages the file, it books nothing (%.1f s)" % answered
    seen = []
    batch = wait_for_batch(rpc, result["batch_id"], timeout=900, seen=seen)
    took = time.monotonic() - started
    print("\n2,000 receipts: call answered in %.1f s, booked in %.1f s" % (answered, took))
    assert (batch["state"], batch["ecrm_job_state"], batch["ecrm_job_message"]) == ("done", "done", False), batch
    assert (batch["ecrm_job_done"], batch["ecrm_job_total"]) == (2000, 2000)
    running = {done for state, done, total in seen if state in ("running", "queued") and 0 < done < total}
    assert len(running) >= 2, "progress moved while the jobs ran: %s" % sorted(running)
    assert {row["state"] for row in rpc("account.invoice", "read", invoice_ids, ["state"])} == {"paid"}
    assert rpc("ecrm.sage.receipt", "search_count", [("batch_id", "=", result["batch_id"]),
                                                     ("state", "=", "matched")]) == 2000
    jobs = rpc("queue.job", "search_read", [("model_name", "=", "ecrm.sage.batch"),
                                            ("method_name", "=", "_sage_job_book_receipts")],
               ["state", "record_ids"])
    mine = [job for job in jobs if job["record_ids"] == [result["batch_id"]]]
    assert len(mine) == 20 and {job["state"] for job in mine} == {"done"}, "one job per 100 receipts"


def test_a_bad_file_leaves_nothing_written_and_starts_no_job(rpc, world):
    backend_id = world["backend_id"]
    export(rpc, backend_id, "customers")
    ref = bound_refs(rpc, backend_id)[world["customers"][0]]
    day = "/".join(reversed(world["date"].split("-")))
    good = ["SA,%s,1200,,%s,R%d,Receipt,1.00,T9,0.00\r\n" % (ref, day, number) for number in range(1500)]
    bad = good[:1200] + ["SA,%s,1200,,%s,R-bad,Receipt,abc,T9,0.00\r\n" % (ref, day)] + good[1200:]
    counts = lambda: (rpc("ecrm.sage.receipt", "search_count", []),  # noqa: E731
                      rpc("ecrm.sage.batch", "search_count", [("backend_id", "=", backend_id),
                                                              ("kind", "=", "receipts")]),
                      rpc("queue.job", "search_count", []))
    before = counts()
    result = rpc("ecrm.sage.backend", "import_file", backend_id, "receipts",
                 base64.b64encode("".join(bad).encode()).decode(), False)
    assert (result["applied"], result["batch_id"], result["state"]) == (0, False, False)
    assert [error["row"] for error in result["errors"]] == [1201]
    assert counts() == before
