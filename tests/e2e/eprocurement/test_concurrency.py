"""Idempotency under concurrency: 20 simultaneous deliveries of one order make one sale order.

What a buyer is promised is observed, not a schedule: exactly one delivery earns the 201, a
busy server may answer 503 (retryable) to some of the others, and a 503's retry, like every
other delivery, gets 409 with the one original acknowledgement. A delivery that lost the race
inside its request is left to its job and answered 202; the job then ends it as a 409 with
the same acknowledgement. However the race goes, one sale order exists, confirmed once.
"""
import time
from concurrent.futures import ThreadPoolExecutor

from lxml import etree

from .orders import leeds_order

RETRIES = 5


def outcome(leeds, response):
    """(HTTP status, acknowledgement) the delivery ends with: a 202's from its exchange, once its job ran."""
    if response.status_code != 202:
        return response.status_code, response.content
    deadline = time.monotonic() + 120
    while True:
        exchange = leeds.rpc.env["ecrm.exchange"].search_read(
            [("name", "=", response.headers["X-Ecrm-Exchange"])], ["state", "http_status", "acknowledgement"])[0]
        if exchange["state"] != "received":
            return exchange["http_status"], exchange["acknowledgement"].encode("utf-8")
        assert time.monotonic() < deadline, "the job of %s did not run" % response.headers["X-Ecrm-Exchange"]
        time.sleep(0.5)


def test_twenty_parallel_posts_create_exactly_one_sale_order(leeds, document_id):
    payload = leeds_order(document_id)
    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda _n: leeds.post(payload), range(20)))
    assert {r.status_code for r in responses} <= {201, 202, 409, 503}, [r.status_code for r in responses]
    assert [r.status_code for r in responses].count(201) <= 1
    for response in [r for r in responses if r.status_code == 503]:
        assert response.headers.get("Retry-After"), "a 503 must say when to retry"
        if response.headers.get("X-Ecrm-Exchange"):  # stored before the failure: kept as retryable
            assert leeds.exchange(response)["retryable"] is True
    answered = [r for r in responses if r.status_code != 503]
    for response in [r for r in responses if r.status_code == 503]:
        for _attempt in range(RETRIES):  # the buyer's retry, as its system would do it
            response = leeds.post(payload)
            if response.status_code != 503:
                break
        answered.append(response)
    outcomes_seen = [outcome(leeds, r) for r in answered]
    statuses = sorted(status for status, _acknowledgement in outcomes_seen)
    assert statuses == [201] + [409] * 19, statuses
    acknowledgements = {acknowledgement for _status, acknowledgement in outcomes_seen}
    assert len(acknowledgements) == 1, "every caller gets the one original acknowledgement"
    root = etree.fromstring(acknowledgements.pop())
    assert root.findtext("{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
                         "OrderResponseCode") == "AP"
    assert [o["state"] for o in leeds.sale_orders(document_id)] == ["sale"]
    exchanges = leeds.rpc.env["ecrm.exchange"].search_read(
        [("buyer_document_id", "=", document_id)], ["state", "http_status", "retryable"])
    outcomes = sorted((e["state"], e["http_status"]) for e in exchanges)
    assert outcomes.count(("processed", 201)) == 1, outcomes
    assert set(outcomes) - {("processed", 201)} <= {("error", 409), ("error", 503)}, outcomes
