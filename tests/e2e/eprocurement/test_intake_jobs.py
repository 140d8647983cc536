"""Accepting an order is apart from processing it: 202 and a job, which no dead worker can lose.

The e2e server runs prefork with Odoo's default limits and queue_job's runner, and no crons:
the tests trigger queue_job's garbage collector themselves, where time would.
"""
import os
import signal
import time

import psutil
import requests

from .orders import leeds_order

ITEMS = ("NHS-HS-100", "NHS-BB-220")


def wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, "no %s after %d s" % (what, timeout)
        time.sleep(0.5)


def status(leeds, url):
    return requests.get(url, headers={"Authorization": "Bearer %s" % leeds.credential,
                                      "Accept": "application/json"}, timeout=60).json()


def test_an_order_sent_respond_async_gets_202_and_its_acknowledgement_through_status(leeds, document_id):
    response = leeds.post(leeds_order(document_id), accept="application/json",
                          headers={"Prefer": "respond-async"})
    assert response.status_code == 202, response.text
    body = response.json()
    assert (body["state"], body["buyer_document_id"]) == ("received", document_id)
    assert response.headers["Preference-Applied"] == "respond-async"
    location = response.headers["Location"]
    assert location.endswith("/ecrm/eprocurement/status/%s" % document_id) and body["status_url"] in location
    done = wait(lambda: (lambda s: s if s["state"] != "received" else None)(status(leeds, location)), 120,
                "processed order")
    assert (done["state"], done["http_status"], done["response_code"]) == ("processed", 201, "AP")
    acknowledgement = requests.get(location, headers={"Authorization": "Bearer %s" % leeds.credential}, timeout=60)
    assert acknowledgement.status_code == 200 and b"OrderResponse" in acknowledgement.content
    assert [order["state"] for order in leeds.sale_orders(document_id)] == ["sale"]


def test_a_resent_order_is_answered_409_at_once_and_status_keeps_the_processed_one(leeds, document_id):
    """An order number with slashes, as many buyers' systems number them, sent asynchronously twice."""
    number = document_id.replace("PO-", "PO/2026/")
    first = leeds.post(leeds_order(number), headers={"Prefer": "respond-async"})
    assert first.status_code == 202, first.text
    location = first.headers["Location"]
    wait(lambda: status(leeds, location).get("state") == "processed", 120, "processed order")
    again = leeds.post(leeds_order(number), headers={"Prefer": "respond-async"})
    assert again.status_code == 409, "a re-send of a processed order needs no job: %s" % again.text[:300]
    Exchange = leeds.rpc.env["ecrm.exchange"]
    original, duplicate = (Exchange.search_read([("name", "=", response.headers["X-Ecrm-Exchange"])], [
        "acknowledgement", "duplicate_of_id", "job_id"])[0] for response in (first, again))
    assert again.content == original["acknowledgement"].encode("utf-8")
    assert duplicate["duplicate_of_id"][0] == original["id"] and not duplicate["job_id"]
    assert status(leeds, location)["state"] == "processed"
    assert len(leeds.sale_orders(number)) == 1


def busiest_worker(server, sample=1.0):
    """The prefork child burning the most CPU now: the one running the job."""
    children = psutil.Process(server.process.pid).children()
    before = {child.pid: sum(child.cpu_times()[:2]) for child in children}
    time.sleep(sample)
    used = {child.pid: sum(child.cpu_times()[:2]) - before[child.pid] for child in children if child.is_running()}
    return max(used, key=used.get)


def test_a_worker_killed_mid_order_loses_nothing_and_the_order_is_processed_once(
        leeds, admin_rpc, odoo_server, document_id):
    """kill -9 of the worker processing a large order: no re-send, no operator, one sale order."""
    params = admin_rpc.env["ir.config_parameter"]
    params.set_param("ecrm_core.job_started_timeout_minutes", "1")  # the default follows limit_time_real
    try:
        lines = [{"buyer_item_id": ITEMS[n % 2], "quantity": 1 + n % 3} for n in range(60)]
        response = leeds.post(leeds_order(document_id, lines=lines), accept="application/json")
        assert response.status_code == 202, "60 lines are more than the request processes itself"
        exchange = leeds.exchange(response)
        Exchange, Job = admin_rpc.env["ecrm.exchange"], admin_rpc.env["queue.job"]
        job_id = Exchange.read([exchange["id"]], ["job_id"])[0]["job_id"][0]
        wait(lambda: Job.read([job_id], ["state"])[0]["state"] == "started", 120, "started job")
        os.kill(busiest_worker(odoo_server), signal.SIGKILL)
        time.sleep(2)
        job = Job.read([job_id], ["state", "date_started", "retry"])[0]
        assert job["state"] == "started", "queue_job alone would leave it there for ever"
        assert Exchange.read([exchange["id"]], ["state"])[0]["state"] == "received"
        assert leeds.sale_orders(document_id) == [], "the killed transaction left nothing behind"

        time.sleep(62)  # a minute after it started, the job is a dead worker's
        assert Job.read([job_id], ["state"])[0]["state"] == "started", "nothing ran it meanwhile"
        assert Exchange.read([exchange["id"]], ["state"])[0]["state"] == "received"
        admin_rpc.env.ref("queue_job.ir_cron_queue_job_garbage_collector").method_direct_trigger()
        assert Job.read([job_id], ["retry"])[0]["retry"] == 1, "the death counts as a try"
        wait(lambda: Exchange.read([exchange["id"]], ["state"])[0]["state"] == "processed", 300, "processed order")
        assert Job.read([job_id], ["state", "retry"])[0] == {"id": job_id, "state": "done", "retry": 2}
    finally:
        params.set_param("ecrm_core.job_started_timeout_minutes", "")
    orders = leeds.sale_orders(document_id)
    assert [order["state"] for order in orders] == ["sale"]
    assert leeds.rpc.env["sale.order.line"].search_count([("order_id", "=", orders[0]["id"])]) == 60
    assert Exchange.search_count([("buyer_document_id", "=", document_id)]) == 1, "nobody re-sent it"
